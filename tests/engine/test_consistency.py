"""The consistency checks report exactly what is out of step, and nothing on a clean database."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, insert

from engine.consistency import check_audit, check_instances
from models import AuditEvent, HumanTask, Timer

from .helpers import start

pytestmark = pytest.mark.usefixtures("deployed")


def test_a_clean_database_is_consistent_and_damage_is_reported(db, engine, clock):
    due = clock() + timedelta(minutes=30)
    case = start(db, engine, "boundary_timer", {"handle_due": due.isoformat()})
    other = start(db, engine, "linear10")
    with db.write() as s:
        first = engine.ready_tasks(s, instance_id=other)[0]
        engine.complete(s, first.id, "alice", {})
    with db.session() as s:
        assert check_instances(s, engine) == [] and check_audit(s) == []
    with db.write() as s:
        s.execute(delete(HumanTask).where(HumanTask.instance_id == case))
        s.execute(delete(Timer).where(Timer.instance_id == case))
        s.execute(insert(AuditEvent), [dict(at=clock(), actor="x", action="complete",
                                            instance_id=other, task_id=first.id, detail={})])
    with db.session() as s:
        problems = check_instances(s, engine)
        audit_problems = check_audit(s)
    assert len(problems) == 2 and all(p.startswith(f"case {case}:") for p in problems)
    assert audit_problems == [f"task {first.id}: 2 complete events in the audit trail"]
