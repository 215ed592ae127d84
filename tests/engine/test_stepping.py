"""The flat lookups of `engine.stepping` give what SpiffWorkflow's tree walks give, at every
step real cases take (they replace the walks only to stop a step's cost growing with the case's
history)."""
from __future__ import annotations


import pytest
from SpiffWorkflow.util.task import TaskIterator, TaskState
from SpiffWorkflow.workflow import Workflow

from engine import stepping
from tests.workflows.helpers import Cases

from .helpers import FIXTURE_WALKS, complete, ready, start, walk_fixture

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
    walk_fixture(db, engine, clock, process_id, answers, steps=8)
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
