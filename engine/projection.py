"""Keep the `human_task` and `timer` tables in step with a workflow's state.

Both sides are computed from the workflow in memory (before and after a step) and only the
difference is written, so a step costs a few row writes whatever the size of the instance.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (TimeDateEventDefinition,
                                                              TimerEventDefinition)
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from models import HumanTask, Timer

from .bpmn import DUE_AT, FORM, SUBJECT, is_human_task, task_properties

HT, TM = HumanTask.__table__, Timer.__table__
_CANCEL_TASKS = (update(HT).where(HT.c.id.in_(bindparam("ids", expanding=True)),
                                  HT.c.state == "ready")
                 .values(state="cancelled", completed_at=bindparam("now")))
_DELETE_TIMERS = delete(TM).where(TM.c.instance_id == bindparam("instance_id"),
                                  TM.c.task_id.in_(bindparam("ids", expanding=True)))
_INSERT_TASKS, _INSERT_TIMERS = insert(HT), insert(TM)


@dataclass(frozen=True)
class Candidates:
    """Who may work on a task: a role, optionally narrowed to a unit, or one person."""

    role: str | None = None
    unit: str | None = None
    assignee: str | None = None


@dataclass(frozen=True)
class TaskContext:
    """What a lane resolver knows about a human task that has just become ready.

    `process_id` is the BPMN process that defines the task: the called process for a task inside
    a call activity, the enclosing process for a task inside an embedded subprocess. `lane` is
    None for a task drawn outside every lane; `initiator` is who started the instance.
    """

    process_id: str
    lane: str | None
    bpmn_id: str
    data: dict[str, Any]
    initiator: str | None


LaneResolver = Callable[[TaskContext], Candidates]


def default_lane_resolver(ctx: TaskContext) -> Candidates:
    """Without domain knowledge a lane is simply a role; a task outside every lane is the
    initiator's (SpiffArena's convention)."""
    if ctx.lane is None:
        return Candidates(assignee=ctx.initiator)
    return Candidates(role=ctx.lane)


def defining_process(task) -> str:
    """The id of the BPMN process a task is drawn in. SpiffWorkflow runs an embedded subprocess
    as a sub-workflow of its own spec (named after the subprocess element), so climb out of
    embedded subprocesses until a call activity's process or the top process."""
    workflow = task.workflow
    while workflow.parent_workflow is not None:
        parent = workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
        if parent is None or isinstance(parent.task_spec, CallActivity):
            break
        workflow = parent.workflow
    return workflow.spec.name


@dataclass(frozen=True)
class Snapshot:
    """The ready human (user and manual) tasks and pending timers of a workflow:
    id -> task, id -> (due, bpmn id)."""

    ready: dict[str, Any]
    timers: dict[str, tuple[datetime, str]]


def snapshot(workflow: BpmnWorkflow) -> Snapshot:
    """Read ready human tasks and waiting timers (with their deadlines) from the workflow.

    Walks the flat task maps rather than the task tree: an instance that loops grows a deep tree.
    """
    ready, timers = {}, {}
    for tasks in (workflow.tasks, *(sp.tasks for sp in workflow.subprocesses.values())):
        for task in tasks.values():
            state = task._state  # the attribute: `state` is a property, this loop sees every task
            if state == TaskState.READY:
                if is_human_task(task.task_spec):
                    ready[str(task.id)] = task
            elif state == TaskState.WAITING:
                due = timer_due(task)
                if due is not None:
                    timers[str(task.id)] = (due, task.task_spec.bpmn_id)
    return Snapshot(ready, timers)


def refresh_deadlines(workflow: BpmnWorkflow) -> None:
    """Re-evaluate the expressions of waiting date timers so they follow their variables.

    SpiffWorkflow evaluates a timeDate expression once, when the timer is armed. Deadlines here
    move (an approved extension, a re-handling period), so a pending date timer is re-armed
    whenever its expression now gives another date; duration and cycle timers are left alone.
    """
    for tasks in (workflow.tasks, *(sp.tasks for sp in workflow.subprocesses.values())):
        for task in tasks.values():
            if task._state != TaskState.WAITING:
                continue
            definition = getattr(task.task_spec, "event_definition", None)
            if type(definition) is not TimeDateEventDefinition:
                continue
            value = workflow.script_engine.evaluate(task, definition.expression)
            if value != task._get_internal_data("event_value"):
                task._set_internal_data(event_value=value, event_fired=False)


def timer_due(task) -> datetime | None:
    """The deadline of a waiting timer event task, from the value SpiffWorkflow stored."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return None
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):  # cycle timer
        value = value.get("next")
    if not value:
        return None
    return TimerEventDefinition.get_datetime(value) if isinstance(value, str) else value


def apply(session: Session, instance_id: int, before: Snapshot, after: Snapshot, *,
          now: datetime, resolve: LaneResolver, evaluate: Callable[[Any, str], Any],
          completed: str | None = None, initiator: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Write the difference between two snapshots. Returns the ids of tasks that left the inbox
    and the rows written for tasks that entered it. `completed` is the task a person completed
    in this step (its row is already written); `initiator` who started the instance."""
    conn = session.connection()
    gone = [tid for tid in before.ready if tid not in after.ready]
    cancelled = [tid for tid in gone if tid != completed]
    if cancelled:  # left the inbox without being completed by a person
        conn.execute(_CANCEL_TASKS, {"ids": cancelled, "now": now})
    rows = []
    for tid, task in after.ready.items():
        if tid in before.ready:
            continue
        spec = task.task_spec
        props = task_properties(spec)
        who = resolve(TaskContext(defining_process(task), spec.lane, spec.bpmn_id, task.data,
                                  initiator))
        due, subject = props.get(DUE_AT), props.get(SUBJECT)
        rows.append(dict(
            id=tid, instance_id=instance_id, bpmn_id=spec.bpmn_id, name=spec.bpmn_name,
            lane=spec.lane, form=props.get(FORM), candidate_role=who.role,
            candidate_unit=who.unit, assignee=who.assignee,
            subject=str(evaluate(task, subject))[:255] if subject else None,
            claimed_at=None, state="ready",
            due_at=_as_datetime(evaluate(task, due)) if due else None, created_at=now,
            completed_by=None, completed_at=None))
    if rows:
        conn.execute(_INSERT_TASKS, rows)

    stale = [tid for tid, due in before.timers.items() if after.timers.get(tid) != due]
    if stale:
        conn.execute(_DELETE_TIMERS, {"instance_id": instance_id, "ids": stale})
    timers = [dict(instance_id=instance_id, task_id=tid, due_at=due, bpmn_id=bpmn_id)
              for tid, (due, bpmn_id) in after.timers.items()
              if before.timers.get(tid) != (due, bpmn_id)]
    if timers:
        conn.execute(_INSERT_TIMERS, timers)
    return gone, rows


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return TimerEventDefinition.get_datetime(str(value))
