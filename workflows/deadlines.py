"""Deadlines of an assignment in working days or months (docs/domain.md, "Deadlines and
escalation").

`deadline(kind, assignment_id)` is handed to BPMN timer expressions; it reads the database every
time it is evaluated, so timers follow a deadline that moves (extension, re-handling).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.scripts import step_memo, step_session
from models import Assignment, Suggestion, vocabulary

from . import settings
from .calendar import CHINA, WorkCalendar

KINDS = ("ack", "opinion", "reminder", "reply", "long_overdue")
# Key suggestions' progress reports (重点处理建议进展报告): `<period>_report` is the moment the
# report is due, `<period>_report_open` the moment its task opens (reminder_days_before earlier).
REPORT_PERIODS = vocabulary.REPORT_PERIODS.codes
REPORT_KINDS = tuple(f"{p}_report{suffix}" for p in REPORT_PERIODS for suffix in ("", "_open"))
REPORT_DUE_TIME = time(18, 0)  # the end of the office day, China time


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


def report_due_at(session: Session, period: str, year: int) -> datetime:
    """When a key suggestion's `period` report of `year` is due: the configured day (MMDD,
    settings `midyear_report_date` / `november_report_date`) at the end of the office day."""
    if period not in REPORT_PERIODS:
        raise ValueError(f"unknown report period '{period}' (one of {', '.join(REPORT_PERIODS)})")
    month, day = divmod(settings.get(session, f"{period}_report_date"), 100)
    local = datetime.combine(date(year, month, day), REPORT_DUE_TIME, tzinfo=CHINA)
    return local.astimezone(timezone.utc)


def report_open_at(session: Session, period: str, year: int) -> datetime:
    """When the report's task opens: `reminder_days_before` calendar days before it is due."""
    return report_due_at(session, period, year) - timedelta(
        days=settings.get(session, "reminder_days_before"))


def report_is_due(session: Session, period: str, assigned_at: datetime, year: int) -> bool:
    """A report is due from an assignment made before its date; one assigned later owes none."""
    return assigned_at < report_due_at(session, period, year)


class _Facts(NamedTuple):
    assigned_at: datetime
    year: int


_REPORT_FACTS = select(Assignment.assigned_at, Suggestion.year).join(
    Suggestion, Suggestion.id == Assignment.suggestion_id).where(
    Assignment.id == bindparam("assignment_id"))


def _report_facts(function: str, assignment_id: int):
    """(session, row with assigned_at and year): the assignment as this step holds it, if an
    operator loaded it, else read with one Core statement."""
    session = step_session(function)
    loaded = session.identity_map.get(identity_key(Assignment, int(assignment_id)))
    if loaded is not None:
        return session, _Facts(loaded.assigned_at, loaded.suggestion.year)
    facts = session.connection().execute(
        _REPORT_FACTS, {"assignment_id": int(assignment_id)}).first()
    if facts is None:
        raise ValueError(f"assignment {assignment_id} does not exist")
    return session, facts


def report_due(period: str, assignment_id: int) -> bool:
    """Script global for gateways: does this assignment owe the `period` progress report?"""
    session, facts = _report_facts("report_due", assignment_id)
    return report_is_due(session, period, facts.assigned_at, facts.year)


_DATES = select(Assignment.ack_due, Assignment.reply_due).where(
    Assignment.id == bindparam("assignment_id"))


def deadline(kind: str, assignment_id: int) -> str:
    """Script global for timer expressions: the ISO datetime of a deadline.

    An assignment an operator of this step loaded (and maybe changed) is used as it stands;
    otherwise its dates are read with one Core statement."""
    if kind in REPORT_KINDS:
        session, facts = _report_facts("deadline", assignment_id)
        period, _sep, suffix = kind.partition("_report")
        moment = report_open_at if suffix == "_open" else report_due_at
        return moment(session, period, facts.year).isoformat()
    session = step_session("deadline")
    assignment = session.identity_map.get(identity_key(Assignment, int(assignment_id)))
    if assignment is None:  # read once a step: a change in the step is made to the ORM row
        read = step_memo("deadline").setdefault("assignment_dates", {})
        key = int(assignment_id)
        if key not in read:
            read[key] = session.connection().execute(_DATES, {"assignment_id": key}).first()
        assignment = read[key]
    if assignment is None:
        raise ValueError(f"assignment {assignment_id} does not exist")
    return due(session, kind, assignment).isoformat()
