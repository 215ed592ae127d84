"""The timer scheduler: one APScheduler interval job that fires due timers in short batches."""
from __future__ import annotations

import logging
import time
from typing import Callable, Iterable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from models import Database

from .runtime import Engine

log = logging.getLogger(__name__)


def tick(db: Database, engine: Engine, batch: int = 50, budget_s: float = 20.0) -> int:
    """Fire every due timer (one transaction per batch) until none is due or the budget is spent."""
    fired, deadline = 0, time.monotonic() + budget_s
    while time.monotonic() < deadline:
        with db.write() as session:
            count = engine.fire_due_timers(session, limit=batch)
        fired += count
        if count < batch:
            break
    if fired:
        log.info("due timers fired in %d case(s)", fired)
    return fired


def make_scheduler(db: Database, engine: Engine, interval_s: float = 10.0,
                   blocking: bool = False, jobs: Iterable[Callable[[Database], object]] = ()):
    """An APScheduler with the timer job (and any other `jobs`, each called with the database at
    the same interval); start() it (blocking for `jianyi scheduler`)."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    scheduler.add_job(tick, "interval", seconds=interval_s, args=[db, engine],
                      id="fire_due_timers", max_instances=1, coalesce=True)
    for job in jobs:
        scheduler.add_job(job, "interval", seconds=interval_s, args=[db],
                          id=f"{job.__module__}.{job.__name__}", max_instances=1, coalesce=True)
    return scheduler
