"""Error pages: what a person sees when a request is refused or cannot be served.

Each refusal renders the same template with its own status and a translated message, so a
stale form, a forbidden page or an unrunnable case never shows a bare stack trace or a blank page.
"""
from __future__ import annotations

from flask import Flask, current_app, render_template

from engine import ProcessError

from .i18n import gettext as _


def page(code: int, message: str):
    """The error page with its status code (also used by webui/csrf.py)."""
    return render_template("errors/error.html", code=code, message=message), code


def forbidden(err):
    return page(403, _("您无权访问此页面。"))


def not_found(err):
    return page(404, _("页面不存在。"))


def too_large(err):
    return page(413, _("上传的文件太大。"))


def cannot_run(err):
    """A case whose process version today's deploy rules refuse (see `jianyi check`)."""
    current_app.logger.error("%s", err)
    return page(409, _("此案件所用的流程版本已不能运行，案件未作改动。请流程设计人员迁移到新版本。"))


def init_app(app: Flask) -> None:
    app.register_error_handler(403, forbidden)
    app.register_error_handler(404, not_found)
    app.register_error_handler(413, too_large)
    app.register_error_handler(ProcessError, cannot_run)
