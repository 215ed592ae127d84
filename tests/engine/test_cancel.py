"""`Engine.cancel`: a running case ends without running on (used for 并案), audited."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine import ConflictError, NotFoundError
from engine.consistency import check_audit, check_instances
from models import HumanTask, Timer

from .helpers import audit, count, instance, start

pytestmark = pytest.mark.usefixtures("deployed")


def test_a_cancelled_case_closes_its_tasks_and_timers_with_an_audited_reason(db, engine, clock):
    due = clock() + timedelta(days=3)
    case = start(db, engine, "boundary_timer", {"handle_due": due.isoformat()})
    assert count(db, Timer, Timer.instance_id == case) == 1
    with db.write() as session:
        result = engine.cancel(session, case, "commission", detail={"reason": "merged"})
    assert result.status == "cancelled"
    row = instance(db, case)
    assert row.status == "cancelled" and row.completed_at is not None
    assert count(db, Timer, Timer.instance_id == case) == 0
    assert count(db, HumanTask, HumanTask.instance_id == case, HumanTask.state == "ready") == 0
    assert count(db, HumanTask, HumanTask.instance_id == case, HumanTask.state == "cancelled") == 1
    [event] = audit(db, case, "case_cancelled")
    assert (event.actor, event.detail) == ("commission", {"reason": "merged"})
    assert audit(db, case, "case_completed") == []
    with db.write() as session:
        with pytest.raises(ConflictError):
            engine.cancel(session, case, "commission")
        with pytest.raises(NotFoundError):
            engine.cancel(session, 999999, "commission")
        assert engine.fire_due_timers(session, due + timedelta(days=1)) == 0
    with db.session() as session:
        assert check_instances(session, engine) == [] and check_audit(session) == []
