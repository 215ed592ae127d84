"""Models written in SpiffArena's conventions run here: each model of `examples/spiffarena/` is
refused while a lane has no rule, deploys once the designer's rules are set, and runs to its end
by the people its lanes (or its initiator) name — both ways through each gateway."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import DeployError
from models import HumanTask, ProcessInstance, User
from workflows import designer, task_access, tasks

from .. import spiffarena_models as models
from ..conftest import START

STARTER = "transport_unit_handler"


def _deploy(db, engine, model):
    process_id = models.MODELS[model]
    with db.write() as s:
        if models.RULES[process_id]:
            with pytest.raises(DeployError) as refused:
                designer.deploy(s, engine, models.files(model), "designer")
            named = {p.element_id for p in refused.value.problems}
            assert all("has no assignment rule" in p.reason for p in refused.value.problems)
            assert len(named) == len(models.RULES[process_id])
        models.set_rules(s, process_id, START)
        designer.deploy(s, engine, models.files(model), "designer")
    return process_id


def _run(db, engine, instance_id, answers):
    """Complete each ready task as the first user it is open to, with its answer; returns the
    (step, user) pairs in the order done."""
    done = []
    while True:
        with db.write() as s:
            task = s.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                    HumanTask.state == "ready")
                            .order_by(HumanTask.created_at, HumanTask.bpmn_id))
            if task is None:
                return done
            user = next(u for u in s.scalars(select(User).order_by(User.id))
                        if task_access.allows(u, task))
            tasks.complete(s, engine, user, task.id, answers.get(task.bpmn_id, {}))
            done.append((task.bpmn_id, user.username))


def _start(db, engine, process_id):
    with db.write() as s:
        return engine.start(s, process_id, {}, actor=STARTER).instance_id


def _status(db, engine, instance_id):
    with db.session() as s:
        instance = s.get(ProcessInstance, instance_id)
        return instance.status, engine.instance_data(s, instance)


@pytest.mark.parametrize("days,steps,decision", [
    (5, [("fill_request", STARTER), ("approve", "commission"), ("read_result", STARTER)], "reject"),
    (2, [("fill_request", STARTER), ("read_result", STARTER)], "approve"),
])
def test_leave_request_runs_both_ways_through_its_gateway(db, domain_engine, org, days, steps,
                                                          decision):
    process_id = _deploy(db, domain_engine, "leave-request")
    case = _start(db, domain_engine, process_id)
    done = _run(db, domain_engine, case, {
        "fill_request": {"kind": "sick", "days": days, "start_date": "2026-03-09",
                         "channel": "网上申请"},
        "approve": {"decision": "reject", "comment": "年底工作集中"}})
    assert done == steps
    status, data = _status(db, domain_engine, case)
    assert status == "completed" and data["decision"] == decision


def test_parallel_review_gives_the_lane_less_step_to_the_initiator_and_joins(db, domain_engine,
                                                                             org):
    process_id = _deploy(db, domain_engine, "parallel-review")
    case = _start(db, domain_engine, process_id)
    done = _run(db, domain_engine, case, {"submit_document": {"title": "采购方案", "amount": 1200}})
    assert done[0] == ("submit_document", STARTER)
    assert sorted(done[1:]) == [("finance_check", "transport_reviewer"),
                                ("legal_check", "commission")]
    status, data = _status(db, domain_engine, case)
    assert status == "completed" and data["review_done"] is True


def test_timer_reminder_waits_for_its_timer_then_asks_the_initiator(db, domain_engine, org,
                                                                     clock):
    process_id = _deploy(db, domain_engine, "timer-reminder")
    case = _start(db, domain_engine, process_id)
    assert _run(db, domain_engine, case, {"set_reminder": {"note": "报送季度统计"}}) == [
        ("set_reminder", STARTER)]
    with db.write() as s:
        domain_engine.fire_due_timers(s, START + timedelta(minutes=59))
    assert _run(db, domain_engine, case, {}) == []  # not yet due
    with db.write() as s:
        domain_engine.fire_due_timers(s, START + timedelta(hours=1, minutes=1))
    assert _run(db, domain_engine, case, {}) == [("remind", STARTER)]
    assert _status(db, domain_engine, case)[0] == "completed"
