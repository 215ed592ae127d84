"""What several `jianyi` commands share: the language of their messages and the calendar warning."""
from __future__ import annotations

import os

import click

from models import utcnow
from workflows import calendar


def cli_english() -> bool:
    """CLI messages people act on are Chinese first; JIANYI_LANG=en switches to English."""
    return os.environ.get("JIANYI_LANG", "zh").lower().startswith("en")


def warn_calendar(session) -> bool:
    """Print the missing-calendar-year warning (to stderr) if deadlines reach a year whose
    holidays nobody entered; True if it was printed."""
    warning = calendar.missing_year_warning(calendar.missing_years(session, utcnow()))
    if warning is not None:
        click.echo(("warning: " if cli_english() else "警告：")
                   + warning[1 if cli_english() else 0], err=True)
    return warning is not None
