"""Time limits (时限) as settings: the domain's defaults, which an administrator may change.

A `Setting` row holds an administrator's value; a key without a row uses the default here, so a
fresh database works without seeding. Functions take the caller's session and never commit.
"""
from __future__ import annotations

import calendar as _calendar
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, Setting

from .errors import DomainError

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
# The values an administrator may set (inclusive): wide enough for any province's rules, narrow
# enough that a slip (300 months, 0 days) is refused rather than silently moving every deadline.
BOUNDS: dict[str, tuple[int, int]] = {
    "return_window_workdays": (1, 60), "reply_months": (1, 12), "extended_reply_months": (1, 24),
    "co_opinion_months": (1, 12), "rehandle_months": (1, 12), "reminder_days_before": (1, 60),
    "long_overdue_workdays": (1, 120),
    "midyear_report_date": (101, 1231), "november_report_date": (101, 1231),
}


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


def problem(key: str, value: object) -> str | None:
    """Why `value` cannot be the setting `key` ("中文 (English)"), or None."""
    _check_key(key)
    # bool is an int subclass: reject True/False rather than store 1/0 by accident.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return f"须为正整数 (must be a positive whole number, got {value!r})"
    if key in DATE_KEYS:
        if not _valid_mmdd(value):
            return f"须为月日四位数，如 630 表示6月30日 (a date as MMDD, 630 = 30 June; got {value})"
        return None
    low, high = BOUNDS[key]
    if not low <= value <= high:
        return f"须在 {low} 到 {high} 之间 (must be between {low} and {high}, got {value})"
    return None


def set_value(session: Session, key: str, value: int) -> None:
    """Store an administrator's value for a time-limit setting (a positive whole number within
    BOUNDS); not audited: people change settings through `change`."""
    why = problem(key, value)
    if why:
        raise ValueError(f"setting {key!r}: {why}")
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


class SettingsError(DomainError):
    """Settings refused; `problems` by key ("中文 (English)")."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def change(session: Session, values: dict[str, int], *, actor: str,
           now: datetime) -> dict[str, tuple[int, int]]:
    """Set several time limits at once (the web page's form, `jianyi settings set`): all or
    none, audited as one `settings_changed` event listing each change (key -> (old, new)).
    The extended reply period may not be shorter than the reply period."""
    problems = {}
    for key, value in values.items():
        if key not in DEFAULTS:
            problems[key] = f"没有这个设置 (unknown setting; known: {', '.join(DEFAULTS)})"
        elif why := problem(key, value):
            problems[key] = why
    current = all_settings(session)
    after = {**current, **{k: v for k, v in values.items() if k not in problems}}
    if not problems and after["extended_reply_months"] < after["reply_months"]:
        problems["extended_reply_months"] = (
            "延期后的答复期限不能短于答复期限 (the extended reply period cannot be shorter than "
            "the reply period)")
    if problems:
        raise SettingsError(problems)
    changes = {k: (current[k], v) for k, v in values.items() if current[k] != v}
    for key, (_old, new) in changes.items():
        set_value(session, key, new)
    if changes:
        session.add(AuditEvent(at=now, actor=actor, action="settings_changed",
                               detail={k: {"from": old, "to": new}
                                       for k, (old, new) in changes.items()}))
        session.flush()
    return changes
