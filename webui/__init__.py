"""The web app (网页界面): a thin Flask layer over `workflows`.

`create_app` only assembles: settings come from `config.load`, and each concern registers
itself through the `init_app(app)` of the module that owns it.
"""
from __future__ import annotations

from flask import Flask

from models import Database

from . import config


def create_app(test_config: dict | None = None, db: Database | None = None) -> Flask:
    """The app on `db` (a test's database) or on a new one at DATABASE_URL."""
    app = Flask(__name__)
    config.load(app, test_config)

    from . import (admin, auth, banners, cases, csrf, designer, errors, flashes, headers, i18n,
                   inbox, instances, lanes, notifications, supervision, tasks)
    from . import db as database
    database.init_app(app, db)  # the database and engine, request sessions, /healthz
    csrf.init_app(app)
    headers.init_app(app)  # CSP, no-store, HSTS: see webui/headers.py
    i18n.init_app(app)
    auth.init_app(app)
    banners.init_app(app)  # the missing-calendar-year warning for commission and admins
    instances.init_app(app)  # the header's 新建案件 link
    for module in (inbox, tasks, cases, instances, notifications, supervision, designer, lanes, admin):
        app.register_blueprint(module.bp)
    from . import public, publication  # 办理结果公开: the commission's review, the public page
    app.register_blueprint(publication.bp), app.register_blueprint(public.bp)
    errors.init_app(app)
    flashes.init_app(app)
    return app
