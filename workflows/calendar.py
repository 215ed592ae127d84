"""Working days on the official Chinese calendar (工作日), for deadlines and overdue counts.

The `chinese_calendar` package knows each year's public holidays and adjusted working days (调休)
only up to its release; the administrator's `CalendarDay` rows override or extend it. For a year
the package does not know, days without a row count weekends only, and the year is recorded in
`missing_years` so the UI can say so instead of the deadline silently being wrong — never a crash.

Datetimes are timezone-aware; results are UTC. Dates are decided in China Standard Time because
the official calendar is: 2026-09-30 20:00 UTC is already 1 October in Beijing.
"""
from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Assignment, CalendarDay

CHINA = ZoneInfo("Asia/Shanghai")
# The holiday package's answers per day, shared by the process's calendars (its data is fixed
# for the life of the process); None: the package has no data for that day's year.
_OFFICIAL: dict[date, bool | None] = {}


def _official(day: date) -> bool | None:
    if day not in _OFFICIAL:
        try:
            _OFFICIAL[day] = chinese_calendar.is_workday(day)
        except NotImplementedError:  # the package has no data for this year
            _OFFICIAL[day] = None
    return _OFFICIAL[day]


def _local(moment: datetime) -> datetime:
    # A naive datetime would be read as the server's local time: refuse it rather than guess.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}; use a timezone-aware datetime")
    return moment.astimezone(CHINA)


class WorkCalendar:
    """The official calendar plus the administrator's overrides, read once from the session."""

    def __init__(self, session: Session):
        # One query up front: a deadline walks many days and must not query per day.
        self.overrides: dict[date, bool] = {
            row.day: row.is_workday for row in session.scalars(select(CalendarDay))}
        self.missing_years: set[int] = set()

    @property
    def warnings(self) -> list[str]:
        """Messages for the UI, one per year that was counted on weekends only."""
        return [f"no holiday data for {year}: counting weekends only"
                for year in sorted(self.missing_years)]

    def is_workday(self, day: date) -> bool:
        """Whether `day` is a working day: override row, else the package, else Mon–Fri."""
        if day in self.overrides:
            return self.overrides[day]
        known = _official(day)
        if known is None:
            self.missing_years.add(day.year)
            known = day.weekday() < 5
        return known

    def add_workdays(self, start: datetime, n: int) -> datetime:
        """The moment `n` working days after `start` (counting from the next day), in UTC."""
        if n < 0:
            raise ValueError(f"cannot add a negative number of working days ({n})")
        local = _local(start)
        day, remaining = local.date(), n
        while remaining:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        # Same local time of day on the final date (Asia/Shanghai has no daylight saving).
        end = datetime.combine(day, local.timetz())
        return end.astimezone(timezone.utc)

    def add_months(self, start: datetime, n: int) -> datetime:
        """The moment `n` calendar months after `start` (day clipped to month end), in UTC."""
        return add_months(start, n)

    def workdays_between(self, start: datetime, end: datetime) -> int:
        """Working days after `start`'s date up to and including `end`'s date; 0 if end <= start."""
        if end <= start:
            return 0
        day, last = _local(start).date(), _local(end).date()
        count = 0
        while day < last:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


def add_months(start: datetime, n: int) -> datetime:
    """The moment `n` calendar months after `start` (day clipped to month end), in UTC."""
    local = _local(start)
    months = local.year * 12 + local.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    # 31 January + 1 month is the last day of February, not an error or 3 March.
    day = min(local.day, _stdlib_calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(timezone.utc)


# ---- the missing-calendar-year warning (shown to the commission and administrators) ----

def known_to_package(year: int) -> bool:
    """Whether the `chinese_calendar` package has the official holidays of `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def deadline_years(session: Session, now: datetime) -> list[int]:
    """The years the counting of deadlines reaches now: this year up to the year of the latest
    deadline still pending (a reply or opinion not given yet, plus the long-overdue window)."""
    latest = session.scalar(select(func.max(Assignment.reply_due)).where(
        Assignment.status.in_(("assigned", "acknowledged"))))
    first = _local(now).year
    last = max(first, _local(latest + timedelta(days=31)).year) if latest is not None else first
    return list(range(first, last + 1))


def missing_years(session: Session, now: datetime) -> list[int]:
    """The years deadlines reach (`deadline_years`) for which neither the package nor the
    administrator's table (`CalendarDay`: at least one holiday entered) knows the holidays;
    deadlines there count weekends only until the holidays are entered."""
    years = [year for year in deadline_years(session, now) if not known_to_package(year)]
    if not years:
        return []
    entered = {row.year for row in session.scalars(select(CalendarDay.day).where(
        CalendarDay.is_workday.is_(False), CalendarDay.day >= date(years[0], 1, 1),
        CalendarDay.day <= date(years[-1], 12, 31)))}
    return [year for year in years if year not in entered]


def missing_year_warning(years: list[int]) -> tuple[str, str] | None:
    """The warning for `missing_years`, (Chinese, English); None when nothing is missing."""
    if not years:
        return None
    listed = "、".join(str(y) for y in years)
    listed_en = ", ".join(str(y) for y in years)
    return (f"{listed}年的法定节假日和调休尚未录入：这些年份的期限暂按周末计算。"
            f"请管理员在“时限与日历”页面录入（或用 jianyi calendar set）。",
            f"The public holidays and adjusted working days of {listed_en} have not been entered: "
            f"deadlines in those years count weekends only. An administrator should enter them "
            f"on the Time limits and calendar page (or with jianyi calendar set).")
