"""The one-time link's page (设置密码) and the first-login rule.

Anyone holding a valid link chooses a password there and is signed in (to the inbox); a wrong,
used or expired link says so and nothing else. An account that must change its password (set by
an administrator's reset, or created by one) is sent to the password page by every other page
until it has.
"""
from __future__ import annotations

from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request,
                   session as cookie, url_for)
from flask_login import current_user, login_user, logout_user

from workflows import password_links, users

from . import db
from .auth import load_user
from .i18n import gettext as _

bp = Blueprint("password_links", __name__)
# Pages an account that must change its password may still open.
_OPEN = {"auth.password", "auth.logout", "auth.login", "password_links.open_link", "static",
         "set_language", "healthz"}


@bp.route("/password-link/<token>", methods=["GET", "POST"])
def open_link(token: str):
    """Anyone with the link: choose a password (once, before the link expires)."""
    if len(token) > 100:
        abort(404)
    if request.method == "GET":
        if password_links.find(db.session(), token, db.now()) is None:
            return _gone()
        return render_template("auth/password_link.html", errors={})
    with db.write() as s:
        user, errors = password_links.use(s, token, request.form.get("new", ""),
                                          request.form.get("confirm", ""), db.now())
        session_token = users.start_session(s, user, db.now(), request.remote_addr) \
            if user is not None else None
    if "token" in errors:
        return _gone()
    if errors:
        return render_template("auth/password_link.html", errors=errors), 400
    if current_user.is_authenticated:
        logout_user()
    cookie.clear()
    login_user(load_user(session_token))
    cookie.permanent = True
    flash(_("密码已设置，欢迎使用。"), "success")
    return redirect(url_for("inbox.index"))


def _gone():
    response = make_response(render_template(
        "errors/error.html", code=404,
        message=_("链接无效、已使用或已过期，请向管理员索取新的链接。")), 404)
    return response


def _must_change():
    """Before every page: an account that must change its password goes to the password page."""
    if (request.endpoint not in _OPEN and current_user.is_authenticated
            and current_user.must_change_password):
        if request.method == "GET":
            flash(_("请先设置新密码。"), "error")
        return redirect(url_for("auth.password"))
    return None


def init_app(app) -> None:
    app.before_request(_must_change)
    app.register_blueprint(bp)
