"""Key suggestions' progress reports (重点处理建议进展报告): the lead unit reports to the supervising
leader for the mid-year supervision meeting (督办推进会) and in November, while it handles the case."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from models import AuditEvent, Notification, ProgressReport, User
from workflows import settings

from .test_process import SOLE, assignment, cases, rows  # noqa: F401 (cases is a fixture)

KEY = {**SOLE, "key_suggestion": True, "supervising_leader": "leader"}
# 2026 defaults: due 30 June / 30 November, 18:00 China time; the task opens 10 days before.
MIDYEAR_OPEN = datetime(2026, 6, 20, 10, 0, tzinfo=timezone.utc)
MIDYEAR_DUE = datetime(2026, 6, 30, 10, 0, tzinfo=timezone.utc)
NOVEMBER_OPEN = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
NOVEMBER_DUE = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
REPORTS = {"midyear_report", "november_report"}


def _at(cases, clock, moment):
    clock.now = moment + timedelta(minutes=1)  # a timer fires once its moment has passed
    cases.fire()


def _reports_open(cases, case):
    return REPORTS & set(cases.tasks(case))


def test_a_key_suggestion_reports_at_mid_year_and_in_november(cases, clock):
    sid, case = cases.new(KEY)
    cases.drive(case, stop_at={"draft_reply"})  # no report holds up the reply
    assert set(cases.tasks(case)) == {"draft_reply"}

    _at(cases, clock, MIDYEAR_OPEN - timedelta(minutes=2))
    assert _reports_open(cases, case) == set()
    _at(cases, clock, MIDYEAR_OPEN)
    [task] = cases.tasks(case)["midyear_report"]
    assert (task.candidate_role, task.candidate_unit) == ("unit_handler", "transport")
    assert task.due_at == MIDYEAR_DUE
    cases.complete("transport_unit_handler", case, "midyear_report", {"progress": "方案已报审"})
    [report] = rows(cases, ProgressReport)
    assert (report.period, report.report, report.reported_by) == \
        ("midyear", "方案已报审", "transport_unit_handler")
    assert report.assignment_id == assignment(cases, sid, "transport").id

    # the supervising leader is told, and the notice is audited
    notices = rows(cases, Notification, Notification.kind == "progress_report")
    assert [(n.username, n.link) for n in notices] == [("leader", f"/cases/{sid}")]
    [sent] = rows(cases, AuditEvent, AuditEvent.action == "progress_report_sent")
    assert sent.instance_id == case and sent.actor == "transport_unit_handler"
    assert sent.detail["to"] == ["leader"] and sent.detail["period"] == "midyear"

    _at(cases, clock, NOVEMBER_OPEN - timedelta(minutes=2))
    assert _reports_open(cases, case) == set()
    _at(cases, clock, NOVEMBER_OPEN)
    [task] = cases.tasks(case)["november_report"]
    assert task.due_at == NOVEMBER_DUE
    cases.complete("transport_unit_handler", case, "november_report", {"progress": "已开工"})
    assert [r.period for r in rows(cases, ProgressReport)] == ["midyear", "november"]
    assert len(rows(cases, Notification, Notification.kind == "progress_report")) == 2
    assert cases.fire() == 0 and _reports_open(cases, case) == set()  # each report once


def test_an_ordinary_suggestion_reports_nothing(cases, clock):
    _sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    for moment in (MIDYEAR_OPEN, NOVEMBER_OPEN):
        _at(cases, clock, moment)
        assert _reports_open(cases, case) == set()
    assert rows(cases, ProgressReport) == []


def test_a_case_assigned_after_mid_year_owes_only_the_november_report(cases, clock):
    clock.now = datetime(2026, 7, 6, 1, 0, tzinfo=timezone.utc)
    _sid, case = cases.new(KEY)
    cases.drive(case, stop_at={"draft_reply", *REPORTS})
    cases.fire()
    assert _reports_open(cases, case) == set()
    _at(cases, clock, NOVEMBER_OPEN)
    assert _reports_open(cases, case) == {"november_report"}


def test_a_case_assigned_in_the_notice_days_still_reports(cases, clock):
    clock.now = MIDYEAR_OPEN + timedelta(days=3)  # before the date: the report is due
    _sid, case = cases.new(KEY)
    cases.drive(case, stop_at={"draft_reply", *REPORTS})
    cases.fire()
    assert _reports_open(cases, case) == {"midyear_report"}


def test_no_report_is_due_once_the_reply_is_signed(cases, clock):
    _sid, case = cases.new(KEY)
    assert cases.drive(case) == set()  # replied, rated and closed before mid-year
    for moment in (MIDYEAR_OPEN, NOVEMBER_OPEN):
        _at(cases, clock, moment)
        assert _reports_open(cases, case) == set()


def test_a_leader_no_longer_active_is_replaced_by_the_provincial_leaders(cases, clock, db):
    _sid, case = cases.new(KEY)
    cases.drive(case, stop_at={"draft_reply"})
    with db.write() as session:
        session.scalar(select(User).where(User.username == "leader")).active = False
    _at(cases, clock, MIDYEAR_OPEN)
    cases.complete("transport_unit_handler", case, "midyear_report", {"progress": "推进中"})
    notices = rows(cases, Notification, Notification.kind == "progress_report")
    assert [n.username for n in notices] == ["leader2"]


def test_the_report_dates_are_settings(cases, clock, db):
    with db.write() as session:
        settings.set_value(session, "midyear_report_date", 715)
    _sid, case = cases.new(KEY)
    cases.drive(case, stop_at={"draft_reply"})
    _at(cases, clock, MIDYEAR_OPEN)
    assert _reports_open(cases, case) == set()
    _at(cases, clock, datetime(2026, 7, 5, 10, 0, tzinfo=timezone.utc))  # 15 July − 10 days
    [task] = cases.tasks(case)["midyear_report"]
    assert task.due_at == datetime(2026, 7, 15, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [1345, 231, 229, 1300, 100, 1232])
def test_a_report_date_must_be_a_day_of_every_year(db, value):
    with pytest.raises(ValueError), db.write() as session:
        settings.set_value(session, "november_report_date", value)
    with db.session() as session:
        assert settings.get(session, "november_report_date") == 1130
