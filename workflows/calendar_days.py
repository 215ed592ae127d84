"""The administrator's calendar (节假日与调休): public holidays and adjusted working days entered
over the `chinese_calendar` package, which knows each year only once the State Council has
announced it (`workflows.calendar`).

Entering at least one holiday of a year tells the missing-year warning that the year's holidays
are known. The web page (时限与日历) and `jianyi calendar` both go through these functions:
checked, audited, and the session's cached work calendar dropped so the next deadline counted
in it sees the change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, CalendarDay, text

from .errors import DomainError

MAX_SPAN = 31  # days one entry may cover (the longest holiday, 春节, is 8 or 9)
FIRST_YEAR, LAST_YEAR = 2000, 2100
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NOTE_LIMIT = text.limit_of(CalendarDay.note)


class CalendarError(DomainError):
    """An entry refused; `problems` by field (first, last, kind, note, day)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Entry:
    """Days first..last (inclusive), each a holiday or an adjusted working day, with a note."""

    first: date
    last: date
    workday: bool
    note: str | None

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def parse_day(value: object) -> date | None:
    """A date written YYYY-MM-DD within FIRST_YEAR..LAST_YEAR, else None."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


BAD_DAY = (f"日期无效：请填写 {FIRST_YEAR}–{LAST_YEAR} 年间实际存在的日期，格式 YYYY-MM-DD "
           f"(not a date: an existing day between {FIRST_YEAR} and {LAST_YEAR}, written "
           f"YYYY-MM-DD)")


def check(first: str, last: str, kind: str, note: str) -> Entry:
    """The entry as typed (strings), or CalendarError naming each bad field; `last` may be
    empty (one day), `kind` is "holiday" or "workday"."""
    problems: dict[str, str] = {}
    start = parse_day(first)
    if start is None:
        problems["first"] = BAD_DAY
    one_day = (last or "").strip() == ""
    end = start if one_day else parse_day(last)
    if end is None and not one_day:
        problems["last"] = BAD_DAY
    elif start is not None and end < start:
        problems["last"] = "结束日期不能早于开始日期 (the last day cannot be before the first)"
    elif start is not None and (end - start).days >= MAX_SPAN:
        problems["last"] = (f"一次最多录入 {MAX_SPAN} 天 (at most {MAX_SPAN} days at a time)")
    if kind not in ("holiday", "workday"):
        problems["kind"] = "请选择节假日或调休工作日 (choose holiday or adjusted working day)"
    cleaned = text.clean(note or "")
    if reason := text.problem(cleaned, limit=NOTE_LIMIT, required=False):
        problems["note"] = reason
    if problems:
        raise CalendarError(problems)
    return Entry(start, end, kind == "workday", cleaned or None)


def enter(session: Session, entry: Entry, *, actor: str, now: datetime) -> list[date]:
    """Store the entry's days (replacing what was entered for them), audited."""
    for day in entry.days:
        session.merge(CalendarDay(day=day, is_workday=entry.workday, note=entry.note))
    session.add(AuditEvent(at=now, actor=actor, action="calendar_days_set",
                           detail={"first": entry.first.isoformat(),
                                   "last": entry.last.isoformat(),
                                   "workday": entry.workday, "note": entry.note}))
    session.flush()
    session.info.pop("work_calendar", None)  # deadlines counted next see the change
    return entry.days


def remove(session: Session, day: date, *, actor: str, now: datetime) -> None:
    """Forget an entered day (the package's calendar, or weekends, count again), audited."""
    row = session.get(CalendarDay, day)
    if row is None:
        raise CalendarError({"day": f"{day} 没有录入 ({day} was not entered)"})
    session.add(AuditEvent(at=now, actor=actor, action="calendar_day_removed",
                           detail={"day": day.isoformat(), "workday": row.is_workday,
                                   "note": row.note}))
    session.delete(row)
    session.flush()
    session.info.pop("work_calendar", None)


def entered(session: Session) -> dict[int, list[CalendarDay]]:
    """The entered days by year, in order."""
    years: dict[int, list[CalendarDay]] = {}
    for row in session.scalars(select(CalendarDay).order_by(CalendarDay.day)):
        years.setdefault(row.day.year, []).append(row)
    return years
