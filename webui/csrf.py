"""CSRF protection (Flask-WTF) on every form post, and the page for a stale or missing token."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError, CSRFProtect

from .errors import page
from .i18n import gettext as _

protect = CSRFProtect()


def csrf_error(err):
    return page(400, _("表单已过期或无效，请返回重试。"))


def init_app(app: Flask) -> None:
    protect.init_app(app)
    app.register_error_handler(CSRFError, csrf_error)
