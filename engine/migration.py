"""Moving running instances to a newer version of their process.

Built on SpiffWorkflow's spec diff (`SpiffWorkflow.bpmn.util.diff`): each task of an instance is
aligned with a task spec of the new version. A migration is refused, with a reason, where it is
unsafe: a step the instance is at (ready, waiting or running) was removed or changed beyond its
name, flows or documentation; a subprocess the instance is in no longer exists; or the migrated
state does not reload (SpiffWorkflow restores each finished task with its spec, so a step the
instance has passed may not be removed either). A dry run does everything on a throwaway copy and
writes nothing; a real run saves the state with the new version, keeps the inbox and timer tables in
step and audits each instance.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from models import HumanTask, ProcessInstance, Timer

from . import projection, serializer
from .errors import EngineError, NotFoundError
from .instance import Instance

PI = ProcessInstance.__table__
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
RESET = TaskState.READY | TaskState.WAITING  # what SpiffWorkflow resets and predicts again
# Attributes of a task spec that may change while an instance is at that step: the step itself
# still means the same (same type, lane, form, scripts, timer, operator).
HARMLESS = frozenset({"inputs", "outputs", "bpmn_name", "description", "documentation"})


@dataclass
class MigrationPlan:
    """What migrating one instance does, or why it is refused (an empty `reasons` means safe)."""

    instance_id: int
    process_id: str
    from_version: int
    to_version: int
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    migrated: bool = False

    @property
    def safe(self) -> bool:
        return not self.reasons


def select_instances(session: Session, process_id: str, *, from_version_id: int | None = None,
                 at_step: str | None = None) -> list[int]:
    """Running instances of a process, optionally only those on a version or waiting at a step."""
    query = select(PI.c.id).where(PI.c.process_id == process_id, PI.c.status == "running")
    if from_version_id is not None:
        query = query.where(PI.c.process_version_id == from_version_id)
    if at_step:
        at_task = select(HumanTask.instance_id).where(HumanTask.bpmn_id == at_step,
                                                      HumanTask.state == "ready")
        at_timer = select(Timer.instance_id).where(Timer.bpmn_id == at_step)
        query = query.where(PI.c.id.in_(at_task.union(at_timer)))
    return list(session.scalars(query.order_by(PI.c.id)))


def dry_run(session: Session, engine, instance_ids: list[int],
            to_version_id: int) -> list[MigrationPlan]:
    """What migrating these instances would do, instance by instance; nothing is written."""
    plans = []
    for instance_id in instance_ids:
        row = session.execute(select(PI).where(PI.c.id == instance_id)).one_or_none()
        plans.append(_prepare(session, engine, instance_id, row, to_version_id)[0])
    return plans


def migrate(session: Session, engine, instance_ids: list[int], to_version_id: int,
            actor: str) -> list[MigrationPlan]:
    """Migrate the safe instances (each in its own savepoint), audit every instance, refuse the
    rest.

    The caller commits. Refused instances are left exactly as they were.
    """

    plans = []
    for instance_id in instance_ids:
        now = engine.clock()
        try:
            with session.begin_nested():
                row = session.execute(select(PI).where(PI.c.id == instance_id)
                                      .with_for_update()).one_or_none()
                plan, workflow, before = _prepare(session, engine, instance_id, row, to_version_id)
                if plan.safe:
                    engine._save(session, Instance.from_row(row), workflow, before, actor, now)
                    session.execute(update(PI).where(PI.c.id == instance_id)
                                    .values(process_version_id=to_version_id))
                    plan.migrated = True
        except EngineError as err:  # e.g. the instance changed meanwhile: nothing of it was written
            engine._forget(instance_id)
            plan.reasons.append(str(err))
        engine._audit(session, actor, "migrate" if plan.migrated else "migrate_refused",
                      instance_id=instance_id if row is not None else None, at=now, detail={
                          "from_version": plan.from_version, "to_version": to_version_id,
                          "changes": plan.changes, "reasons": plan.reasons})
        plans.append(plan)
    return plans


def _prepare(session: Session, engine, instance_id: int, row, to_version_id: int):
    """The plan for one instance and, when safe, its migrated workflow and pre-migration
    snapshot."""
    if row is None:
        missing = [f"case {instance_id} does not exist"]
        return MigrationPlan(instance_id, "", 0, to_version_id, missing), None, None
    plan = MigrationPlan(instance_id, row.process_id, row.process_version_id, to_version_id)
    if row.status != "running":
        plan.reasons.append(f"the case is {row.status}, not running")
    elif to_version_id == row.process_version_id:
        plan.reasons.append(f"the case is already on version {to_version_id}")
    elif to_version_id < row.process_version_id:
        plan.reasons.append(f"version {to_version_id} is older than the case's version "
                            f"{row.process_version_id}")
    if not plan.safe:
        return plan, None, None
    try:
        spec, subprocess_specs = engine.compiled_version(session, to_version_id).spec(
            row.process_id)
    except NotFoundError as err:
        plan.reasons.append(str(err))
        return plan, None, None
    except KeyError:
        plan.reasons.append(f"version {to_version_id} has no process '{row.process_id}'")
        return plan, None, None
    workflow = engine.workflow(session, row)  # a fresh copy: the live one is never touched
    before = projection.snapshot(workflow)
    # SpiffWorkflow re-predicts the reset tasks, which evaluates the expressions of waiting timers
    # (a `deadline(...)` reads the database): run it as a step, with the session and the clock.
    engine._run(Instance.from_row(row), workflow, "migration", engine.clock(),
                lambda: _migrate_workflow(workflow, spec, subprocess_specs, plan), session,
                refresh=False)
    if plan.safe:
        _check_reload(workflow, spec, subprocess_specs, before, plan)
    return plan, (workflow if plan.safe else None), before


def _label(task) -> str:
    spec = task.task_spec
    return f"{spec.bpmn_id or spec.name}" + (f" ({spec.bpmn_name})" if spec.bpmn_name else "")


def _migrate_workflow(workflow: BpmnWorkflow, spec, subprocess_specs: dict,
                      plan: MigrationPlan) -> None:
    """Diff every (sub)workflow of the instance against the new specs; migrate in memory if safe."""
    registry = serializer.REGISTRY
    parts = [(workflow, SpecDiff(registry, workflow.spec, spec), spec)]
    for sub in workflow.subprocesses.values():
        new = subprocess_specs.get(sub.spec.name)
        if new is None:
            plan.reasons.append(f"subprocess '{sub.spec.name}' the case is in was removed")
            continue
        parts.append((sub, SpecDiff(registry, sub.spec, new), new))
    diffs = []
    for part, spec_diff, new in parts:
        diff = WorkflowDiff(part, spec_diff)
        for task in diff.removed:
            if task.state & ACTIVE:
                plan.reasons.append(f"step {_label(task)} where the case is now was removed")
            elif task.state & TaskState.FINISHED_MASK:  # its history needs the spec to reload
                plan.reasons.append(f"step {_label(task)} the case has passed was removed")
        for task in diff.changed:
            if task.state & ACTIVE:
                changed = spec_diff.changed[task.task_spec]
                unsafe = sorted(set(changed) - HARMLESS)
                if unsafe:
                    plan.reasons.append(f"step {_label(task)} where the case is now changed: "
                                        f"{', '.join(unsafe)}")
                else:
                    plan.changes.append(f"step {_label(task)}: {', '.join(sorted(changed))}")
        added = sorted(s.bpmn_id for s in spec_diff.added if s.bpmn_id)
        removed = sorted(s.bpmn_id for s in spec_diff.removed if s.bpmn_id)
        where = "" if part is workflow else f" in {part.spec.name}"
        if added:
            plan.changes.append(f"new steps{where}: {', '.join(added)}")
        if removed:
            plan.changes.append(f"removed steps{where}: {', '.join(removed)}")
        diffs.append((part, diff, new))
    if not plan.safe:
        return
    # SpiffWorkflow resets ready and waiting tasks to predict their futures again; keep their
    # data and timer deadlines (a reset duration timer would otherwise restart from now).
    kept = {task.id: (deepcopy(task.data), deepcopy(task.internal_data))
            for part, _, _ in diffs for task in part.get_tasks(state=RESET, skip_subprocesses=True)}
    for part, diff, new in diffs:
        migrate_workflow(diff, part, new)
    workflow.subprocess_specs = subprocess_specs
    for part, _, _ in diffs:
        for task in part.tasks.values():
            if task.id in kept and task.state & RESET:
                task.data, task.internal_data = kept[task.id]
    serializer.forget_cached_json(workflow)


def _check_reload(workflow: BpmnWorkflow, spec, subprocess_specs: dict,
                  before: projection.Snapshot, plan: MigrationPlan) -> None:
    """The migrated state must reload with the new specs and wait where the instance waited."""
    try:
        again = serializer.loads(serializer.dumps(workflow), serializer.VERSION, spec,
                                 subprocess_specs)
    except Exception as err:  # SpiffWorkflow cannot restore it: refuse rather than break it
        plan.reasons.append(f"the migrated state does not reload: {type(err).__name__}: {err}")
        return
    orphans = [t for part in (again, *again.subprocesses.values()) for t in part.tasks.values()
               if t.task_spec is None]
    if orphans:
        plan.reasons.append(f"{len(orphans)} finished task(s) of the case have no step in the "
                            f"new version, so its history would not reload")
        return
    after = projection.snapshot(again)
    moved = sorted({_label(t) for t in before.ready.values()} ^
                   {_label(t) for t in after.ready.values()})
    if set(before.ready) != set(after.ready) or moved:
        plan.reasons.append(f"the open steps would change: {', '.join(moved) or 'task ids'}")
