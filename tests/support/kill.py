"""Kill runs: SIGKILL web workers in the middle of completions, then count what was lost.

Shared by the fault tests (which assert nothing is lost and every case is consistent) and by
`make bench` (bench/kill.py reports `lost_after_kill`). Each client completes its own
acknowledgements, so a redirect after the POST means "done" (nobody else could have completed the
task first).
"""
from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select

from engine.consistency import check_audit, check_instances
from models import Database, HumanTask
from workflows import make_engine

from .server import Client, production


@dataclass
class KillRun:
    acknowledged: dict[str, str] = field(default_factory=dict)  # task id -> user
    failed: int = 0          # requests cut off by a kill (outcome unknown to the user)
    killed: list[int] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def work_by_user(db: Database, password_users: dict[str, str]) -> dict[str, list[str]]:
    """Ready acknowledgements split between the given users (unit code -> username)."""
    with db.session() as s:
        rows = s.execute(select(HumanTask.id, HumanTask.candidate_unit).where(
            HumanTask.bpmn_id == "acknowledge", HumanTask.state == "ready")
            .order_by(HumanTask.instance_id)).all()
    work: dict[str, list[str]] = {}
    for task_id, unit in rows:
        if unit in password_users:
            work.setdefault(password_users[unit], []).append(task_id)
    return work


def kill_run(db: Database, work: dict[str, list[str]], password: str, kills: int = 2,
             every: int = 15, budget_s: float = 60.0, workers: int = 2) -> KillRun:
    """Complete `work` from one thread per user through `jianyi serve --workers N`, SIGKILLing a
    worker after every `every` acknowledged completions (`kills` times), then check the database."""
    run, lock = KillRun(), threading.Lock()
    url = db.url.render_as_string(hide_password=False)
    with production(url, workers=workers) as server:
        deadline = time.monotonic() + budget_s

        def complete_all(user: str, task_ids: list[str]) -> None:
            client = Client(server.port)
            client.login(user, password)
            for task_id in task_ids:
                if time.monotonic() > deadline:
                    return
                try:
                    status, _ = client.request("POST", f"/tasks/{task_id}",
                                               {"action": "complete", "decision": "acknowledge"})
                except OSError:  # the worker died under us (the next request reconnects)
                    status = None
                with lock:
                    if status == 302:
                        run.acknowledged[task_id] = user
                        if len(run.killed) < kills and len(run.acknowledged) >= every * (
                                len(run.killed) + 1):
                            _kill_one(server, run)
                    else:
                        run.failed += 1

        threads = [threading.Thread(target=complete_all, args=item) for item in work.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with db.session() as s:
        done = dict(s.execute(select(HumanTask.id, HumanTask.completed_by).where(
            HumanTask.id.in_(list(run.acknowledged)), HumanTask.state == "completed")).all())
        run.lost = [t for t, user in run.acknowledged.items() if done.get(t) != user]
        run.problems = check_audit(s) + check_instances(s, make_engine())
    return run


def _kill_one(server, run: KillRun) -> None:
    """SIGKILL a worker that is not the last one killed (gunicorn's master starts a new one)."""
    alive = [pid for pid in server.workers() if pid not in run.killed]
    if alive:
        os.kill(alive[len(run.killed) % len(alive)], signal.SIGKILL)
        run.killed.append(alive[len(run.killed) % len(alive)])
