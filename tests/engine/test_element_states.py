"""A case's diagram states read off its stored JSON are those of the rebuilt workflow, on every
state real cases pass through (call activities, multi-instance, loops, timers, escalations)."""
from __future__ import annotations

import json

import pytest

from engine import serializer
from models import ProcessInstance
from engine.reading import _element_states, _element_states_of
from tests.workflows.helpers import Cases

from .helpers import FIXTURE_WALKS, walk_fixture


@pytest.fixture
def saved(monkeypatch):
    """Every state the engine writes while the test runs."""
    states: list[str] = []
    dumps = serializer.dumps

    def recording(workflow):
        states.append(dumps(workflow))
        return states[-1]

    monkeypatch.setattr(serializer, "dumps", recording)
    return states


def _check(states: list[str], spec, subprocess_specs) -> None:
    assert states
    seen = set()
    for state in states:
        rebuilt = _element_states(serializer.loads(state, serializer.VERSION, spec,
                                                   subprocess_specs))
        assert _element_states_of(json.loads(state), spec, subprocess_specs) == rebuilt
        seen.add(repr((sorted(rebuilt.active.items()), sorted(rebuilt.done.items()))))
    assert len(seen) > 1  # the walk went through states that differ


@pytest.mark.parametrize("process_id, answers", FIXTURE_WALKS)
def test_fixture_processes(db, engine, clock, deployed, saved, process_id, answers):
    walk_fixture(db, engine, clock, process_id, answers, steps=6)
    with db.session() as session:
        spec, subs = engine.compiled_version(session, deployed.id).spec(process_id)
    _check(saved, spec, subs)


@pytest.mark.parametrize("mode", ["sole", "lead_co"])
def test_suggestion_cases(db, domain_engine, org, saved, mode):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new({"mode": mode, "lead_unit": "transport", "key_suggestion": False,
                            "co_units": ["finance", "education"] if mode == "lead_co" else []})
    cases.drive(case)
    with db.session() as session:
        version = domain_engine.newest_version_id(session)
        spec, subs = domain_engine.compiled_version(session, version).spec("suggestion")
        instance = session.get(ProcessInstance, case)
        # the engine's answer for the case as it stands is the same as a rebuild's
        assert domain_engine.element_states(session, instance) == _element_states(
            domain_engine.workflow(session, instance))
    _check(saved, spec, subs)


def test_a_state_of_another_format_is_rebuilt(db, domain_engine, org, monkeypatch):
    """A state written by another serializer version is not read off its JSON (its fields may
    differ): the workflow is rebuilt, migrated as a step would, and gives the same answer."""
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "key_suggestion": False,
                            "co_units": []})
    cases.drive(case, stop_at={"consult"})
    with db.session() as session:
        instance = session.get(ProcessInstance, case)
        read_off = domain_engine.element_states(session, instance)
        domain_engine._elements.clear()
        monkeypatch.setattr(serializer, "VERSION", "another")
        walked = []
        monkeypatch.setattr("engine.reading._element_states_of",
                            lambda *args: walked.append(args))
        assert domain_engine.element_states(session, instance) == read_off
        assert walked == [] and "consult" in read_off.active["unit_handling.bpmn"]


def test_stored_files_of_a_missing_version_and_kept_files_are_read_only(db, domain_engine, org):
    from engine.errors import NotFoundError
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "key_suggestion": False,
                            "co_units": []})
    with db.session() as session:
        with pytest.raises(NotFoundError, match="does not exist"):
            domain_engine.stored_files(session, 987654)
        version = session.get(ProcessInstance, case).process_version_id
        files = domain_engine.stored_files(session, version)
        assert files is domain_engine.stored_files(session, version)  # read once
        with pytest.raises(TypeError):
            files["suggestion.bpmn"] = "<x/>"  # a caller cannot alter what others are served
