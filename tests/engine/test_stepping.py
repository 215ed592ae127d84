"""The flat lookups of `engine.stepping` give what SpiffWorkflow's tree walks give, at every
step real cases take (they replace the walks only to stop a step's cost growing with the case's
history)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from SpiffWorkflow.util.task import TaskIterator, TaskState
from SpiffWorkflow.workflow import Workflow

from engine import stepping
from tests.workflows.helpers import Cases

from .helpers import FIXTURE_WALKS, complete, ready, start

READY_TASKS = stepping.ready_tasks


@pytest.fixture
def compared(monkeypatch):
    """Every flat lookup the engine makes is checked against SpiffWorkflow's walk; returns the
    number of lookups checked."""
    calls = {"ready": 0, "waiting": 0}

    def ready_tasks(top, wf):
        found = READY_TASKS(top, wf)
        assert found == wf.get_tasks(state=TaskState.READY)
        calls["ready"] += 1
        return found

    def update_waiting_tasks(workflow):
        if not any(t._state & TaskState.WAITING for t in workflow.tasks.values()):
            assert list(TaskIterator(workflow.task_tree, state=TaskState.WAITING)) == []
        calls["waiting"] += 1
        Workflow.update_waiting_tasks(workflow)

    monkeypatch.setattr(stepping, "ready_tasks", ready_tasks)
    monkeypatch.setattr(stepping, "_update_waiting_tasks", update_waiting_tasks)
    return calls


@pytest.mark.parametrize("process_id, answers", FIXTURE_WALKS)
def test_fixture_processes_step_as_spiffworkflow_walks(db, engine, clock, deployed, compared,
                                                       process_id, answers):
    case = start(db, engine, process_id, {"handle_due": (clock() + timedelta(days=3)).isoformat()})
    clock.advance(days=4)
    with db.write() as session:
        engine.fire_due_timers(session)
    for step in range(8):
        tasks = ready(db, engine, case)
        if not tasks:
            break
        bpmn_id, task = next(iter(tasks.items()))
        task = task[0] if isinstance(task, list) else task
        if step % 2:
            engine._live.clear()  # every other step starts from the stored state
        complete(db, engine, task, answers.get(bpmn_id, {}))
    assert compared["ready"] and compared["waiting"]


def test_suggestion_cases_step_as_spiffworkflow_walks(db, domain_engine, org, compared):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new({"mode": "lead_co", "lead_unit": "transport",
                            "co_units": ["finance", "education"], "key_suggestion": False})
    cases.drive(case)
    assert compared["ready"] and compared["waiting"]


def test_a_looping_case_steps_as_spiffworkflow_walks(db, engine, deployed, compared):
    """A live case looping many times: each step's lookup meets the path the previous one
    kept."""
    case = start(db, engine, "loop")
    for step in range(30):
        tasks = ready(db, engine, case)
        if not tasks:
            break
        bpmn_id, task = next(iter(tasks.items()))
        complete(db, engine, task, {"satisfied": step > 24} if bpmn_id == "feedback"
                 else {"note": "again"})
    assert not ready(db, engine, case) and compared["ready"] > 30
