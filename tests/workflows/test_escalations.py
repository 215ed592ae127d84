"""Escalations end when their cause ends (workflows.escalations), with who and when, audited;
`open_escalation_problems` finds those left open and overdue assignments without one."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Escalation
from workflows import simulate
from workflows.errors import FormError
from workflows.escalation_problems import open_escalation_problems

from .test_process import DISSATISFIED, SOLE, assignment, cases  # noqa: F401 (fixture)

LEAD_CO = {"mode": "lead_co", "lead_unit": "transport", "co_units": ["finance"],
           "key_suggestion": False}


def escalations(cases):
    return cases.read(lambda s: s.scalars(select(Escalation).order_by(Escalation.id)).all())


def problems(cases, clock):
    return cases.read(lambda s: open_escalation_problems(s, clock()))


def resolutions(cases):
    return cases.read(lambda s: s.scalars(select(AuditEvent).where(
        AuditEvent.action == "escalation_resolved").order_by(AuditEvent.id)).all())


def test_reminder_overdue_and_long_overdue_end_when_the_reply_is_issued(cases, clock):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    lead = assignment(cases, sid, "transport")
    clock.now = lead.reply_due + timedelta(days=25)  # past every deadline timer
    cases.fire()
    raised = escalations(cases)
    assert {e.level for e in raised} == {"reminder", "supervision", "high_level"}
    assert all(e.resolved_at is None and e.detail["cause"] == "deadline" for e in raised)
    assert problems(cases, clock) == []
    cases.drive(case, stop_at={"feedback"})  # drafted, reviewed, signed, issued
    ended = escalations(cases)
    assert all(e.resolved_at == clock() for e in ended)
    assert {e.resolved_by for e in ended} == {"transport_signer"}  # whose step issued it
    assert {e.detail["ended"] for e in ended} == {"reply_issued"}
    audit = resolutions(cases)
    assert sorted(a.detail["escalation_id"] for a in audit) == [e.id for e in ended]
    assert all(a.instance_id == case and a.actor == "transport_signer" for a in audit)
    assert problems(cases, clock) == []


ASK_EXTENSION = {**simulate.ANSWERS["draft_reply"], "action": "request_extension",
                 "extension_reason": "需跨年度安排资金"}


def test_an_extension_approved_in_time_ends_the_reminder_and_its_new_deadline_is_watched(
        cases, clock):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    lead = assignment(cases, sid, "transport")
    clock.now = lead.reply_due - timedelta(days=5)  # reminded, not yet overdue
    cases.fire()
    [reminder] = escalations(cases)
    assert reminder.level == "reminder"
    cases.complete("transport_unit_handler", case, "draft_reply", ASK_EXTENSION)
    cases.complete("commission", case, "approve_extension", {"extension_decision": "refuse"})
    assert all(e.resolved_at is None for e in escalations(cases))
    cases.complete("transport_unit_handler", case, "draft_reply", ASK_EXTENSION)
    cases.complete("commission", case, "approve_extension", {"extension_decision": "approve"})
    [reminder] = escalations(cases)
    assert (reminder.resolved_by, reminder.detail["ended"]) == ("commission",
                                                                 "extension_approved")
    assert problems(cases, clock) == []
    moved = assignment(cases, sid, "transport").reply_due
    assert moved > lead.reply_due
    clock.now = moved + timedelta(hours=1)  # the moved deadline has its overdue timer (the
    cases.fire()                             # reminder, already sent once, is not sent again)
    assert [e.level for e in escalations(cases) if e.resolved_at is None] == ["supervision"]
    assert problems(cases, clock) == []


def test_an_extension_is_not_approved_once_the_deadline_has_passed(cases, clock):
    """The reply's timers fire once: a deadline moved after they fired would pass unwatched,
    so past the deadline the unit owes its reply and the commission can only refuse."""
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    lead = assignment(cases, sid, "transport")
    clock.now = lead.reply_due + timedelta(days=2)
    cases.fire()
    with pytest.raises(FormError) as late:  # asked for too late: refused at once
        cases.complete("transport_unit_handler", case, "draft_reply", ASK_EXTENSION)
    assert "不能再申请延期" in late.value.errors["action"]
    assert "draft_reply" in cases.tasks(case)
    clock.now = lead.reply_due - timedelta(hours=1)  # asked for in time, decided too late
    cases.complete("transport_unit_handler", case, "draft_reply", ASK_EXTENSION)
    clock.now = lead.reply_due + timedelta(days=2)
    with pytest.raises(FormError) as refused:
        cases.complete("commission", case, "approve_extension", {"extension_decision": "approve"})
    assert "不能再批准延期" in refused.value.errors["extension_decision"]
    assert assignment(cases, sid, "transport").reply_due == lead.reply_due
    assert "approve_extension" in cases.tasks(case)
    cases.complete("commission", case, "approve_extension", {"extension_decision": "refuse"})
    assert {e.level for e in escalations(cases) if e.resolved_at is None} == {"reminder",
                                                                               "supervision"}
    assert problems(cases, clock) == []


def test_a_requested_coordination_ends_when_the_leader_records_it(cases, clock):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    cases.complete("transport_unit_handler", case, "draft_reply", {
        **simulate.ANSWERS["draft_reply"], "action": "request_coordination",
        "coordination_reason": "涉及多部门"})
    [open_] = escalations(cases)
    assert open_.detail["cause"] == "coordination" and open_.resolved_at is None
    assert problems(cases, clock) == []
    cases.complete("leader", case, "coordinate_requested", {"coordination_note": "已召开协调会"})
    [done] = escalations(cases)
    assert (done.resolved_by, done.detail["ended"]) == ("leader", "coordination_recorded")


def test_a_late_co_opinion_ends_its_escalation(cases, clock):
    sid, case = cases.new(LEAD_CO)
    cases.drive(case, stop_at={"co_opinion", "draft_reply"})
    finance = assignment(cases, sid, "finance")
    clock.now = finance.reply_due + timedelta(hours=1)
    cases.fire()
    # the co-opinion's reminder and its overdue escalation (issue 14 item 2)
    late = [e for e in escalations(cases) if e.assignment_id == finance.id]
    assert sorted(e.level for e in late) == ["reminder", "supervision"]
    assert all(e.detail["cause"] == "co_opinion" and e.resolved_at is None for e in late)
    cases.complete("finance_unit_handler", case, "co_opinion", simulate.ANSWERS["co_opinion"])
    late = [e for e in escalations(cases) if e.assignment_id == finance.id]
    assert {(e.resolved_by, e.detail["ended"]) for e in late} == {("finance_unit_handler",
                                                                   "co_opinion_recorded")}


def test_re_handling_overdue_ends_with_the_second_reply_and_twice_dissatisfied_with_the_meeting(
        cases, clock):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"feedback"})
    cases.complete("dep_1", case, "feedback", DISSATISFIED)
    clock.now = assignment(cases, sid, "transport").reply_due + timedelta(hours=1)
    cases.fire()
    late = escalations(cases)  # the re-handling's reminder and its overdue escalation
    assert sorted(e.level for e in late) == ["reminder", "supervision"]
    assert all(e.detail["cause"] == "deadline" and e.resolved_at is None for e in late)
    cases.drive(case, stop_at={"feedback_again"})
    late = escalations(cases)
    assert all(e.detail["ended"] == "reply_issued" and e.resolved_at == clock() for e in late)
    cases.complete("dep_1", case, "feedback_again", DISSATISFIED)
    meeting = [e for e in escalations(cases) if e.id not in {e.id for e in late}]
    assert [e.detail["cause"] for e in meeting] == ["dissatisfied"]
    assert meeting[0].resolved_at is None and problems(cases, clock) == []
    cases.complete("commission", case, "supervise_meeting", {"supervision_note": "已组织面商"})
    [held] = [e for e in escalations(cases) if e.id not in {e.id for e in late}]
    assert (held.resolved_by, held.detail["ended"]) == ("commission", "meeting_held")


def test_the_case_closing_ends_whatever_is_left(cases, clock, db):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"feedback"})
    lead = assignment(cases, sid, "transport")
    with db.write() as s:  # an escalation nothing else ends (raised before causes were kept)
        s.add(Escalation(suggestion_id=sid, assignment_id=lead.id, level="supervision",
                         reason="人工督办", raised_by="commission", raised_at=clock(),
                         detail={"cause": "coordination"}))
    assert cases.drive(case) == set()
    [left] = escalations(cases)
    assert left.resolved_at == clock() and left.detail["ended"] in ("assignment_closed",
                                                                    "case_closed")
    assert problems(cases, clock) == []


def test_problems_name_overdue_assignments_without_an_escalation_and_ended_causes_left_open(
        cases, clock, db):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    lead = assignment(cases, sid, "transport")
    clock.now = lead.reply_due + timedelta(hours=1)  # overdue, its timer not fired yet
    [missing] = problems(cases, clock)
    assert f"assignment {lead.id}" in missing and "without an open escalation" in missing
    cases.fire()
    assert problems(cases, clock) == []
    with db.write() as s:  # an escalation left open although the reply went out after it
        s.add(Escalation(suggestion_id=sid, assignment_id=lead.id, level="supervision",
                         reason="逾期未答复", raised_by="scheduler",
                         raised_at=clock() - timedelta(days=1), detail={"cause": "deadline"}))
    cases.drive(case, stop_at={"feedback"})
    with db.write() as s:
        stale = s.scalars(select(Escalation).where(Escalation.reason == "逾期未答复")).all()
        for e in stale:
            e.resolved_at = None
    found = problems(cases, clock)
    assert found and all("although the reply was issued" in p for p in found)
