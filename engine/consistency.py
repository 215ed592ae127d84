"""Consistency checks after a crash, a restore or a load run (`jianyi check`).

An instance is consistent when its projections say what its stored workflow says: the open
`human_task` rows are exactly the workflow's ready user tasks, the `timer` rows exactly its waiting
timers, and a running instance can still move (a ready task or a pending timer). The audit trail is
consistent when every completed task has exactly one `complete` event and no timer fired twice.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEvent, HumanTask, ProcessInstance, ProcessVersion, Timer

from . import projection
from .errors import ProcessError
from .runtime import Engine


def check_versions(session: Session, engine: Engine) -> list[str]:
    """Stored versions that today's deploy rules refuse (a script or markup stored before a
    rule existed): their instances cannot run until they are migrated to a version that passes."""
    problems = []
    for version_id in session.scalars(select(ProcessVersion.id).order_by(ProcessVersion.id)):
        try:
            engine.compiled_version(session, version_id)
        except ProcessError as err:
            problems.append(str(err))
    return problems


def check_instances(session: Session, engine: Engine,
                instance_ids: Iterable[int] | None = None) -> list[str]:
    """One line per inconsistent instance (empty when every instance is consistent)."""
    query = select(ProcessInstance).order_by(ProcessInstance.id)
    if instance_ids is not None:
        query = query.where(ProcessInstance.id.in_(list(instance_ids)))
    problems = []
    for instance in session.scalars(query).yield_per(200):
        problems += [f"case {instance.id}: {p}" for p in _check_instance(session, engine, instance)]
        session.expunge(instance)
    return problems


def _check_instance(session: Session, engine: Engine, instance: ProcessInstance) -> list[str]:
    try:
        snap = projection.snapshot(engine.workflow(session, instance))
    except ProcessError as err:  # its version fails today's rules (check_versions says why)
        return [f"cannot be loaded: {err}"[:300]]
    open_rows = set(session.scalars(select(HumanTask.id).where(
        HumanTask.instance_id == instance.id, HumanTask.state == "ready")))
    timer_rows = set(session.scalars(select(Timer.task_id).where(
        Timer.instance_id == instance.id)))
    problems = []
    if open_rows != set(snap.ready):
        problems.append(f"open tasks {sorted(open_rows)} but the workflow has ready "
                        f"{sorted(snap.ready)}")
    if timer_rows != set(snap.timers):
        problems.append(f"timer rows {sorted(timer_rows)} but the workflow waits on "
                        f"{sorted(snap.timers)}")
    if instance.status == "running" and not snap.ready and not snap.timers:
        problems.append("stuck: running with no ready task and no pending timer")
    if instance.status in ("completed", "cancelled") and (open_rows or timer_rows):
        problems.append(f"{instance.status} but tasks or timers are still open")
    return problems


def check_audit(session: Session) -> list[str]:
    """Completed tasks without exactly one `complete` event; timers fired more than once."""
    completes = (select(AuditEvent.task_id, func.count().label("n"))
                 .where(AuditEvent.action == "complete").group_by(AuditEvent.task_id).subquery())
    problems = [f"task {task_id}: {n or 0} complete events in the audit trail"
                for task_id, n in session.execute(
                    select(HumanTask.id, completes.c.n)
                    .outerjoin(completes, completes.c.task_id == HumanTask.id)
                    .where(HumanTask.state == "completed", func.coalesce(completes.c.n, 0) != 1))]
    problems += [f"task {task_id}: complete events but the task is {state or 'missing'}"
                 for task_id, state in session.execute(
                     select(completes.c.task_id, HumanTask.state)
                     .outerjoin(HumanTask, HumanTask.id == completes.c.task_id)
                     .where(func.coalesce(HumanTask.state, "") != "completed"))]
    problems += [f"timer {task_id} of case {instance_id} fired {n} times"
                 for instance_id, task_id, n in session.execute(
                     select(AuditEvent.instance_id, AuditEvent.task_id, func.count())
                     .where(AuditEvent.action == "timer_fired")
                     .group_by(AuditEvent.instance_id, AuditEvent.task_id)
                     .having(func.count() > 1))]
    return problems
