"""Deadline timers count from assignment, whatever step a unit is at (docs/domain.md, "Deadlines and
escalation"): reply reminder, overdue, long overdue; co-opinion and re-handling reminders."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from models import Assignment, CoOpinion, Escalation, HumanTask, Timer
from workflows import deadlines, simulate

from .test_process import (DISSATISFIED, LEAD_CO, SOLE, _co_return, _request_return,  # noqa: F401
                           assignment, cases, rows)

KEY = {**SOLE, "key_suggestion": True, "supervising_leader": "leader"}
MINUTE = timedelta(minutes=1)


def _escalations(cases):
    return [(e.level, e.assignment_id, e.reason) for e in rows(cases, Escalation)]


def _fire_at(cases, clock, when):
    clock.now = when
    cases.fire()


def _timers(cases, case):
    """The case's deadline timers (the progress reports' dated timers are another rule's)."""
    return sorted((t.bpmn_id, t.due_at) for t in rows(cases, Timer, Timer.instance_id == case)
                  if not t.bpmn_id.endswith("_report_timer"))


def _returned(cases, sid):
    return cases.read(lambda s: s.scalars(select(Assignment).where(
        Assignment.suggestion_id == sid, Assignment.status == "returned")).one())


def _stop_at(cases, case, stage):
    """Leave the unit at `stage`: acknowledge, a return request the commission has not ruled
    on (decide_return), distribute, or draft_reply."""
    if stage == "decide_return":
        _request_return(cases, case)
    elif stage != "acknowledge":
        cases.drive(case, stop_at={stage})
    assert stage in cases.tasks(case)


@pytest.mark.parametrize("stage", ["acknowledge", "decide_return", "distribute"])
def test_a_unit_that_has_not_started_handling_is_reminded_and_escalated(cases, clock, stage):
    sid, case = cases.new(KEY)
    _stop_at(cases, case, stage)
    lead = assignment(cases, sid, "transport")
    reminder = lead.reply_due - timedelta(days=10)
    long_overdue = cases.read(lambda s: deadlines.due(s, "long_overdue", lead))
    # the timers are armed from assignment, before the unit acknowledges
    assert _timers(cases, case) == sorted([("reply_reminder", reminder),
                                           ("reply_overdue", lead.reply_due),
                                           ("reply_long_overdue", long_overdue)])

    _fire_at(cases, clock, reminder - MINUTE)
    assert _escalations(cases) == []
    _fire_at(cases, clock, reminder + MINUTE)
    assert _escalations(cases) == [("reminder", lead.id, "答复期限将至")]
    _fire_at(cases, clock, lead.reply_due - MINUTE)
    assert len(_escalations(cases)) == 1
    _fire_at(cases, clock, lead.reply_due + MINUTE)
    assert _escalations(cases)[1:] == [("supervision", lead.id, "逾期未答复")]
    assert cases.tasks(case)["supervise_overdue"][0].candidate_role == "commission"
    _fire_at(cases, clock, long_overdue - MINUTE)
    assert len(_escalations(cases)) == 2
    _fire_at(cases, clock, long_overdue + MINUTE)
    assert _escalations(cases)[2:] == [("high_level", lead.id, "长期逾期，提请高位协调")]
    [coordinate] = cases.tasks(case)["coordinate_overdue"]
    assert coordinate.assignee == "leader"
    assert stage in cases.tasks(case)  # the unit's step is still open
    assert cases.fire() == 0


def test_timers_fired_before_acknowledgement_do_not_fire_again(cases, clock):
    sid, case = cases.new(SOLE)
    lead = assignment(cases, sid, "transport")
    _fire_at(cases, clock, lead.reply_due + MINUTE)
    assert [e[0] for e in _escalations(cases)] == ["reminder", "supervision"]
    cases.drive(case, stop_at={"draft_reply", "supervise_overdue"})
    cases.fire()
    assert [e[0] for e in _escalations(cases)] == ["reminder", "supervision"]
    assert {b for b, _ in _timers(cases, case)} == {"reply_long_overdue"}


def test_a_reassigned_unit_is_on_its_own_clock(cases, clock):
    sid, case = cases.new(SOLE)
    clock.advance(days=5)
    _request_return(cases, case)
    clock.advance(days=2)
    cases.complete("commission", case, "decide_return", {
        "return_decision": "reassign", "new_unit": "water", "ruling_note": "同意"})
    old, new = _returned(cases, sid), assignment(cases, sid, "water")
    assert new.reply_due > old.reply_due
    assert dict(_timers(cases, case))["reply_overdue"] == new.reply_due
    assert len(_timers(cases, case)) == 3  # the returned unit's timers are gone
    _fire_at(cases, clock, old.reply_due + MINUTE)
    assert [(e[0], e[1]) for e in _escalations(cases)] == [("reminder", new.id)]
    _fire_at(cases, clock, new.reply_due + MINUTE)
    assert [(e[0], e[1]) for e in _escalations(cases)] == [("reminder", new.id),
                                                           ("supervision", new.id)]
    assert cases.tasks(case)["acknowledge"][0].candidate_unit == "water"
    assert cases.drive(case, stop_at={"supervise_overdue"}) == {"supervise_overdue"}


def test_a_co_unit_at_co_acknowledge_is_reminded_and_escalated(cases, clock):
    sid, case = cases.new(LEAD_CO)
    cases.drive(case, stop_at={"co_acknowledge"})
    finance, education = assignment(cases, sid, "finance"), assignment(cases, sid, "education")
    opinion_due = finance.reply_due
    assert opinion_due == education.reply_due  # one month from assignment
    _fire_at(cases, clock, opinion_due - timedelta(days=10) - MINUTE)
    assert [e for e in _escalations(cases) if e[1] != assignment(cases, sid, "transport").id] == []
    _fire_at(cases, clock, opinion_due - timedelta(days=10) + MINUTE)
    co = lambda: sorted(e for e in _escalations(cases)  # noqa: E731
                        if e[1] in (finance.id, education.id))
    assert co() == sorted([("reminder", finance.id, "会办意见期限将至"),
                           ("reminder", education.id, "会办意见期限将至")])
    # one co-unit acknowledges, the other does not: both are overdue at the opinion deadline
    cases.complete("finance_unit_handler", case, "co_acknowledge", {"co_decision": "acknowledge"},
                   unit="finance")
    _fire_at(cases, clock, opinion_due + MINUTE)
    assert co() == sorted([("reminder", finance.id, "会办意见期限将至"),
                           ("reminder", education.id, "会办意见期限将至"),
                           ("supervision", finance.id, "会办意见逾期"),
                           ("supervision", education.id, "会办意见逾期")])
    assert {t.candidate_unit for t in cases.tasks(case)["co_acknowledge"]} == {"education"}
    assert cases.fire() == 0  # each fires once


def test_a_reassigned_co_unit_is_on_its_own_clock(cases, clock):
    sid, case = cases.new(LEAD_CO)
    clock.advance(days=3)
    _co_return(cases, case)
    clock.advance(days=2)
    cases.complete("commission", case, "decide_co_return", {
        "return_decision": "reassign", "new_unit": "water", "ruling_note": "同意改交水利厅"})
    water = assignment(cases, sid, "water")
    finance = _returned(cases, sid)
    assert water.reply_due > finance.reply_due
    escalated = lambda: {(e[0], e[1]) for e in _escalations(cases)}  # noqa: E731
    _fire_at(cases, clock, finance.reply_due + MINUTE)
    assert ("supervision", water.id) not in escalated()
    _fire_at(cases, clock, water.reply_due + MINUTE)
    assert ("supervision", water.id) in escalated()
    assert not [e for e in _escalations(cases) if e[1] == finance.id]  # returned: no clock


def test_rehandling_has_a_reminder_and_is_overdue_whatever_step_it_is_at(cases, clock):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"feedback"})
    cases.complete("dep_1", case, "feedback", DISSATISFIED)
    lead = assignment(cases, sid, "transport")  # reply_due is now the re-handling deadline
    cases.complete("transport_unit_handler", case, "rehandle", simulate.DRAFT)
    assert set(cases.tasks(case)) == {"review_again"}  # the unit's heads sit on it
    before = len(_escalations(cases))
    _fire_at(cases, clock, lead.reply_due - timedelta(days=10) - MINUTE)
    assert len(_escalations(cases)) == before
    _fire_at(cases, clock, lead.reply_due - timedelta(days=10) + MINUTE)
    assert _escalations(cases)[before:] == [("reminder", lead.id, "重新办理期限将至")]
    _fire_at(cases, clock, lead.reply_due + MINUTE)
    assert _escalations(cases)[before + 1:] == [("supervision", lead.id, "重新办理逾期")]
    assert cases.fire() == 0


def _co_escalations(cases, *co):
    return sorted((e[0], e[1]) for e in _escalations(cases) if e[1] in {a.id for a in co})


def test_co_units_work_and_are_on_the_clock_while_the_lead_sits_at_acknowledge(cases, clock):
    sid, case = cases.new(LEAD_CO)
    finance, education = assignment(cases, sid, "finance"), assignment(cases, sid, "education")
    open_ = cases.tasks(case)
    assert set(open_) == {"acknowledge", "co_acknowledge"}  # co-handling starts at assignment
    assert sorted(t.candidate_unit for t in open_["co_acknowledge"]) == ["education", "finance"]
    reminder = finance.reply_due - timedelta(days=10)
    co_timers = [t for t in _timers(cases, case) if t[0].startswith("co_opinion")]
    assert co_timers == sorted([("co_opinion_reminder", reminder)] * 2
                               + [("co_opinion_overdue", finance.reply_due)] * 2)

    cases.complete("finance_unit_handler", case, "co_acknowledge", {"co_decision": "acknowledge"},
                   unit="finance")
    cases.complete("finance_unit_handler", case, "co_opinion", {"opinion": "同意，资金可安排"},
                   unit="finance")
    assert set(cases.tasks(case)) == {"acknowledge", "co_acknowledge"}  # the lead has not moved
    _fire_at(cases, clock, reminder - MINUTE)
    assert _co_escalations(cases, finance, education) == []
    _fire_at(cases, clock, reminder + MINUTE)
    assert _co_escalations(cases, finance, education) == [("reminder", education.id)]
    _fire_at(cases, clock, education.reply_due + MINUTE)
    assert _co_escalations(cases, finance, education) == [("reminder", education.id),
                                                          ("supervision", education.id)]
    assert set(cases.tasks(case)) >= {"acknowledge", "co_acknowledge"}
    assert cases.fire() == 0


def test_a_lead_reassigned_after_the_co_units_worked_does_not_make_them_redo_it(cases, clock):
    sid, case = cases.new(LEAD_CO)
    finance, education = assignment(cases, sid, "finance"), assignment(cases, sid, "education")
    cases.complete("finance_unit_handler", case, "co_acknowledge", {"co_decision": "acknowledge"},
                   unit="finance")
    cases.complete("finance_unit_handler", case, "co_opinion", {"opinion": "同意，资金可安排"},
                   unit="finance")
    cases.complete("education_unit_handler", case, "co_acknowledge",
                   {"co_decision": "acknowledge"}, unit="education")
    _request_return(cases, case)
    _fire_at(cases, clock, education.reply_due - timedelta(days=10) + MINUTE)
    assert _co_escalations(cases, finance, education) == [("reminder", education.id)]
    cases.complete("commission", case, "decide_return", {
        "return_decision": "reassign", "new_unit": "water", "ruling_note": "同意"})

    open_ = cases.tasks(case)
    assert open_["acknowledge"][0].candidate_unit == "water"
    assert "co_acknowledge" not in open_  # neither co-unit acknowledges again
    assert [t.candidate_unit for t in open_["co_opinion"]] == ["education"]  # finance is done
    assert cases.fire() == 0  # the reminder already raised is not raised again
    assert _co_escalations(cases, finance, education) == [("reminder", education.id)]
    # education's opinion clock still runs from its own assignment (the reminder is past)
    assert [t for t in _timers(cases, case) if t[0].startswith("co_opinion")] == [
        ("co_opinion_overdue", education.reply_due)]

    # the new lead drafts once education's opinion is in, with finance's given before
    assert cases.drive(case, stop_at={"draft_reply", "co_opinion"}) == {"co_opinion"}
    cases.complete("education_unit_handler", case, "co_opinion", {"opinion": "同意"},
                   unit="education")
    assert cases.drive(case, stop_at={"draft_reply"}) == {"draft_reply"}
    [draft] = cases.tasks(case)["draft_reply"]
    assert draft.candidate_unit == "water"
    opinions = rows(cases, CoOpinion)
    assert sorted(o.assignment_id for o in opinions) == [finance.id, education.id]  # once each
    done = [t.bpmn_id for t in rows(cases, HumanTask, HumanTask.instance_id == case,
                                    HumanTask.state == "completed")]
    assert (done.count("co_acknowledge"), done.count("co_opinion")) == (2, 2)
    _fire_at(cases, clock, education.reply_due + MINUTE)
    assert _co_escalations(cases, finance, education) == [("reminder", education.id)]
    assert cases.fire() == 0


def test_a_co_units_return_request_waits_for_its_ruling_across_a_lead_reassignment(cases):
    sid, case = cases.new(LEAD_CO)
    cases.complete("education_unit_handler", case, "co_acknowledge", {
        "co_decision": "request_return", "co_return_reason": "不属于本单位职能",
        "co_suggested_unit": "power"}, unit="education")
    _request_return(cases, case)
    cases.complete("commission", case, "decide_return", {
        "return_decision": "reassign", "new_unit": "water", "ruling_note": "同意"})
    open_ = cases.tasks(case)
    assert [t.candidate_unit for t in open_["co_acknowledge"]] == ["finance"]
    assert len(open_["decide_co_return"]) == 1  # education's request is still to be ruled on
    cases.complete("commission", case, "decide_co_return", {
        "return_decision": "reassign", "new_unit": "power", "ruling_note": "同意改交"})
    assert sorted(t.candidate_unit for t in cases.tasks(case)["co_acknowledge"]) == [
        "finance", "power"]


def test_a_step_reads_an_assignments_dates_once_from_its_tasks_to_its_save(cases):
    """The memo of `deadline(...)` lives from a step's tasks to its save: acknowledging re-arms
    the waiting timers and opens the next task with its due date, one read of the dates."""
    sid, case = cases.new(SOLE)
    reads = []

    def count(_conn, _cursor, statement, *_args):
        if "assignment.ack_due, assignment.reply_due" in statement:
            reads.append(statement)
    event.listen(cases.db.engine, "before_cursor_execute", count)
    try:
        cases.complete("transport_unit_handler", case, "acknowledge", {"decision": "acknowledge"})
    finally:
        event.remove(cases.db.engine, "before_cursor_execute", count)
    assert len(reads) == 1
    lead = assignment(cases, sid, "transport")
    due = {t.bpmn_id: t.due_at for t in rows(cases, HumanTask, HumanTask.instance_id == case)
           if t.state == "ready"}
    assert due and all(at == lead.reply_due for at in due.values())
    assert ("reply_reminder", lead.reply_due - timedelta(days=10)) in _timers(cases, case)
