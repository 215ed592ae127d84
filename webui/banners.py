"""Page banners for the people who must act on them: the missing-calendar-year warning
(workflows.calendar.missing_years) for the commission and administrators, until the year's
holidays are entered."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from workflows import calendar

from . import db, i18n

CALENDAR_ROLES = ("commission", "admin")


def calendar_warning() -> str | None:
    """The warning in the page's language, or None (not shown to other roles)."""
    if not current_user.is_authenticated or current_user.role not in CALENDAR_ROLES:
        return None
    try:
        warning = calendar.missing_year_warning(calendar.missing_years(db.session(), db.now()))
    except SQLAlchemyError:  # an error page must not fail again over a banner
        return None
    if warning is None:
        return None
    return warning[1] if i18n.locale() == "en" else warning[0]


def init_app(app: Flask) -> None:
    @app.context_processor
    def banners():
        return {"calendar_warning": calendar_warning}
