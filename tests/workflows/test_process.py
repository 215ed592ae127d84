"""Every path of the suggestion process, driven through `workflows` (no UI)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import (Assignment, AuditEvent, Consultation, CoOpinion, Escalation, Extension,
                    Feedback, FollowUp, ProcessInstance, ProgressReport, Reply, ReturnRequest,
                    Suggestion, Timer)
from engine import FormError
from workflows import simulate

from .helpers import Cases

LEAD_CO = {"mode": "lead_co", "lead_unit": "transport", "co_units": ["finance", "education"],
           "key_suggestion": False}
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
DISSATISFIED = {"satisfaction": "dissatisfied", "comment": "没有解决问题"}


@pytest.fixture
def cases(db, domain_engine, org):
    return Cases(db, domain_engine, org)


def rows(cases, model, *where):
    return cases.read(lambda s: s.scalars(select(model).where(*where)
                                          .order_by(model.id)).all())


def assignment(cases, sid, unit):
    [found] = cases.read(lambda s: s.scalars(select(Assignment).join(Assignment.unit).where(
        Assignment.suggestion_id == sid, Assignment.unit.has(code=unit),
        Assignment.status != "returned")).all())
    return found


def test_lead_and_co_handling_happy_path(cases):
    sid, case = cases.new(LEAD_CO)
    open_ = cases.tasks(case)
    assert set(open_) == {"acknowledge", "co_acknowledge"}  # co-units start at assignment
    assert open_["acknowledge"][0].candidate_unit == "transport"
    assert open_["acknowledge"][0].due_at == assignment(cases, sid, "transport").ack_due
    co = open_["co_acknowledge"]
    assert sorted(t.candidate_unit for t in co) == ["education", "finance"]
    assert "draft_reply" not in cases.tasks(case)  # the lead waits for both opinions
    assert cases.drive(case) == set()

    suggestion = cases.read(lambda s: s.get(Suggestion, sid))
    assert suggestion.status == "closed" and suggestion.mode == "lead_co"
    lead = assignment(cases, sid, "transport")
    assert lead.role == "lead" and lead.status == "closed"
    assert len(rows(cases, Consultation, Consultation.assignment_id == lead.id)) == 1
    opinions = rows(cases, CoOpinion)
    assert {o.assignment_id for o in opinions} == {assignment(cases, sid, u).id
                                                  for u in ("finance", "education")}
    [reply] = rows(cases, Reply)
    assert (reply.assignment_id, reply.round, reply.on_time) == (lead.id, 1, True)
    assert "省人民政府办公厅" in reply.copy_to
    ratings = {f.assignment_id: f.satisfaction for f in rows(cases, Feedback)}
    assert len(ratings) == 3  # the lead unit and each co-unit
    assert cases.read(lambda s: s.get(ProcessInstance, case).status) == "completed"


def test_separate_handling_with_three_units_replies_per_unit(cases):
    sid, case = cases.new({"mode": "separate", "units": ["transport", "finance", "education"],
                           "key_suggestion": False})
    acks = cases.tasks(case)["acknowledge"]
    assert sorted(t.candidate_unit for t in acks) == ["education", "finance", "transport"]
    assert cases.drive(case) == set()
    replies = rows(cases, Reply)
    assert len(replies) == 3 and len({r.assignment_id for r in replies}) == 3
    assert {a.role for a in cases.read(lambda s: s.get(Suggestion, sid).assignments)} == {"separate"}
    assert cases.read(lambda s: s.get(Suggestion, sid).status) == "closed"


def _request_return(cases, case):
    cases.complete("transport_unit_handler", case, "acknowledge", {
        "decision": "request_return", "return_reason": "属于水利职能", "suggested_unit": "water"})


def test_return_request_granted_moves_the_case_to_the_new_unit(cases):
    sid, case = cases.new(SOLE)
    _request_return(cases, case)
    assert set(cases.tasks(case)) == {"decide_return"}
    cases.complete("commission", case, "decide_return", {
        "return_decision": "reassign", "new_unit": "water", "ruling_note": "同意"})
    [ack] = cases.tasks(case)["acknowledge"]
    assert ack.candidate_unit == "water"
    [request] = rows(cases, ReturnRequest)
    assert request.status == "granted" and request.ruled_by == "commission"
    statuses = dict(cases.read(lambda s: [(a.unit.code, a.status)
                                          for a in s.get(Suggestion, sid).assignments]))
    assert statuses == {"transport": "returned", "water": "assigned"}
    assert cases.drive(case) == set()
    [reply] = rows(cases, Reply)
    assert reply.assignment_id == assignment(cases, sid, "water").id


def test_return_request_refused_keeps_the_unit(cases):
    sid, case = cases.new(SOLE)
    _request_return(cases, case)
    cases.complete("commission", case, "decide_return", {
        "return_decision": "refuse", "ruling_note": "职能相符"})
    assert set(cases.tasks(case)) == {"distribute"}
    assert cases.tasks(case)["distribute"][0].candidate_unit == "transport"
    assert rows(cases, ReturnRequest)[0].status == "refused"


def test_a_late_return_request_is_refused_without_a_ruling(cases, clock):
    sid, case = cases.new(SOLE)
    clock.advance(days=20)  # past 10 working days
    _request_return(cases, case)
    assert set(cases.tasks(case)) == {"distribute"}
    [request] = rows(cases, ReturnRequest)
    assert request.status == "refused_late" and request.ruled_by == "system"


def _co_return(cases, case, unit="finance"):
    cases.drive(case, stop_at={"co_acknowledge"})
    cases.complete(f"{unit}_unit_handler", case, "co_acknowledge", {
        "co_decision": "request_return", "co_return_reason": "不属于本单位职能",
        "co_suggested_unit": "water"}, unit=unit)


def test_a_co_unit_return_granted_hands_co_handling_to_the_new_unit(cases):
    sid, case = cases.new(LEAD_CO)
    _co_return(cases, case)
    [decide] = cases.tasks(case)["decide_co_return"]
    assert decide.candidate_role == "commission"
    assert decide.due_at == assignment(cases, sid, "finance").ack_due
    # the other co-unit goes on meanwhile
    assert [t.candidate_unit for t in cases.tasks(case)["co_acknowledge"]] == ["education"]
    cases.complete("commission", case, "decide_co_return", {
        "return_decision": "reassign", "new_unit": "water", "ruling_note": "同意改交水利厅"})
    assert sorted(t.candidate_unit for t in cases.tasks(case)["co_acknowledge"]) == [
        "education", "water"]
    [request] = rows(cases, ReturnRequest)
    assert (request.status, request.reason, request.ruled_by) == (
        "granted", "不属于本单位职能", "commission")
    water = assignment(cases, sid, "water")
    assert water.role == "co" and request.new_unit_id == water.unit_id
    statuses = dict(cases.read(lambda s: [(a.unit.code, a.status)
                                          for a in s.get(Suggestion, sid).assignments]))
    assert statuses["finance"] == "returned"
    assert cases.drive(case) == set()
    # the new co-unit's opinion reaches the lead unit and the deputy rates the co-units as they
    # stand: the returned unit is neither asked for an opinion nor rated
    opinions = {o.assignment_id for o in rows(cases, CoOpinion)}
    assert opinions == {assignment(cases, sid, u).id for u in ("education", "water")}
    rated = {f.assignment_id for f in rows(cases, Feedback)}
    assert rated == {assignment(cases, sid, u).id for u in ("transport", "education", "water")}


def test_a_co_unit_return_refused_or_late_keeps_the_co_unit(cases, clock):
    sid, case = cases.new(LEAD_CO)
    _co_return(cases, case)
    cases.complete("commission", case, "decide_co_return", {"return_decision": "refuse"})
    assert "decide_co_return" not in cases.tasks(case)
    assert rows(cases, ReturnRequest)[0].status == "refused"
    assert assignment(cases, sid, "finance").status == "acknowledged"
    [opinion] = cases.tasks(case)["co_opinion"]
    assert opinion.candidate_unit == "finance"

    sid, case = cases.new(LEAD_CO)
    clock.advance(days=20)  # past 10 working days
    _co_return(cases, case, unit="education")
    assert "decide_co_return" not in cases.tasks(case)
    late = rows(cases, ReturnRequest)[-1]
    assert late.status == "refused_late" and late.ruled_by == "system"
    assert "education" in {t.candidate_unit for t in cases.tasks(case)["co_opinion"]}


def test_a_co_unit_return_needs_a_reason(cases):
    sid, case = cases.new(LEAD_CO)
    cases.drive(case, stop_at={"co_acknowledge"})
    with pytest.raises(FormError) as refused:
        cases.complete("finance_unit_handler", case, "co_acknowledge",
                       {"co_decision": "request_return"}, unit="finance")
    assert "co_return_reason" in refused.value.errors
    assert rows(cases, ReturnRequest) == []


def test_review_and_sign_off_can_send_the_draft_back(cases):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"review"})
    cases.complete("transport_reviewer", case, "review",
                   {"review_decision": "send_back", "review_reason": "数据需核实"})
    assert set(cases.tasks(case)) == {"draft_reply"}
    cases.drive(case, stop_at={"sign_off"})
    cases.complete("transport_signer", case, "sign_off",
                   {"sign_decision": "send_back", "sign_reason": "措辞需修改"})
    assert set(cases.tasks(case)) == {"draft_reply"}
    assert cases.drive(case) == set()
    sends = rows(cases, AuditEvent, AuditEvent.action == "complete",
                 AuditEvent.bpmn_id.in_(["review", "sign_off"]))
    # sent back by review; approved, sent back by sign-off; approved by both
    assert [(e.bpmn_id, e.actor, e.detail["data"].get("review_decision",
                                                        e.detail["data"].get("sign_decision")))
            for e in sends] == [
        ("review", "transport_reviewer", "send_back"), ("review", "transport_reviewer", "approve"),
        ("sign_off", "transport_signer", "send_back"), ("review", "transport_reviewer", "approve"),
        ("sign_off", "transport_signer", "approve")]


def _timers(cases, case):
    return {t.bpmn_id: t.due_at for t in rows(cases, Timer, Timer.instance_id == case)}


def test_an_approved_extension_moves_the_reply_deadline_and_its_timers(cases):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    lead = assignment(cases, sid, "transport")
    before = _timers(cases, case)
    assert before["reply_overdue"] == lead.reply_due
    cases.complete("transport_unit_handler", case, "draft_reply", {
        **simulate.ANSWERS["draft_reply"], "action": "request_extension",
        "extension_reason": "需跨年度安排资金"})
    assert set(cases.tasks(case)) == {"approve_extension"}
    cases.complete("commission", case, "approve_extension",
                   {"extension_decision": "approve", "extension_note": "同意"})
    extended = assignment(cases, sid, "transport")
    [extension] = rows(cases, Extension)
    assert extension.status == "approved" and extension.requested_by == "transport_unit_handler"
    assert extended.reply_due == extension.new_reply_due > lead.reply_due
    after = _timers(cases, case)
    assert after["reply_overdue"] == extended.reply_due
    assert after["reply_reminder"] > before["reply_reminder"]
    assert set(cases.tasks(case)) == {"draft_reply"}


def test_reminder_overdue_and_long_overdue_escalate_in_turn(cases, clock):
    sid, case = cases.new({**SOLE, "key_suggestion": True, "supervising_leader": "leader"})
    cases.drive(case, stop_at={"draft_reply"})
    lead = assignment(cases, sid, "transport")
    levels = lambda: [e.level for e in rows(cases, Escalation)]  # noqa: E731

    clock.now = lead.reply_due - timedelta(days=10, hours=-1)
    cases.fire()
    assert levels() == ["reminder"]
    clock.now = lead.reply_due + timedelta(hours=1)
    cases.fire()
    assert levels() == ["reminder", "supervision"]
    assert cases.tasks(case)["supervise_overdue"][0].candidate_role == "commission"
    clock.now = lead.reply_due + timedelta(days=25)  # > 15 working days
    cases.fire()
    assert levels() == ["reminder", "supervision", "high_level"]
    [coordinate] = cases.tasks(case)["coordinate_overdue"]
    assert coordinate.assignee == "leader"
    assert {"draft_reply", "supervise_overdue", "coordinate_overdue"} <= set(cases.tasks(case))
    assert cases.fire() == 0  # each fires once


def test_a_co_unit_late_with_its_opinion_is_escalated(cases, clock):
    sid, case = cases.new(LEAD_CO)
    cases.drive(case, stop_at={"co_opinion"})
    finance = assignment(cases, sid, "finance")
    clock.now = finance.reply_due + timedelta(hours=1)
    cases.fire()
    escalations = rows(cases, Escalation)
    assert {(e.level, e.assignment_id) for e in escalations} >= {
        ("supervision", finance.id), ("supervision", assignment(cases, sid, "education").id)}


def test_the_handler_can_ask_for_high_level_coordination(cases):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    cases.complete("transport_unit_handler", case, "draft_reply", {
        **simulate.ANSWERS["draft_reply"], "action": "request_coordination",
        "coordination_reason": "涉及多部门"})
    open_ = cases.tasks(case)
    assert set(open_) == {"draft_reply", "coordinate_requested"}
    assert open_["coordinate_requested"][0].candidate_role == "provincial_leader"
    [escalation] = rows(cases, Escalation)
    assert (escalation.level, escalation.reason) == ("high_level", "涉及多部门")
    assert cases.drive(case) == set()


def test_dissatisfied_then_rehandled_then_satisfied(cases, clock):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"feedback"})
    cases.complete("dep_1", case, "feedback", DISSATISFIED)
    assert set(cases.tasks(case)) == {"rehandle"}
    rehandle_due = assignment(cases, sid, "transport").reply_due
    assert clock() + timedelta(days=27) < rehandle_due < clock() + timedelta(days=32)
    assert cases.drive(case) == set()
    replies = rows(cases, Reply)
    assert [r.round for r in replies] == [1, 2]
    assert [(f.round, f.satisfaction) for f in rows(cases, Feedback)] == [
        (1, "dissatisfied"), (2, "satisfied")]
    assert cases.read(lambda s: s.get(Suggestion, sid).status) == "closed"


def test_twice_dissatisfied_goes_to_commission_supervision(cases):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"supervise_meeting"},
                answers={"feedback": DISSATISFIED, "feedback_again": DISSATISFIED})
    assert set(cases.tasks(case)) == {"supervise_meeting"}
    [escalation] = rows(cases, Escalation)
    assert escalation.level == "supervision" and "两次不满意" in escalation.reason
    assert cases.drive(case) == set()


def test_class_b_cases_stay_in_follow_up_until_reported_done(cases):
    sid, case = cases.new(SOLE)
    draft = {**simulate.ANSWERS["draft_reply"], "answer_class": "B"}
    cases.drive(case, stop_at={"follow_up_report"}, answers={"draft_reply": draft})
    cases.complete("transport_unit_handler", case, "follow_up_report",
                   {"follow_up_report": "已立项", "follow_up_done": False})
    assert set(cases.tasks(case)) == {"follow_up_report"}
    assert assignment(cases, sid, "transport").status == "follow_up"
    cases.complete("transport_unit_handler", case, "follow_up_report",
                   {"follow_up_report": "已完工", "follow_up_done": True})
    assert [f.done for f in rows(cases, FollowUp)] == [False, True]
    assert cases.read(lambda s: s.get(Suggestion, sid).status) == "closed"


def test_key_suggestions_need_the_leaders_review(cases):
    # Progress reports are dated (mid-year, November: tests/workflows/test_progress_reports.py);
    # none holds up the reply at the start of handling.
    sid, case = cases.new({**SOLE, "key_suggestion": True, "supervising_leader": "leader",
                           "special_committee": "财政经济委员会"})
    suggestion = cases.read(lambda s: s.get(Suggestion, sid))
    assert suggestion.key_suggestion and suggestion.special_committee == "财政经济委员会"
    cases.drive(case, stop_at={"leader_review"})
    [review] = cases.tasks(case)["leader_review"]
    assert review.assignee == "leader"
    assert rows(cases, ProgressReport) == []
    assert cases.drive(case) == set()
