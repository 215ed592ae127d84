"""The missing-calendar-year warning: a banner for the commission and administrators, and a line
in the CLI output, until the holidays of every year deadlines reach are entered."""
from __future__ import annotations

from datetime import date, datetime, timezone

from click.testing import CliRunner
from sqlalchemy import select, update

from models import Assignment, CalendarDay
from webui.cli import main
from workflows.calendar import known_to_package
from workflows.users import create_user

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
FAR = 2031  # a year the calendar package (1.11: up to 2026) does not know


def _due_in_far_year(db, domain_engine, org):
    """A case whose reply deadline falls in FAR (an extension granted long ahead, say)."""
    assert not known_to_package(FAR)
    cases = Cases(db, domain_engine, org)
    sid, _case = cases.new(SOLE)
    with db.write() as s:
        s.execute(update(Assignment).where(Assignment.suggestion_id == sid).values(
            reply_due=datetime(FAR, 2, 3, 1, 0, tzinfo=timezone.utc)))
    return sid


def _enter_holidays(db, years):
    with db.write() as s:
        for year in years:
            s.merge(CalendarDay(day=date(year, 1, 1), is_workday=False, note="元旦"))


def test_the_banner_shows_to_commission_and_admins_until_the_holidays_are_entered(
        login_as, db, domain_engine, org, clock):
    with db.write() as s:
        create_user(s, "admin1", "管理员", "admin", "pw")
    for user in ("commission", "admin1", "transport_unit_handler", "dep_1", "leader"):
        assert 'id="calendar-warning"' not in login_as(user).get("/inbox").get_data(as_text=True)
    _due_in_far_year(db, domain_engine, org)
    for user in ("commission", "admin1"):
        html = login_as(user).get("/inbox").get_data(as_text=True)
        assert 'id="calendar-warning"' in html and f"{FAR}" in html and "尚未录入" in html
    for user in ("transport_unit_handler", "dep_1", "leader", "transport_signer"):
        assert 'id="calendar-warning"' not in login_as(user).get("/inbox").get_data(as_text=True)
    english = login_as("commission")
    english.get("/lang/en")
    assert "have not been entered" in english.get("/inbox").get_data(as_text=True)
    _enter_holidays(db, range(clock().year, FAR + 1))
    assert 'id="calendar-warning"' not in login_as("commission").get("/inbox").get_data(
        as_text=True)


def test_the_cli_prints_the_warning_until_the_holidays_are_entered(db, domain_engine, org):
    _due_in_far_year(db, domain_engine, org)
    runner = CliRunner()
    env = {"DATABASE_URL": db.url.render_as_string(hide_password=False)}
    checked = runner.invoke(main, ["check"], env=env)
    assert "警告" in checked.output and f"{FAR}年" in checked.output
    shown = runner.invoke(main, ["calendar", "show"], env={**env, "JIANYI_LANG": "en"})
    assert shown.exit_code == 0 and "have not been entered" in shown.output
    assert f"{FAR}" in shown.output
    entered = runner.invoke(main, ["calendar", "set", f"{FAR}-01-01", "--holiday"], env=env)
    assert entered.exit_code == 0 and f"{FAR}-01-01 is now a holiday" in entered.output
    assert f"{FAR}" not in entered.output.split("holiday", 1)[1]  # no longer missing
    with db.session() as s:
        assert s.scalars(select(CalendarDay.day)).all() == [date(FAR, 1, 1)]
