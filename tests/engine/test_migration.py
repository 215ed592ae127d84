"""Versions and migration: running cases stay on their version across deploys, new cases start on
the newest, and running cases move to a newer version only when it is safe (dry run first)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Package
from engine.migration import dry_run, migrate, select_instances
from models import Timer

from .helpers import audit, complete, instance, ready, start

APPROVAL = Path(__file__).resolve().parents[1] / "fixtures" / "designer"
CHECK_STEP = """<bpmn:userTask id="check" name="Check">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="note.schema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_draft_check</bpmn:incoming>
      <bpmn:outgoing>flow_check_review</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_draft_check" sourceRef="draft" targetRef="check" />
    <bpmn:sequenceFlow id="flow_check_review" sourceRef="check" targetRef="review" />
  </bpmn:process>"""


def approval(**replace) -> Package:
    files = Package.from_folder(APPROVAL).files
    text = files["approval.bpmn"]
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return Package({**files, "approval.bpmn": text})


def with_check_step() -> Package:
    """v2: a new `check` step (LeadUnit) between draft and review."""
    return approval(**{
        '<bpmn:outgoing>flow_draft_review</bpmn:outgoing>':
            '<bpmn:outgoing>flow_draft_check</bpmn:outgoing>',
        '<bpmn:incoming>flow_draft_review</bpmn:incoming>':
            '<bpmn:incoming>flow_check_review</bpmn:incoming>',
        '<bpmn:sequenceFlow id="flow_draft_review" sourceRef="draft" targetRef="review" />': "",
        "</bpmn:process>": CHECK_STEP,
        "<bpmn:flowNodeRef>review</bpmn:flowNodeRef>":
            "<bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>",
    })


def deploy(db, engine, package, actor="designer") -> int:
    with db.write() as session:
        return engine.deploy(session, package, actor).id


@pytest.fixture
def v1(db, engine):
    return deploy(db, engine, approval())


def test_running_cases_stay_on_their_version_and_new_cases_start_on_the_newest(db, engine, v1):
    at_draft = start(db, engine, "approval")
    v2 = deploy(db, engine, with_check_step())
    assert v2 > v1
    assert instance(db, at_draft).process_version_id == v1
    complete(db, engine, ready(db, engine, at_draft)["draft"], {"note": "x"})
    assert list(ready(db, engine, at_draft)) == ["review"]  # the old flow, no check step
    fresh = start(db, engine, "approval")
    assert instance(db, fresh).process_version_id == v2
    complete(db, engine, ready(db, engine, fresh)["draft"], {"note": "x"})
    assert list(ready(db, engine, fresh)) == ["check"]
    assert [e.detail["version_id"] for e in audit(db, action="deploy")] == [v1, v2]


def test_deploying_an_earlier_version_again_goes_back_to_it(db, engine, clock, v1):
    """A designer going back: the content of version 1 deployed again after version 2 makes new
    cases start on version 1 (no copy is stored; audited); deploying it once more is a no-op."""
    clock.advance(minutes=1)
    v2 = deploy(db, engine, with_check_step())
    on_v2 = start(db, engine, "approval")
    clock.advance(minutes=1)
    assert deploy(db, engine, approval()) == v1
    fresh = start(db, engine, "approval")
    assert instance(db, fresh).process_version_id == v1
    assert instance(db, on_v2).process_version_id == v2  # running cases stay where they are
    with db.session() as session:
        assert engine.newest_version_id(session) == v1
    assert deploy(db, engine, approval()) == v1  # already the one in use: nothing happens
    events = audit(db, action="deploy")
    assert [(e.detail["version_id"], e.detail.get("reactivated", False)) for e in events] == [
        (v1, False), (v2, False), (v1, True)]
    clock.advance(minutes=1)
    assert deploy(db, engine, with_check_step()) == v2  # and forward again
    assert instance(db, start(db, engine, "approval")).process_version_id == v2


def test_dry_run_reports_and_writes_nothing_then_the_real_run_moves_the_case(db, engine, v1):
    case = start(db, engine, "approval")
    v2 = deploy(db, engine, with_check_step())
    state_before = instance(db, case).state
    with db.write() as session:
        [plan] = dry_run(session, engine, [case], v2)
    assert plan.safe, plan.reasons
    assert (plan.from_version, plan.to_version, plan.migrated) == (v1, v2, False)
    assert "new steps: check" in plan.changes
    assert any(c.startswith("step draft (Draft): outputs") for c in plan.changes)
    row = instance(db, case)
    assert (row.process_version_id, row.state) == (v1, state_before)
    assert audit(db, case, "migrate") == []

    task_before = ready(db, engine, case)["draft"]
    with db.write() as session:
        [plan] = migrate(session, engine, [case], v2, actor="designer")
    assert plan.migrated
    assert instance(db, case).process_version_id == v2
    [event] = audit(db, case, "migrate")
    assert event.actor == "designer"
    assert (event.detail["from_version"], event.detail["to_version"]) == (v1, v2)
    task = ready(db, engine, case)["draft"]
    assert task.id == task_before.id  # the inbox row is the same task
    complete(db, engine, task, {"note": "draft"})
    assert list(ready(db, engine, case)) == ["check"]
    complete(db, engine, ready(db, engine, case)["check"], {"note": "ok"})
    complete(db, engine, ready(db, engine, case)["review"], {"note": "done"})
    assert instance(db, case).status == "completed"


def test_migration_keeps_a_waiting_timer_deadline(db, engine, v1, clock):
    case = start(db, engine, "approval")
    complete(db, engine, ready(db, engine, case)["draft"], {"note": "x"})
    with db.session() as s:
        due = s.scalar(select(Timer.due_at).where(Timer.instance_id == case))
    clock.advance(days=1)
    v2 = deploy(db, engine, with_check_step())
    with db.write() as session:
        [plan] = migrate(session, engine, [case], v2, actor="designer")
    assert plan.migrated, plan.reasons
    with db.session() as s:
        assert s.scalar(select(Timer.due_at).where(Timer.instance_id == case)) == due
    assert list(ready(db, engine, case)) == ["review"]


def test_unsafe_migration_is_refused_with_a_reason_and_audited(db, engine, v1):
    case = start(db, engine, "approval")
    other_lane = deploy(db, engine, approval(**{
        "<bpmn:flowNodeRef>draft</bpmn:flowNodeRef>": "",
        "<bpmn:flowNodeRef>review</bpmn:flowNodeRef>":
            "<bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>draft</bpmn:flowNodeRef>",
    }))
    before = instance(db, case)
    with db.write() as session:
        [plan] = dry_run(session, engine, [case], other_lane)
    assert not plan.safe
    assert plan.reasons == ["step draft (Draft) where the case is now changed: lane"]
    with db.write() as session:
        [plan] = migrate(session, engine, [case], other_lane, actor="designer")
    assert not plan.migrated
    after = instance(db, case)
    assert (after.process_version_id, after.version, after.state) == (
        v1, before.version, before.state)
    [event] = audit(db, case, "migrate_refused")
    assert event.detail["reasons"] == plan.reasons


def test_a_removed_current_step_and_finished_cases_are_refused(db, engine, v1):
    case = start(db, engine, "approval")
    done = start(db, engine, "approval")
    complete(db, engine, ready(db, engine, done)["draft"], {"note": "x"})
    complete(db, engine, ready(db, engine, done)["review"], {"note": "x"})
    no_draft = deploy(db, engine, Package(_without_draft()))
    with db.write() as session:
        plans = dry_run(session, engine, [case, done, 999], no_draft)
    assert "step draft (Draft) where the case is now was removed" in plans[0].reasons
    assert plans[1].reasons == ["the case is completed, not running"]
    assert plans[2].reasons == ["case 999 does not exist"]


def _without_draft() -> dict[str, str]:
    files = dict(Package.from_folder(APPROVAL).files)
    text = files["approval.bpmn"]
    start_, end_ = text.index('<bpmn:userTask id="draft"'), text.index('<bpmn:userTask id="review"')
    text = text[:start_] + text[end_:]
    text = (text.replace("<bpmn:flowNodeRef>draft</bpmn:flowNodeRef>", "")
            .replace('<bpmn:sequenceFlow id="flow_draft_review" sourceRef="draft" targetRef="review" />', "")
            .replace('targetRef="draft"', 'targetRef="review"')
            .replace("<bpmn:incoming>flow_draft_review</bpmn:incoming>",
                     "<bpmn:incoming>flow_start_draft</bpmn:incoming>"))
    files["approval.bpmn"] = text
    return files


def test_select_cases_filters_by_version_and_step(db, engine, v1):
    at_draft = start(db, engine, "approval")
    at_review = start(db, engine, "approval")
    complete(db, engine, ready(db, engine, at_review)["draft"], {"note": "x"})
    v2 = deploy(db, engine, with_check_step())
    newer = start(db, engine, "approval")
    with db.session() as s:
        assert select_instances(s, "approval") == [at_draft, at_review, newer]
        assert select_instances(s, "approval", from_version_id=v1) == [at_draft, at_review]
        assert select_instances(s, "approval", from_version_id=v1, at_step="review") == [at_review]
        assert select_instances(s, "approval", at_step="review_late") == [at_review]
        assert select_instances(s, "other") == []
    assert v2


def test_removing_a_step_the_case_has_passed_is_refused(db, engine, v1):
    """SpiffWorkflow restores every finished task with its spec: the history would not load."""
    case = start(db, engine, "approval")
    complete(db, engine, ready(db, engine, case)["draft"], {"note": "x"})
    no_draft = deploy(db, engine, Package(_without_draft()))
    with db.write() as session:
        [plan] = migrate(session, engine, [case], no_draft, actor="designer")
    assert not plan.migrated
    assert plan.reasons == ["step draft (Draft) the case has passed was removed"]
    complete(db, engine, ready(db, engine, case)["review"], {"note": "x"})  # still runs on v1
    assert instance(db, case).status == "completed"
