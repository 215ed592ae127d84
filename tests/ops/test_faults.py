"""Fault tests: web workers SIGKILLed during completions, a scheduler SIGKILLed during a tick.

Afterwards every completion acknowledged to a user is in the database with exactly one audit
event, no timer fired twice, and every case's tasks and timers match its stored state.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from sqlalchemy import func, select

from engine.consistency import check_audit, check_instances
from models import AuditEvent, Timer
from models.db import utcnow

from ..support.kill import kill_run, work_by_user
from ..support.server import ROOT, jianyi, wait_until
from ..workflows.helpers import Cases

UNITS = ["transport", "finance", "education"]


def _sole(unit: str) -> dict:
    return {"mode": "sole", "lead_unit": unit, "co_units": [], "key_suggestion": False}


def test_killed_web_workers_lose_no_acknowledged_completion(db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    for n in range(36):
        cases.new(_sole(UNITS[n % len(UNITS)]))
    work = work_by_user(db, {u: f"{u}_unit_handler" for u in UNITS})
    assert sum(map(len, work.values())) == 36
    run = kill_run(db, work, "pw", kills=2, every=8)
    assert len(run.killed) == 2  # both kills happened while completions were in flight
    assert len(run.acknowledged) >= 16
    assert run.lost == []
    assert run.problems == []


TICK_IN_BATCHES_OF_ONE = """
import sys
from engine.scheduler import tick
from models import Database
from workflows import make_engine
db, engine = Database(sys.argv[1]), make_engine()
while tick(db, engine, batch=1):
    pass
"""


def _due(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Timer).where(Timer.due_at <= utcnow()))


def _fired(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "timer_fired"))


def test_a_scheduler_killed_mid_tick_fires_every_timer_once_after_restart(db, domain_engine,
                                                                           org):
    cases = Cases(db, domain_engine, org)
    for n in range(20):  # registered on 2026-03-02 (the test clock): reply timers are now due
        _sid, case = cases.new(_sole(UNITS[n % len(UNITS)]))
        with db.write() as s:
            from workflows import simulate
            simulate.drive(s, domain_engine, case, stop_at={"consult", "draft_reply"})
    due_before = _due(db)
    assert due_before >= 20
    url = db.url.render_as_string(hide_password=False)
    process = subprocess.Popen([sys.executable, "-c", TICK_IN_BATCHES_OF_ONE, url], cwd=ROOT,
                               env={"PATH": os.environ["PATH"], "LOG_LEVEL": "WARNING"})
    try:  # the tick is under way once it has written its first timer_fired event
        wait_until(lambda: _fired(db) > 0, 60, "the scheduler's first fired timer")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert 0 < _due(db) < due_before  # killed part-way: some cases fired, others not yet
    restarted = jianyi(["scheduler", "--once"], url)
    assert restarted.wait(timeout=120) == 0
    assert _due(db) == 0
    with db.session() as s:
        assert check_audit(s) == []
        assert check_instances(s, domain_engine) == []
