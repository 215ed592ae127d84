"""The serializer's own task converter and its saved-text reuse give exactly what SpiffWorkflow's
converter gives, on every state real cases pass through."""
from __future__ import annotations

import json

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.task import Task

from engine import serializer
from engine.serializer import _all_tasks as tasks_of
from tests.workflows.helpers import Cases

from .helpers import FIXTURE_WALKS, walk_fixture

DUMPS = serializer.dumps  # the `saved` fixture records what the engine passes to it
STOCK = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(
    {**serializer._config, Task: TaskConverter}))


@pytest.fixture
def saved(monkeypatch):
    """Every state the engine writes while the test runs; each task of each workflow saved is
    also encoded by SpiffWorkflow's own converter, which must give the same text."""
    states: list[str] = []

    def recording(workflow):
        for task in tasks_of(workflow):
            fresh = _encoded(serializer.REGISTRY, task)
            assert fresh == _encoded(STOCK.registry, task)
            kept = task.__dict__.get("_jianyi_json")
            if kept is not None and kept[0] == serializer._memo_key(task):  # a text reused
                assert _same(kept[1], fresh), task.task_spec.name
        plain = _without_kept_body(workflow)
        states.append(DUMPS(workflow))
        assert states[-1] == plain  # the kept run of finished tasks' texts, reused as is
        for task in tasks_of(workflow):  # every text this save kept, templated or not
            kept = task.__dict__.get("_jianyi_json")
            if kept is not None and kept[0] == serializer._memo_key(task):
                assert _same(kept[1], _encoded(STOCK.registry, task)), task.task_spec.name
        return states[-1]

    monkeypatch.setattr(serializer, "dumps", recording)
    return states


def _without_kept_body(workflow) -> str:
    """What `dumps` writes joining every task's text anew (the joined texts it keeps between
    saves are put back after)."""
    workflows = (workflow, *workflow.subprocesses.values())
    kept = [wf.__dict__.pop("_jianyi_body", None) for wf in workflows]
    text = DUMPS(workflow)
    for wf, body in zip(workflows, kept):
        if body is None:
            wf.__dict__.pop("_jianyi_body", None)
        else:
            wf.__dict__["_jianyi_body"] = body
    return text


def _same(text: str, other: str) -> bool:
    """Two task texts say the same (the keys a delta deletes may come in another order)."""
    def normal(text):
        task = json.loads(text)
        if task.get("delta", {}).get("deletions"):
            task["delta"]["deletions"] = sorted(task["delta"]["deletions"])
        return task
    return normal(text) == normal(other)


def _stock_loads(state: str, spec, subprocess_specs):
    dct = json.loads(state)
    return STOCK.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)


def _encoded(registry, task) -> str:
    registry._encoder_mode = True
    try:
        return json.dumps(registry.convert(task), cls=serializer._Encoder, ensure_ascii=False)
    finally:
        registry._encoder_mode = False


def _check(states: list[str], spec, subprocess_specs) -> None:
    assert states
    for state in states:
        ours = serializer.loads(state, serializer.VERSION, spec, subprocess_specs)
        stock = _stock_loads(state, spec, subprocess_specs)
        # Loading: the same tree, states and data.
        assert [t.id for t in tasks_of(ours)] == [t.id for t in tasks_of(stock)]
        for mine, theirs in zip(tasks_of(ours), tasks_of(stock)):
            assert (mine._parent, mine._children, mine.state, mine.last_state_change,
                    mine.triggered, mine.internal_data, mine.data, mine.task_spec.name) == \
                (theirs._parent, theirs._children, theirs.state, theirs.last_state_change,
                 theirs.triggered, theirs.internal_data, theirs.data, theirs.task_spec.name)
        assert sorted(ours.event_manager.tasks) == sorted(stock.event_manager.tasks)
        # A loaded state saves to what was loaded (data keys may come back in another order: a
        # delta is applied to a copy of the parent's data), with the reused task texts or
        # without, and then to the very text SpiffWorkflow's converter gives.
        assert json.loads(DUMPS(ours)) == json.loads(state)
        serializer.forget_cached_json(ours)
        assert DUMPS(ours) == DUMPS(stock)


@pytest.mark.parametrize("process_id, answers", FIXTURE_WALKS)
def test_fixture_processes_load_and_save_as_spiffworkflow_does(db, engine, clock, deployed, saved,
                                                              process_id, answers):
    walk_fixture(db, engine, clock, process_id, answers, steps=6)
    with db.session() as session:
        spec, subs = engine.compiled_version(session, deployed.id).spec(process_id)
    _check(saved, spec, subs)


@pytest.mark.parametrize("live", [True, False], ids=["live", "reloaded"])
def test_suggestion_cases_load_and_save_as_spiffworkflow_does(db, domain_engine, org, saved,
                                                              monkeypatch, live):
    if not live:  # every step starts from the stored state
        monkeypatch.setattr(domain_engine, "_remember", lambda *args: None)
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new({"mode": "lead_co", "lead_unit": "transport",
                            "co_units": ["finance", "education"], "key_suggestion": False})
    cases.drive(case)
    with db.session() as session:
        version = domain_engine.newest_version_id(session)
        spec, subs = domain_engine.compiled_version(session, version).spec("suggestion")
    _check(saved, spec, subs)
