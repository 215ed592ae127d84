"""Time limits and the calendar in the web (时限与日历): the administrator changes a limit or enters
holidays, audited, and the next deadline counted uses them; bad input is kept and explained;
the CLI goes through the same functions."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from models import Assignment, AuditEvent, CalendarDay, Setting
from webui.cli import main
from workflows import settings
from workflows.users import create_user

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
FAR = 2031  # a year the calendar package does not know


@pytest.fixture
def admin(db, login_as):
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
    return login_as("admin")


def form(**changes) -> dict[str, str]:
    values = {k: str(v) for k, v in settings.DEFAULTS.items()}
    values.update(changes)
    return values


def value_of(html: str, key: str) -> str:
    return re.search(rf'id="limit-{key}"[^>]*value="([^"]*)"', html).group(1)


def audit(db, action):
    with db.session() as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def assignment(db, sid) -> Assignment:
    with db.session() as s:
        return s.scalars(select(Assignment).where(Assignment.suggestion_id == sid)).one()


def test_a_changed_limit_is_audited_and_used_by_the_next_deadline(admin, db, domain_engine, org):
    html = admin.get("/admin/settings").get_data(as_text=True)
    assert value_of(html, "reply_months") == "3" and "答复期限" in html
    response = admin.post("/admin/settings/limits", form(reply_months="4"))
    assert response.status_code == 302
    assert "已保存 1 项时限" in admin.get("/admin/settings").get_data(as_text=True)
    [event] = audit(db, "settings_changed")
    assert event.actor == "admin" and event.detail == {"reply_months": {"from": 3, "to": 4}}
    sid, _case = Cases(db, domain_engine, org).new(SOLE)
    row = assignment(db, sid)
    assert (row.reply_due.month - row.assigned_at.month) % 12 == 4
    assert admin.post("/admin/settings/limits", form(reply_months="4")).status_code == 302
    assert len(audit(db, "settings_changed")) == 1  # saving without a change records nothing


@pytest.mark.parametrize("key, typed, why", [
    ("reply_months", "abc", "请输入正整数"), ("reply_months", "１２", "请输入正整数"),
    ("reply_months", "-1", "请输入正整数"), ("reply_months", "", "请输入正整数"),
    ("reply_months", "1e3", "请输入正整数"), ("reply_months", "0", "须为正整数"),
    ("reply_months", "13", "须在 1 到 12 之间"),
    ("long_overdue_workdays", "999999999999999", "须在 1 到 120 之间"),
    ("midyear_report_date", "229", "月日四位数"), ("midyear_report_date", "1345", "月日四位数"),
    ("extended_reply_months", "2", "不能短于答复期限"),
])
def test_bad_limits_are_kept_explained_and_nothing_is_stored(admin, db, key, typed, why):
    response = admin.post("/admin/settings/limits", form(**{key: typed, "rehandle_months": "2"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and why in html
    assert f'id="error-{key}"' in html and value_of(html, key) == typed.replace("&", "&amp;")
    assert value_of(html, "rehandle_months") == "2"  # the other fields as typed, too
    with db.session() as s:
        assert s.scalars(select(Setting)).all() == []
    assert audit(db, "settings_changed") == []


def test_hostile_limit_parameters(admin, db):
    long = admin.post("/admin/settings/limits", form(reply_months="4" * 10_000))
    assert long.status_code == 400 and len(value_of(long.get_data(as_text=True),
                                                    "reply_months")) == 16
    missing = admin.post("/admin/settings/limits", {"reply_months": "4"})
    assert missing.status_code == 400
    extra = admin.post("/admin/settings/limits", form(reply_weeks="2", reply_months="5"))
    assert extra.status_code == 302  # a key that is no setting is not read
    with db.session() as s:
        assert {r.key: r.value for r in s.scalars(select(Setting))} == {"reply_months": 5}


def test_entered_holidays_are_audited_and_move_the_next_deadline(admin, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    before = assignment(db, cases.new(SOLE)[0]).ack_due
    response = admin.post("/admin/settings/days", {"first": "2026-03-03", "last": "2026-03-04",
                                                   "kind": "holiday", "note": "测试假日"})
    assert response.status_code == 302
    html = admin.get("/admin/settings").get_data(as_text=True)
    assert "已录入 2 天" in html and 'data-day="2026-03-04"' in html and "测试假日" in html
    [event] = audit(db, "calendar_days_set")
    assert event.detail == {"first": "2026-03-03", "last": "2026-03-04", "workday": False,
                            "note": "测试假日"}
    after = assignment(db, cases.new(SOLE, title="关于第二件事的建议")[0]).ack_due
    assert (after - before).days == 2
    assert admin.post("/admin/settings/days/remove", {"day": "2026-03-03"}).status_code == 302
    assert [e.detail["day"] for e in audit(db, "calendar_day_removed")] == ["2026-03-03"]
    with db.session() as s:
        assert s.scalars(select(CalendarDay.day)).all() == [date(2026, 3, 4)]


@pytest.mark.parametrize("typed, field, why", [
    ({"first": "2027-02-30"}, "first", "YYYY-MM-DD"), ({"first": "2027-1-1"}, "first", "YYYY"),
    ({"first": "99999-01-01"}, "first", "YYYY"), ({"first": "1999-12-31"}, "first", "YYYY"),
    ({"first": ""}, "first", "YYYY"),
    ({"first": "2027-02-10", "last": "2027-02-01"}, "last", "不能早于开始日期"),
    ({"first": "2027-01-01", "last": "2027-03-01"}, "last", "一次最多录入 31 天"),
    ({"first": "2027-01-01", "kind": "weekend"}, "kind", "请选择节假日或调休工作日"),
    ({"first": "2027-01-01", "note": "元旦\x00"}, "note", "U+0000"),
    ({"first": "2027-01-01", "note": "长" * 200}, "note", "128"),
])
def test_bad_days_are_kept_explained_and_nothing_is_entered(admin, db, typed, field, why):
    data = {"first": "", "last": "", "kind": "holiday", "note": "元旦", **typed}
    response = admin.post("/admin/settings/days", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and f'id="day-error-{field}"' in html and why in html
    if field != "last":  # an empty last day means one day, never an error of its own
        assert 'id="day-error-last"' not in html
    shown = data["first"] if len(data["first"]) <= 16 else data["first"][:16]
    assert f'id="day-first" name="first" placeholder="YYYY-MM-DD" maxlength="16" value="{shown}"' \
        in html
    with db.session() as s:
        assert s.scalars(select(CalendarDay)).all() == []
    assert audit(db, "calendar_days_set") == []


@pytest.mark.parametrize("day", ["2027-01-01", "not-a-day", "", "2027-01-01' OR 1=1"])
def test_removing_a_day_not_entered_is_refused(admin, db, day):
    response = admin.post("/admin/settings/days/remove", {"day": day})
    assert response.status_code == 400 and 'id="day-error-day"' in response.get_data(as_text=True)
    assert audit(db, "calendar_day_removed") == []


def test_the_missing_year_warning_says_how_to_clear_it_and_goes(admin, db, domain_engine, org):
    sid, _case = Cases(db, domain_engine, org).new(SOLE)
    with db.write() as s:
        s.execute(update(Assignment).where(Assignment.suggestion_id == sid).values(
            reply_due=datetime(FAR, 2, 3, 1, 0, tzinfo=timezone.utc)))
    with db.write() as s:  # the years between are known
        for year in range(2027, FAR):
            s.merge(CalendarDay(day=date(year, 1, 1), is_workday=False, note="元旦"))
    html = admin.get("/admin/settings").get_data(as_text=True)
    assert 'id="missing-years"' in html and f"{FAR}年的法定节假日尚未录入" in html
    assert 'id="how-to-clear"' in html and 'id="calendar-warning"' in html
    admin.post("/admin/settings/days", {"first": f"{FAR}-01-01", "last": f"{FAR}-01-03",
                                        "kind": "holiday", "note": "元旦"})
    html = admin.get("/admin/settings").get_data(as_text=True)
    assert 'id="missing-years"' not in html and 'id="calendar-warning"' not in html
    assert 'id="no-missing-years"' in html


def test_the_cli_goes_through_the_same_checked_audited_functions(db):
    env = {"DATABASE_URL": db.url.render_as_string(hide_password=False), "USER": "ops"}
    runner = CliRunner()
    assert runner.invoke(main, ["settings", "set", "reply_months", "5"], env=env).exit_code == 0
    refused = runner.invoke(main, ["settings", "set", "reply_months", "50"], env=env)
    assert refused.exit_code == 1 and "须在 1 到 12 之间" in refused.output
    ranged = runner.invoke(main, ["calendar", "set", "2027-02-06", "--to", "2027-02-12",
                                  "--holiday", "--note", "春节"], env=env)
    assert ranged.exit_code == 0 and "2027-02-06..2027-02-12 is now a holiday" in ranged.output
    assert runner.invoke(main, ["calendar", "unset", "2027-02-12"], env=env).exit_code == 0
    assert runner.invoke(main, ["calendar", "unset", "2027-02-12"], env=env).exit_code == 1
    with db.session() as s:
        assert len(s.scalars(select(CalendarDay)).all()) == 6
        assert s.get(Setting, "reply_months").value == 5
    assert [e.actor for e in audit(db, "settings_changed")] == ["ops"]
    assert [e.actor for e in audit(db, "calendar_days_set")] == ["ops"]
    assert [e.actor for e in audit(db, "calendar_day_removed")] == ["ops"]
