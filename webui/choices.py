"""The choices a form's uiSchema names (`"ui:options": {"choices": "units"}`), for a page."""
from __future__ import annotations

from workflows.choices import SOURCES

from . import db


def options_for(candidate_unit: str | None):
    """A form's option source: choices source name -> options (None: no such choices here)."""
    session = db.session()

    def options(name: str):
        source = SOURCES.get(name)
        return source(session, candidate_unit) if source is not None else None
    return options
