"""Running the fixture processes through the engine, on every backend."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import ConflictError, FormError, ProcessError
from models import HumanTask, ProcessInstance, Timer

from .helpers import audit, complete, count, instance, ready, start

pytestmark = pytest.mark.usefixtures("deployed")


def test_user_tasks_across_lanes_run_to_the_end_with_an_audit_row_per_step(db, engine):
    case = start(db, engine, "linear10")
    lanes = []
    for step in range(1, 11):
        tasks = ready(db, engine, case)
        assert list(tasks) == [f"step_{step:02d}"]
        task = tasks[f"step_{step:02d}"]
        lanes.append((task.lane, task.candidate_role, task.form))
        complete(db, engine, task, {"note": f"done {step}"}, actor=f"user{step}")
    assert lanes[:2] == [("Commission", "Commission", "note.schema.json"),
                         ("LeadUnit", "LeadUnit", "note.schema.json")]
    row = instance(db, case)
    assert row.status == "completed" and row.completed_at is not None
    assert row.version == 12  # start + 10 completions, each saved once... plus the start insert
    actions = [e.action for e in audit(db, case)]
    assert actions == ["start"] + ["complete"] * 10 + ["case_completed"]
    completions = audit(db, case, "complete")
    assert [e.actor for e in completions] == [f"user{i}" for i in range(1, 11)]
    assert completions[0].detail["data"] == {"note": "done 1"}
    with db.session() as session:
        done = session.scalars(select(HumanTask).where(HumanTask.instance_id == case)).all()
    assert {t.state for t in done} == {"completed"}
    assert {t.completed_by for t in done} == {f"user{i}" for i in range(1, 11)}


def test_engine_state_is_stored_without_the_spec(db, engine):
    case = start(db, engine, "linear10")
    row = instance(db, case)
    assert '"spec"' not in row.state and '"subprocess_specs"' not in row.state
    assert row.serializer_version
    # A fresh engine (another process, cold caches) continues the case from the database.
    from tests.conftest import make_engine
    other = make_engine(engine.clock)
    with db.write() as session:
        result = other.complete(session, ready(db, other, case)["step_01"].id, "u", {})
    assert list(result.new_tasks.values()) == ["step_02"]


def test_parallel_multi_instance_collects_every_opinion(db, engine):
    case = start(db, engine, "multi_instance")
    complete(db, engine, ready(db, engine, case)["assign"], {"co_units": ["finance", "transport"]})
    opinions = ready(db, engine, case)["co_opinion"]
    assert len(opinions) == 2 and {t.candidate_role for t in opinions} == {"CoUnit"}
    complete(db, engine, opinions[0], {"opinion": "funds agreed"}, actor="finance_user")
    assert "draft_reply" not in ready(db, engine, case)
    complete(db, engine, opinions[1], {"opinion": "route planned"}, actor="transport_user")
    draft = ready(db, engine, case)["draft_reply"]
    with db.session() as session:
        data = engine.task_data(session, draft.id)
    assert sorted(o["opinion"] for o in data["opinions"]) == ["funds agreed", "route planned"]


def test_exclusive_gateway_loop_goes_round_until_satisfied(db, engine):
    case = start(db, engine, "loop")
    for round_ in range(3):
        complete(db, engine, ready(db, engine, case)["feedback"], {"satisfied": False})
        complete(db, engine, ready(db, engine, case)["rehandle"], {"note": f"round {round_}"})
    complete(db, engine, ready(db, engine, case)["feedback"], {"satisfied": True})
    assert instance(db, case).status == "completed"
    assert len(audit(db, case, "complete")) == 7


def test_form_data_is_checked_against_the_json_schema_and_nothing_changes(db, engine):
    case = start(db, engine, "loop")
    task = ready(db, engine, case)["feedback"]
    before = instance(db, case)
    with pytest.raises(FormError) as err:
        complete(db, engine, task, {"satisfied": "yes", "comment": 5})
    assert set(err.value.errors) == {"satisfied", "comment"}
    with pytest.raises(FormError) as err:
        complete(db, engine, task, {})
    assert "satisfied" in err.value.errors
    after = instance(db, case)
    assert (after.version, after.state) == (before.version, before.state)
    assert ready(db, engine, case)["feedback"].state == "ready"
    assert audit(db, case, "complete") == []


def test_non_interrupting_boundary_timer_opens_a_supervision_task(db, engine, clock):
    due = clock() + timedelta(days=3)
    case = start(db, engine, "boundary_timer", {"handle_due": due.isoformat()})
    handle = ready(db, engine, case)["handle"]
    assert handle.due_at == due
    assert handle.subject == f"due {due.date().isoformat()}"  # the `subject` property, evaluated
    with db.session() as session:
        timers = session.scalars(select(Timer).where(Timer.instance_id == case)).all()
    assert [(t.bpmn_id, t.due_at) for t in timers] == [("handle_overdue", due)]

    with db.write() as session:
        assert engine.fire_due_timers(session) == 0  # not yet due
    clock.advance(days=3, minutes=1)
    with db.write() as session:
        assert engine.fire_due_timers(session) == 1
    tasks = ready(db, engine, case)
    assert set(tasks) == {"handle", "supervise"}  # non-interrupting: handle stays open
    assert tasks["supervise"].candidate_role == "Supervisor"
    assert count(db, Timer, Timer.instance_id == case) == 0
    fired = audit(db, case, "timer_fired")
    assert [(e.actor, e.bpmn_id) for e in fired] == [("scheduler", "handle_overdue")]
    with db.write() as session:
        assert engine.fire_due_timers(session) == 0  # fired once, never again
    complete(db, engine, tasks["supervise"])
    complete(db, engine, tasks["handle"])
    assert instance(db, case).status == "completed"


def test_duration_timer_counts_from_the_engine_clock(db, engine, clock):
    case = start(db, engine, "reminder_timer")
    with db.session() as session:
        timer = session.scalars(select(Timer).where(Timer.instance_id == case)).one()
    assert timer.due_at == clock() + timedelta(hours=1)
    clock.advance(minutes=61)
    with db.write() as session:
        engine.fire_due_timers(session)
    assert set(ready(db, engine, case)) == {"reply", "remind_ack"}


def test_finishing_the_task_removes_its_boundary_timer(db, engine, clock):
    case = start(db, engine, "reminder_timer")
    complete(db, engine, ready(db, engine, case)["reply"])
    assert count(db, Timer, Timer.instance_id == case) == 0
    assert instance(db, case).status == "completed"


def test_escalation_thrown_in_a_subprocess_is_caught_by_the_boundary(db, engine):
    case = start(db, engine, "escalation")
    complete(db, engine, ready(db, engine, case)["handle"], {"need_coordination": True})
    tasks = ready(db, engine, case)
    assert set(tasks) == {"continue_handling", "coordinate"}
    assert tasks["coordinate"].candidate_role == "ProvincialLeader"
    complete(db, engine, tasks["coordinate"], actor="leader")
    complete(db, engine, tasks["continue_handling"])
    assert instance(db, case).status == "completed"


def test_escalation_not_requested_skips_coordination(db, engine):
    case = start(db, engine, "escalation")
    complete(db, engine, ready(db, engine, case)["handle"], {"need_coordination": False})
    assert instance(db, case).status == "completed"


def test_call_activity_runs_the_called_process_with_its_own_lanes(db, engine):
    case = start(db, engine, "call_activity")
    complete(db, engine, ready(db, engine, case)["prepare"])
    review = ready(db, engine, case)["review"]
    assert (review.lane, review.form) == ("Reviewer", "review.schema.json")
    complete(db, engine, review, {"decision": "approve"}, actor="reviewer")
    assert instance(db, case).status == "completed"


@pytest.mark.parametrize("answer_class, follow_up", [("B", True), ("A", False), ("D", False)])
def test_dmn_business_rule_routes_class_b_to_follow_up(db, engine, answer_class, follow_up):
    case = start(db, engine, "dmn_rule")
    complete(db, engine, ready(db, engine, case)["classify"], {"answer_class": answer_class})
    assert ("follow_up" in ready(db, engine, case)) is follow_up
    assert (instance(db, case).status == "completed") is not follow_up


def test_service_task_calls_the_operator_handed_in(db, engine):
    case = start(db, engine, "service_task")
    complete(db, engine, ready(db, engine, case)["enter"], {"title": "bus lanes"}, actor="clerk")
    confirm = ready(db, engine, case)["confirm"]
    with db.session() as session:
        data = engine.task_data(session, confirm.id)
    assert data["recorded"] == {"title": "BUS LANES", "instance_id": case, "actor": "clerk"}


def test_a_failing_operator_leaves_the_case_as_it_was(db, clock, package):
    from tests.conftest import make_engine

    def broken(call, title):
        raise RuntimeError("registry offline")

    engine = make_engine(clock, operators={"record_title": broken})
    with db.write() as session:
        engine.deploy(session, package, "designer")
    case = start(db, engine, "service_task")
    before = instance(db, case)
    enter = ready(db, engine, case)["enter"]
    with pytest.raises(ProcessError, match="registry offline"):
        complete(db, engine, enter, {"title": "x"})
    after = instance(db, case)
    assert (after.version, after.state) == (before.version, before.state)
    assert ready(db, engine, case)["enter"].state == "ready"
    assert audit(db, case, "complete") == []


def test_completing_a_finished_task_is_a_conflict(db, engine):
    case = start(db, engine, "linear10")
    task = ready(db, engine, case)["step_01"]
    complete(db, engine, task, actor="first")
    with pytest.raises(ConflictError, match="already completed by first"):
        complete(db, engine, task, actor="second")


def test_new_cases_start_on_the_newest_version_and_running_ones_keep_theirs(db, engine, package):
    old_case = start(db, engine, "linear10")
    files = dict(package.files)
    files["linear10.bpmn"] = files["linear10.bpmn"].replace('name="Step 1"', 'name="First step"') \
        if 'name="Step 1"' in files["linear10.bpmn"] else files["linear10.bpmn"] + "\n"
    from engine import Package
    with db.write() as session:
        new_version = engine.deploy(session, Package(files), "designer").id
    new_case = start(db, engine, "linear10")
    assert instance(db, new_case).process_version_id == new_version
    assert instance(db, old_case).process_version_id != new_version
    complete(db, engine, ready(db, engine, old_case)["step_01"])  # old case still runs
    assert len(audit(db, action="deploy")) == 2


def test_deploying_identical_files_twice_keeps_one_version(db, engine, package):
    with db.write() as session:
        first = engine.deploy(session, package, "designer").id
        again = engine.deploy(session, package, "designer").id
    assert first == again
    assert count(db, ProcessInstance) == 0


# ---- human tasks without a lane or a form, manual tasks, and what the resolver is told ----
def _linear_variant(db, engine, **replace):
    """Deploy linear10 with text replaced; returns nothing (the newest version has it)."""
    from engine import Package
    from ..conftest import PROCESSES
    text = (PROCESSES / "linear10.bpmn").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    files = {"linear10.bpmn": text,
             "note.schema.json": (PROCESSES / "note.schema.json").read_text(encoding="utf-8")}
    with db.write() as session:
        engine.deploy(session, Package(files), "designer")


FORM_01 = ('<bpmn:userTask id="step_01" name="Step 01">\n      <bpmn:extensionElements>\n'
           '        <spiffworkflow:properties>\n'
           '          <spiffworkflow:property name="formJsonSchemaFilename" value="note.schema.json" />\n'
           '        </spiffworkflow:properties>\n      </bpmn:extensionElements>')


def test_a_formless_user_task_completes_with_no_data(db, engine):
    _linear_variant(db, engine, **{FORM_01: '<bpmn:userTask id="step_01" name="Step 01">'})
    case = start(db, engine, "linear10")
    task = ready(db, engine, case)["step_01"]
    assert task.form is None
    complete(db, engine, task, {})
    assert set(ready(db, engine, case)) == {"step_02"}


def test_a_manual_task_is_in_the_inbox_and_completes(db, engine):
    """bpmn:manualTask is a human task like a user task: an inbox row, no form, done with {}."""
    from ..conftest import PROCESSES
    text = (PROCESSES / "linear10.bpmn").read_text(encoding="utf-8")
    begin = text.index('<bpmn:userTask id="step_01"')
    close = text.index("</bpmn:userTask>", begin)
    manual = ('<bpmn:manualTask id="step_01" name="Step 01">'
              + text[text.index("<bpmn:incoming>", begin):close] + "</bpmn:manualTask>")
    _linear_variant(db, engine, **{text[begin:close + len("</bpmn:userTask>")]: manual})
    case = start(db, engine, "linear10")
    task = ready(db, engine, case)["step_01"]
    assert (task.form, task.candidate_role) == (None, "Commission")
    complete(db, engine, task, {})
    assert set(ready(db, engine, case)) == {"step_02"}


def test_a_task_outside_every_lane_goes_to_whoever_started_the_case(db, clock):
    """The resolver is told the defining process, lane (None), task id, data and initiator."""
    from engine import Candidates
    from ..conftest import make_engine
    seen = []

    def resolver(ctx):
        seen.append(ctx)
        return Candidates(assignee=ctx.initiator) if ctx.lane is None else Candidates(role=ctx.lane)

    engine = make_engine(clock, lane_resolver=resolver)
    _linear_variant(db, engine, **{"<bpmn:flowNodeRef>step_01</bpmn:flowNodeRef>": ""})
    case = start(db, engine, "linear10", {"x": 1}, actor="clerk")
    task = ready(db, engine, case)["step_01"]
    assert (task.assignee, task.candidate_role, task.lane) == ("clerk", None, None)
    ctx = seen[-1]
    assert (ctx.process_id, ctx.lane, ctx.bpmn_id, ctx.initiator) == (
        "linear10", None, "step_01", "clerk")
    assert ctx.data["x"] == 1
    complete(db, engine, task, {"note": "done"}, actor="clerk")
    assert seen[-1].lane == "LeadUnit" and seen[-1].initiator == "clerk"  # after a reload too


def test_the_resolver_is_told_the_process_that_defines_the_task(db, clock, package):
    """A call activity's task belongs to the called process; an embedded subprocess's task to
    the process it is drawn in."""
    from engine import Candidates
    from ..conftest import make_engine
    seen = {}
    engine = make_engine(clock, lane_resolver=lambda ctx: seen.setdefault(
        ctx.bpmn_id, ctx.process_id) and Candidates(role=ctx.lane))
    with db.write() as session:
        engine.deploy(session, package, "designer")
    case = start(db, engine, "call_activity")
    complete(db, engine, ready(db, engine, case)["prepare"])
    assert seen["review"] == "review_sub" and seen["prepare"] == "call_activity"
    case = start(db, engine, "escalation")
    assert seen["handle"] == "escalation"  # inside the embedded subprocess `handling`
