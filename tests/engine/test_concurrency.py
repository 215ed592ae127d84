"""Races and failures: one winner per task, all-or-nothing steps, timers fired exactly once."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from engine import ConflictError
from engine.scheduler import tick
from models import AuditEvent, Database, HumanTask, ProcessInstance, Timer

from ..conftest import make_engine
from .helpers import audit, complete, count, instance, ready, start

pytestmark = pytest.mark.usefixtures("deployed")


def _race(workers):
    """Run callables at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(i, work):
        barrier.wait()
        try:
            results[i] = work()
        except Exception as err:  # collected for the assertions
            results[i] = err

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.parametrize("shared_engine", [True, False], ids=["one-worker", "two-workers"])
def test_two_people_completing_one_task_one_wins_the_other_is_told(db, engine, clock,
                                                                   shared_engine):
    case = start(db, engine, "linear10")
    task = ready(db, engine, case)["step_01"]
    engines = [engine, engine if shared_engine else make_engine(clock)]
    # Separate connection pools, as two gunicorn workers would have.
    databases = [db, Database(str(db.url.render_as_string(hide_password=False)))]

    def attempt(i):
        def work():
            with databases[i].write() as session:
                return engines[i].complete(session, task.id, f"user{i}", {"note": str(i)})
        return work

    results = _race([attempt(0), attempt(1)])
    databases[1].dispose()
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], ConflictError)
    assert "already completed" in str(losses[0]) or "no longer ready" in str(losses[0])
    completions = audit(db, case, "complete")
    assert len(completions) == 1
    with db.session() as session:
        row = session.get(HumanTask, task.id)
    assert row.state == "completed" and row.completed_by == completions[0].actor
    assert list(ready(db, engine, case)) == ["step_02"]
    assert instance(db, case).version == 3


class Boom(RuntimeError):
    pass


def test_a_crash_after_the_state_write_leaves_everything_as_it_was(db, engine, clock):
    due = clock() + timedelta(days=1)
    case = start(db, engine, "boundary_timer", {"handle_due": due.isoformat()})
    handle = ready(db, engine, case)["handle"]

    def snapshot():
        with db.session() as session:
            row = session.get(ProcessInstance, case)
            tasks = session.execute(select(HumanTask.id, HumanTask.state)
                                    .where(HumanTask.instance_id == case)).all()
            timers = session.execute(select(Timer.task_id, Timer.due_at)
                                     .where(Timer.instance_id == case)).all()
            audits = session.scalar(select(func.count()).select_from(AuditEvent))
        return row.version, row.state, row.status, sorted(tasks), sorted(timers), audits

    before = snapshot()
    with pytest.raises(Boom):
        with db.write() as session:
            @event.listens_for(session, "before_commit")
            def crash(_session):
                raise Boom("power cut after the state write")
            engine.complete(session, handle.id, "handler", {"note": "done"})
            assert session.execute(select(ProcessInstance.version)
                                   .where(ProcessInstance.id == case)).scalar() == before[0] + 1
    assert snapshot() == before
    # The engine's in-memory copy must not have kept the lost step either.
    complete(db, engine, handle, {"note": "done"})
    assert instance(db, case).status == "completed"
    assert count(db, Timer, Timer.instance_id == case) == 0


def test_two_schedulers_fire_each_due_timer_exactly_once(db, engine, clock):
    due = clock() + timedelta(hours=1)
    cases = [start(db, engine, "boundary_timer", {"handle_due": due.isoformat()})
             for _ in range(30)]
    clock.advance(hours=2)
    url = db.url.render_as_string(hide_password=False)
    schedulers = [(Database(url), make_engine(clock)) for _ in range(2)]

    def scheduler(database, eng):
        def work():
            fired = 0
            for _ in range(40):
                fired += tick(database, eng, batch=3)
                if not count(database, Timer, Timer.due_at <= clock()):
                    break
            return fired
        return work

    results = _race([scheduler(*s) for s in schedulers])
    for database, _ in schedulers:
        database.dispose()
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 30
    fired = audit(db, action="timer_fired")
    assert len(fired) == 30
    assert len({(e.instance_id, e.task_id) for e in fired}) == 30
    with db.session() as session:
        supervise = session.scalars(select(HumanTask.instance_id)
                                    .where(HumanTask.bpmn_id == "supervise")).all()
    assert sorted(supervise) == sorted(cases)
    assert count(db, Timer) == 0
