"""Small helpers for engine tests: start a case, find and complete its tasks."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models import AuditEvent, HumanTask, ProcessInstance


def start(db, engine, process_id, data=None, actor="commission"):
    with db.write() as session:
        return engine.start(session, process_id, data or {}, actor=actor).instance_id


def ready(db, engine, instance_id) -> dict[str, HumanTask]:
    """Ready tasks by BPMN id (a multi-instance task appears once per instance: list)."""
    with db.session() as session:
        rows = engine.ready_tasks(session, instance_id=instance_id)
    found: dict = {}
    for row in rows:
        found.setdefault(row.bpmn_id, []).append(row)
    return {k: v[0] if len(v) == 1 else v for k, v in found.items()}


def complete(db, engine, task, data=None, actor="handler"):
    task_id = task if isinstance(task, str) else task.id
    with db.write() as session:
        return engine.complete(session, task_id, actor, data or {})


def instance(db, instance_id) -> ProcessInstance:
    with db.session() as session:
        return session.get(ProcessInstance, instance_id)


def audit(db, instance_id=None, action=None) -> list[AuditEvent]:
    with db.session() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if instance_id is not None:
            query = query.where(AuditEvent.instance_id == instance_id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(session.scalars(query))


def count(db, model, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


# Each fixture process with the answers that walk it through its rare parts (a multi-instance,
# a loop, a call activity, a boundary timer, an escalation): the walks the serializer and the
# stepping tests compare against SpiffWorkflow's own behaviour.
FIXTURE_WALKS = [
    ("multi_instance", {"assign": {"co_units": ["finance", "transport"]},
                        "co_opinion": {"opinion": "ok"}}),
    ("loop", {"feedback": {"satisfied": False}, "rehandle": {"note": "again"}}),
    ("call_activity", {"review": {"decision": "approve"}}),
    ("boundary_timer", {}),
    ("escalation", {"handle": {"need_coordination": True}}),
]


def walk_fixture(db, engine, clock, process_id: str, answers: dict, steps: int) -> int:
    """Start a fixture process, let its timer fire, then complete up to `steps` tasks with
    `answers`, every other step from the stored state (the live copy forgotten). The case id."""
    case = start(db, engine, process_id, {"handle_due": (clock() + timedelta(days=3)).isoformat()})
    clock.advance(days=4)  # a waiting timer fires: a catching event is in the state
    with db.write() as session:
        engine.fire_due_timers(session)
    for step in range(steps):
        tasks = ready(db, engine, case)
        if not tasks:
            break
        bpmn_id, task = next(iter(tasks.items()))
        task = task[0] if isinstance(task, list) else task
        if step % 2:
            engine._live.clear()  # every other step starts from the stored state
        complete(db, engine, task, answers.get(bpmn_id, {}))
    return case
