"""The APScheduler job: one interval job per process that runs `tick`."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.scheduler import make_scheduler, tick

from .helpers import audit, ready, start

pytestmark = pytest.mark.usefixtures("deployed")


def test_one_interval_job_fires_due_timers(db, engine, clock, caplog):
    due = clock() + timedelta(minutes=30)
    case = start(db, engine, "boundary_timer", {"handle_due": due.isoformat()})
    scheduler = make_scheduler(db, engine, interval_s=5)
    [job] = scheduler.get_jobs()
    assert (job.id, job.trigger.interval) == ("fire_due_timers", timedelta(seconds=5))
    assert job.func is tick and job.args == (db, engine)
    caplog.set_level("INFO", logger="engine.scheduler")
    assert tick(db, engine) == 0
    assert not caplog.records  # a quiet tick logs nothing
    clock.advance(hours=1)
    job.func(*job.args)  # what APScheduler runs at each interval
    assert "supervise" in ready(db, engine, case)
    assert len(audit(db, case, "timer_fired")) == 1
    assert [r.getMessage() for r in caplog.records] == ["due timers fired in 1 case(s)"]
