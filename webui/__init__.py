"""The web app (网页界面): a thin Flask layer over `workflows`."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, jsonify, render_template, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import ProcessError
from models import Database
from workflows import make_engine

DEFAULT_DB = "sqlite:///" + str(Path("instance") / "jianyi.db")
csrf = CSRFProtect()
MAX_FLASHES = 5  # messages kept for the next page


def create_app(test_config: dict | None = None) -> Flask:
    """Defaults, then environment, then test overrides; secrets only from the environment."""
    app = Flask(__name__)
    app.config.update(
        DATABASE_URL=DEFAULT_DB,
        SECRET_KEY=None,
        SCHEDULER_INTERVAL_S=10.0,
        ATTACHMENTS_DIR=str(Path("instance") / "attachments"),
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # JIANYI_SECURE_COOKIES=1 means "served over HTTPS": Secure cookie and HSTS (headers.py).
        SESSION_COOKIE_SECURE=os.environ.get("JIANYI_SECURE_COOKIES", "") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=None,
        LOGIN_MAX_FAILURES=5,
        LOGIN_LOCK_MINUTES=15,
        LOGIN_MAX_ADDRESS_FAILURES=20,  # per client address within LOGIN_LOCK_MINUTES
        PAGE_SIZE=25,
    )
    for key in ("DATABASE_URL", "SECRET_KEY", "ATTACHMENTS_DIR"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    proxies = int(os.environ.get("JIANYI_PROXIES", "0"))
    if proxies:  # behind that many reverse proxies: the client address is X-Forwarded-For's
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        # Development only: a fresh random key per start (sessions do not survive restarts).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    app.extensions["db"] = Database(url)
    app.extensions["engine"] = app.config.get("ENGINE") or make_engine()

    from . import (admin, auth, cases, db, designer, i18n, inbox, instances, lanes, notifications,
                   supervision)
    from . import tasks
    from . import banners, headers
    csrf.init_app(app)
    headers.init_app(app)  # CSP, no-store, HSTS: see webui/headers.py
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    banners.init_app(app)  # the missing-calendar-year warning for commission and admins
    instances.init_app(app)  # the header's 新建案件 link
    for module in (inbox, tasks, cases, instances, notifications, supervision, designer, lanes, admin):
        app.register_blueprint(module.bp)

    @app.get("/healthz")
    def healthz():
        with app.extensions["db"].session() as session:
            session.connection().exec_driver_sql("SELECT 1")
        return jsonify(status="ok")

    from .i18n import gettext as _

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return render_template("errors/error.html", code=400,
                               message=_("表单已过期或无效，请返回重试。")), 400

    @app.errorhandler(403)
    def forbidden(err):
        return render_template("errors/error.html", code=403, message=_("您无权访问此页面。")), 403

    @app.errorhandler(404)
    def not_found(err):
        return render_template("errors/error.html", code=404, message=_("页面不存在。")), 404

    @app.errorhandler(413)
    def too_large(err):
        return render_template("errors/error.html", code=413, message=_("上传的文件太大。")), 413

    @app.errorhandler(ProcessError)
    def cannot_run(err):
        """A case whose process version today's deploy rules refuse (see `jianyi check`)."""
        app.logger.error("%s", err)
        return render_template("errors/error.html", code=409, message=_(
            "此案件所用的流程版本已不能运行，案件未作改动。请流程设计人员迁移到新版本。")), 409

    @app.after_request
    def keep_recent_messages(response):
        """Flashed messages live in the session cookie until a page shows them; a client that
        never follows the redirects (a script, a bench) would grow the cookie without bound."""
        flashes = session.get("_flashes")
        if flashes and len(flashes) > MAX_FLASHES:
            session["_flashes"] = flashes[-MAX_FLASHES:]
        return response

    return app
