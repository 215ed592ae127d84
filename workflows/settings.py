"""Time limits (时限) as settings: the domain's defaults, which an administrator may change.

A `Setting` row holds an administrator's value; a key without a row uses the default here, so a
fresh database works without seeding. Functions take the caller's session and never commit.
"""
from __future__ import annotations

import calendar as _calendar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Setting

# Units are in the names: "workdays" count the official calendar, "days" and "months" do not.
DEFAULTS: dict[str, int] = {
    "return_window_workdays": 10,   # ask to return a misassigned case (申请退回)
    "reply_months": 3,              # reply (答复) after assignment
    "extended_reply_months": 6,     # reply with an approved extension (延期), counted from assignment
    "co_opinion_months": 1,         # co-handling unit's opinion to the lead unit (会办意见)
    "rehandle_months": 1,           # reply again after 不满意 (重新办理)
    "reminder_days_before": 10,     # calendar days before a deadline: remind the handler
    "long_overdue_workdays": 15,    # overdue this long: high-level coordination (提请高位协调)
    # Key suggestions' progress reports (重点处理建议进展报告), "dates" as MMDD of the case's year:
    "midyear_report_date": 630,     # for the mid-year supervision meeting (督办推进会)
    "november_report_date": 1130,   # the November report to the supervising leader
}
DATE_KEYS = ("midyear_report_date", "november_report_date")  # MMDD: a month and a day


def _check_key(key: str) -> None:
    if key not in DEFAULTS:
        raise KeyError(f"unknown time-limit setting {key!r}; known: {', '.join(DEFAULTS)}")


def get(session: Session, key: str) -> int:
    """The current value of a time-limit setting: the administrator's, else the default."""
    _check_key(key)
    stored = session.info.get("settings")
    if stored is None:  # one query per session, not one per deadline computed
        stored = session.info["settings"] = {
            row.key: row.value for row in session.scalars(select(Setting))}
    return stored.get(key, DEFAULTS[key])


def set_value(session: Session, key: str, value: int) -> None:
    """Store an administrator's value for a time-limit setting (a positive whole number)."""
    _check_key(key)
    # bool is an int subclass: reject True/False rather than store 1/0 by accident.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"setting {key!r} must be a positive whole number, got {value!r}")
    if key in DATE_KEYS and not _valid_mmdd(value):
        raise ValueError(f"setting {key!r} is a date as MMDD (630 = 30 June), got {value!r}")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.info.pop("settings", None)


def _valid_mmdd(value: int) -> bool:
    """A day every year has (29 February is refused: the report would vanish in three years
    out of four)."""
    month, day = divmod(value, 100)
    return 1 <= month <= 12 and 1 <= day <= _calendar.monthrange(2025, month)[1]


def all_settings(session: Session) -> dict[str, int]:
    """Every time-limit setting with its current value, in the order of DEFAULTS."""
    stored = {row.key: row.value
              for row in session.scalars(select(Setting).where(Setting.key.in_(DEFAULTS)))}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}
