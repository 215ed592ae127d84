"""Which years the missing-calendar-year warning names (workflows.calendar.missing_years)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from models import CalendarDay
from workflows.calendar import missing_year_warning, missing_years

from .helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_a_deadline_in_an_unknown_year_is_named_until_a_holiday_of_it_is_entered(
        db, domain_engine, org, clock):
    cases = Cases(db, domain_engine, org)
    with db.session() as s:
        assert missing_years(s, clock()) == []  # 2026: the package knows it, nothing pending
    clock.now = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    cases.new(SOLE)  # replies due in February 2027
    with db.session() as s:
        assert missing_years(s, clock()) == [2027]
        zh, en = missing_year_warning([2027])
    assert "2027年" in zh and "尚未录入" in zh and "2027" in en
    with db.write() as s:
        s.add(CalendarDay(day=date(2027, 2, 10), is_workday=True, note="调休"))
    with db.session() as s:  # an adjusted working day alone is not the year's holidays
        assert missing_years(s, clock()) == [2027]
    with db.write() as s:
        s.add(CalendarDay(day=date(2027, 1, 1), is_workday=False, note="元旦"))
    with db.session() as s:
        assert missing_years(s, clock()) == []
    assert missing_year_warning([]) is None
