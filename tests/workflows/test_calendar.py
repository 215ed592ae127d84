"""Working days on the official Chinese calendar, administrator overrides, and years without data.

Expected dates are worked out by hand from the 2026 schedule in chinese-calendar 1.11.0:
  Mid-Autumn Festival  Fri 25 Sep – Sun 27 Sep off
  National Day         Thu 1 Oct – Wed 7 Oct off
  adjusted working days (调休): Sun 20 Sep and Sat 10 Oct
  31 Dec 2026 (Thu) is a working day; the package has no data for 2027.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from models import CalendarDay
from workflows.calendar import WorkCalendar, add_months

CST = ZoneInfo("Asia/Shanghai")


def cst(year, month, day, hour=9, minute=0):
    """A moment in China Standard Time, as the commission would read it."""
    return datetime(year, month, day, hour, minute, tzinfo=CST)


def calendar_with(db, *rows):
    """A WorkCalendar over a database holding the given override rows."""
    with db.write() as session:
        session.add_all(CalendarDay(day=day, is_workday=work, note=note) for day, work, note in rows)
    with db.session() as session:
        return WorkCalendar(session)


def test_the_2026_package_schedule_is_used(db):
    cal = calendar_with(db)
    assert cal.is_workday(date(2026, 9, 24))          # ordinary Thursday
    assert not cal.is_workday(date(2026, 9, 25))      # Mid-Autumn Festival, a Friday
    assert cal.is_workday(date(2026, 9, 20))          # Sunday, adjusted working day
    assert not cal.is_workday(date(2026, 10, 1))      # National Day
    assert cal.is_workday(date(2026, 10, 10))         # Saturday, adjusted working day
    assert not cal.is_workday(date(2026, 10, 11))     # ordinary Sunday
    assert cal.warnings == [] and cal.missing_years == set()


def test_ten_workdays_across_national_day(db):
    cal = calendar_with(db)
    # Assigned Fri 25 Sep (itself a holiday); counting starts the next day:
    #   26–27 Sep weekend/holiday; Mon 28 (1) Tue 29 (2) Wed 30 (3);
    #   1–7 Oct National Day; Thu 8 (4) Fri 9 (5) Sat 10 adjusted working day (6);
    #   Sun 11 off; Mon 12 (7) Tue 13 (8) Wed 14 (9) Thu 15 (10).
    deadline = cal.add_workdays(cst(2026, 9, 25, 9, 30), 10)
    assert deadline == cst(2026, 10, 15, 9, 30)
    assert deadline.tzinfo == timezone.utc
    assert cal.warnings == []


def test_adjusted_working_sunday_counts(db):
    cal = calendar_with(db)
    # Fri 18 Sep + 1: Sat 19 off, Sun 20 is an adjusted working day (1).
    assert cal.add_workdays(cst(2026, 9, 18), 1) == cst(2026, 9, 20)
    # Fri 18 Sep + 5: Sun 20 (1) Mon 21 (2) Tue 22 (3) Wed 23 (4) Thu 24 (5).
    assert cal.add_workdays(cst(2026, 9, 18), 5) == cst(2026, 9, 24)


def test_the_date_is_decided_in_china_time(db):
    cal = calendar_with(db)
    # Thu 15 Oct 20:00 UTC is already Fri 16 Oct 04:00 in Beijing: the next working day is
    # Mon 19 Oct, not Fri 16 Oct as a UTC date would give.
    start = datetime(2026, 10, 15, 20, 0, tzinfo=timezone.utc)
    assert cal.add_workdays(start, 1) == cst(2026, 10, 19, 4, 0)


def test_zero_workdays_is_the_start_itself(db):
    cal = calendar_with(db)
    start = cst(2026, 10, 3, 14, 0)
    assert cal.add_workdays(start, 0) == start
    assert cal.add_workdays(start, 0).tzinfo == timezone.utc


def test_administrator_overrides_change_the_result(db):
    start = cst(2026, 10, 9)  # a Friday
    # Package only: Sat 10 (1); Sun 11 off; Mon 12 (2) … Fri 16 (6).
    assert calendar_with(db).add_workdays(start, 6) == cst(2026, 10, 16)
    # The administrator cancels the package's adjusted Saturday 10 Oct and makes Sat 17 Oct a
    # working day instead: Mon 12 (1) … Fri 16 (5), Sat 17 (6).
    cal = calendar_with(db, (date(2026, 10, 10), False, "调休取消"),
                        (date(2026, 10, 17), True, "调休上班"))
    assert not cal.is_workday(date(2026, 10, 10))
    assert cal.is_workday(date(2026, 10, 17))
    assert cal.add_workdays(start, 6) == cst(2026, 10, 17)


def test_a_december_deadline_lands_in_2027_counting_weekends_only(db):
    cal = calendar_with(db)
    # Mon 28 Dec 2026 + 10: Tue 29 (1) Wed 30 (2) Thu 31 (3); 2027 unknown to the package, so
    # weekends only: Fri 1 Jan (4); 2–3 weekend; Mon 4 (5) … Fri 8 (9); 9–10 weekend; Mon 11 (10).
    assert cal.add_workdays(cst(2026, 12, 28), 10) == cst(2027, 1, 11)
    assert cal.missing_years == {2027}
    assert cal.warnings == ["no holiday data for 2027: counting weekends only"]
    assert "2027" in cal.warnings[0]


def test_an_override_row_in_2027_is_honoured(db):
    cal = calendar_with(db, (date(2027, 1, 1), False, "元旦"))
    # As above, but New Year's Day is off: Mon 4 (4) … Fri 8 (8); Mon 11 (9) Tue 12 (10).
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.add_workdays(cst(2026, 12, 28), 10) == cst(2027, 1, 12)
    # The other 2027 days still had no data.
    assert cal.missing_years == {2027}


def test_reply_deadline_three_months_from_december(db):
    cal = calendar_with(db)
    deadline = cal.add_months(cst(2026, 12, 16, 10), 3)
    assert deadline == cst(2027, 3, 16, 10)
    assert deadline.tzinfo == timezone.utc
    # Overdue counting in 2027 works too (weekends only): Wed 17 … Tue 23 Mar is 5 working days.
    assert cal.workdays_between(deadline, cst(2027, 3, 23, 11)) == 5
    assert cal.missing_years == {2027}


@pytest.mark.parametrize("start, months, expected", [
    (cst(2026, 1, 31), 1, cst(2026, 2, 28)),        # clipped to the end of February
    (cst(2028, 1, 31), 1, cst(2028, 2, 29)),        # leap year
    (cst(2026, 3, 31), 3, cst(2026, 6, 30)),
    (cst(2026, 8, 31), 6, cst(2027, 2, 28)),        # across the year
    (cst(2026, 11, 15), 1, cst(2026, 12, 15)),
    (cst(2026, 5, 10), 0, cst(2026, 5, 10)),
])
def test_add_months(start, months, expected):
    result = add_months(start, months)
    assert result == expected
    assert result.tzinfo == timezone.utc


def test_add_months_uses_the_china_date():
    # 28 Feb 20:00 UTC is 1 Mar 04:00 in Beijing, so one month later is 1 April (counting on
    # the UTC date would give 28 Mar 20:00 UTC, i.e. 29 Mar in Beijing).
    start = datetime(2026, 2, 28, 20, 0, tzinfo=timezone.utc)
    assert add_months(start, 1) == cst(2026, 4, 1, 4, 0)


def test_workdays_between(db):
    cal = calendar_with(db)
    start = cst(2026, 9, 25, 9)
    assert cal.workdays_between(start, cst(2026, 10, 15, 9)) == 10
    assert cal.workdays_between(start, cst(2026, 10, 15, 18)) == 10
    assert cal.workdays_between(start, cst(2026, 10, 16, 8)) == 11
    assert cal.workdays_between(start, cst(2026, 10, 7, 23)) == 3    # holidays do not count
    assert cal.workdays_between(start, cst(2026, 9, 25, 17)) == 0    # same day
    assert cal.workdays_between(start, start) == 0
    assert cal.workdays_between(start, cst(2026, 9, 1)) == 0         # end before start
    # Overdue: deadline Thu 15 Oct 09:00, now Fri 16 Oct 10:00 → 1 working day overdue.
    assert cal.workdays_between(cst(2026, 10, 15, 9), cst(2026, 10, 16, 10)) == 1


@pytest.mark.parametrize("n", [1, 3, 10, 15, 60])
def test_workdays_between_undoes_add_workdays(db, n):
    cal = calendar_with(db)
    start = cst(2026, 9, 18, 15)
    assert cal.workdays_between(start, cal.add_workdays(start, n)) == n


def test_naive_datetimes_and_negative_counts_are_refused(db):
    cal = calendar_with(db)
    with pytest.raises(ValueError, match="naive"):
        cal.add_workdays(datetime(2026, 10, 9, 9), 1)
    with pytest.raises(ValueError, match="naive"):
        add_months(datetime(2026, 10, 9, 9), 1)
    with pytest.raises(ValueError, match="negative"):
        cal.add_workdays(cst(2026, 10, 9), -1)


def test_a_day_asked_twice_gives_the_same_answer_and_keeps_its_year_named(db):
    """The package is asked once per day (kept by the calendar); the second answer, and the
    missing-year warning, are the same as the first."""
    cal = calendar_with(db)
    first = [cal.is_workday(date(2027, 1, d)) for d in range(1, 11)]
    again = [cal.is_workday(date(2027, 1, d)) for d in range(1, 11)]
    assert first == again == [True, False, False, True, True, True, True, True, False, False]
    assert cal.missing_years == {2027}
    assert cal.add_workdays(cst(2026, 12, 28), 10) == cst(2027, 1, 11)  # as before, kept days
