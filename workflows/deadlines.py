"""Deadlines of an assignment in working days or months (domain.md, "Deadlines and escalation").

`deadline(kind, assignment_id)` is handed to BPMN timer expressions; it reads the database every
time it is evaluated, so timers follow a deadline that moves (extension, re-handling).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.scripts import step_session
from models import Assignment

from . import settings
from .calendar import WorkCalendar

KINDS = ("ack", "opinion", "reminder", "reply", "long_overdue")


def calendar(session: Session) -> WorkCalendar:
    """The session's work calendar (overrides loaded once per session)."""
    cal = session.info.get("work_calendar")
    if cal is None:
        cal = session.info["work_calendar"] = WorkCalendar(session)
    return cal


def initial(session: Session, role: str, assigned_at: datetime) -> dict[str, datetime]:
    """ack_due and reply_due for a new assignment (co-units: reply_due is the opinion deadline)."""
    cal = calendar(session)
    months = settings.get(session, "co_opinion_months" if role == "co" else "reply_months")
    return {"ack_due": cal.add_workdays(assigned_at, settings.get(session, "return_window_workdays")),
            "reply_due": cal.add_months(assigned_at, months)}


def extended(session: Session, assignment: Assignment) -> datetime:
    """The reply deadline after an approved extension (default 6 months from assignment)."""
    return calendar(session).add_months(assignment.assigned_at,
                                        settings.get(session, "extended_reply_months"))


def rehandling(session: Session, now: datetime) -> datetime:
    """The reply deadline of a re-handling after a dissatisfied feedback (default 1 month)."""
    return calendar(session).add_months(now, settings.get(session, "rehandle_months"))


def due(session: Session, kind: str, assignment) -> datetime:
    """The moment a deadline of `kind` falls for an assignment (an `Assignment` or a row with
    its ack_due and reply_due)."""
    if kind == "ack":
        return assignment.ack_due
    if kind in ("reply", "opinion"):
        return assignment.reply_due
    if kind == "reminder":
        return assignment.reply_due - timedelta(days=settings.get(session, "reminder_days_before"))
    if kind == "long_overdue":
        return calendar(session).add_workdays(assignment.reply_due,
                                              settings.get(session, "long_overdue_workdays"))
    raise ValueError(f"unknown deadline kind '{kind}' (one of {', '.join(KINDS)})")


_DATES = select(Assignment.ack_due, Assignment.reply_due).where(
    Assignment.id == bindparam("assignment_id"))


def deadline(kind: str, assignment_id: int) -> str:
    """Script global for timer expressions: the ISO datetime of a deadline.

    An assignment an operator of this step loaded (and maybe changed) is used as it stands;
    otherwise its dates are read with one Core statement."""
    session = step_session("deadline")
    assignment = session.identity_map.get(identity_key(Assignment, int(assignment_id)))
    if assignment is None:
        assignment = session.connection().execute(
            _DATES, {"assignment_id": int(assignment_id)}).first()
    if assignment is None:
        raise ValueError(f"assignment {assignment_id} does not exist")
    return due(session, kind, assignment).isoformat()
