"""`make load`: a province's mixed traffic on PostgreSQL, then checks that nothing was lost.

`jianyi serve --workers 2` and two `jianyi scheduler` processes run against a PostgreSQL copy of
a prepared data set; client threads, each a handler of one of several units, send 70 % inbox
views, 20 % completions and 10 % case pages to 127.0.0.1 for a bounded time and request count.
Meanwhile the schedulers fire the overdue timers of cases registered "400 days ago". Afterwards:
every completion acknowledged to a client is completed in the database with exactly one audit
event, no timer fired twice, every due timer fired, and every case is consistent
(`engine.consistency`). Exit status 1 if a check fails.
"""
from __future__ import annotations

import io
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from engine import ManualClock, Package
from engine.consistency import check_audit, check_instances
from models import (AuditEvent, Database, Division, HumanTask, Suggestion, Timer, Unit)
from models.backup import backup, restore
from tests.support.data import PASSWORD, assigned_cases, organisation, seed
from tests.support.server import Client, jianyi, production, stop
from workflows import make_engine, simulate
from workflows.demo import UNITS
from workflows.users import create_user

from .common import ROOT, data_url, report

LOAD_URL = os.environ.get("JIANYI_LOAD_DATABASE_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/jianyi_load")
SECONDS = float(os.environ.get("JIANYI_LOAD_SECONDS", "60"))
MAX_REQUESTS = int(os.environ.get("JIANYI_LOAD_MAX_REQUESTS", "40000"))
FLOOR_SECONDS = float(os.environ.get("JIANYI_FLOOR_SECONDS", "10"))
# 600 acknowledgements a unit: enough that no client runs out of tasks to complete within the
# run at the goal's rate (the mix stays 70/20/10; load_complete_share says it did).
N_UNITS, PER_UNIT, HANDLERS_PER_UNIT, TIMER_CASES_PER_UNIT = 8, 600, 2, 25
HANDLING = {"consult", "draft_reply", "progress_report", "midyear_report", "november_report"}
INBOX_PAGES = ["/inbox?queue=queue", "/inbox?queue=mine", "/inbox?queue=queue&due_within=10",
               "/inbox?queue=queue&key=1", "/inbox"]


def template() -> Database:
    """Cases waiting for acknowledgement in 8 units (2 handlers each) plus cases registered 400
    days ago and now in handling, whose reply timers are all overdue (built once)."""
    db = Database(data_url("load-template"))
    db.create_all()
    seed(db)
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Timer)) and s.scalar(
                select(func.count()).select_from(HumanTask).where(
                    HumanTask.bpmn_id == "acknowledge")) == N_UNITS * PER_UNIT:
            return db
    db.drop_all()
    db.create_all()
    seed(db)
    codes = [code for code, _n, _k in UNITS[:N_UNITS]]
    past = make_engine(ManualClock(datetime.now(timezone.utc) - timedelta(days=400)))
    with db.write() as s:
        congress = organisation(s, UNITS[:N_UNITS])
        past.deploy(s, Package.from_folder(ROOT / "bpmn"), "bench")
        create_user(s, "leader", "省领导", "provincial_leader", PASSWORD)
        for code in codes:
            unit = s.scalar(select(Unit).where(Unit.code == code))
            s.add_all([Division(unit_id=unit.id, name=f"{code}综合处")])
            for k in range(2, HANDLERS_PER_UNIT + 1):
                create_user(s, f"{code}_handler{k}", f"{code} handler {k}", "unit_handler",
                            PASSWORD, unit_code=code)
        s.flush()
        late = assigned_cases(s, past, congress, codes, TIMER_CASES_PER_UNIT)
        for case in late:
            simulate.drive(s, past, case, stop_at=HANDLING)
        assigned_cases(s, make_engine(), congress, codes, PER_UNIT, first_number=len(late) + 1)
    return db


def fresh_load_database() -> Database:
    """The load database (created if missing), emptied and filled from the template."""
    url = make_url(LOAD_URL)
    if url.get_backend_name() == "postgresql":
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                               {"n": url.database}):
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    source = template()
    archive = io.BytesIO()
    backup(source, archive)
    source.dispose()
    db = Database(LOAD_URL)
    db.drop_all()
    db.create_all()
    seed(db)
    restore(db, io.BytesIO(archive.getvalue()))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum keeps a live database
    return db


@dataclass
class Person:
    """One client: a unit handler with a share of the unit's acknowledgements and cases."""

    username: str
    tasks: list[str]
    cases: list[int]
    seed: int
    done: list[str] = field(default_factory=list)


@dataclass
class Results:
    latency: dict[str, list[float]] = field(default_factory=lambda: {
        "inbox": [], "complete": [], "case": []})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def people(db: Database) -> list[Person]:
    with db.session() as s:
        rows = s.execute(select(HumanTask.id, HumanTask.candidate_unit, Suggestion.id)
                         .join(Suggestion, Suggestion.instance_id == HumanTask.instance_id)
                         .where(HumanTask.bpmn_id == "acknowledge", HumanTask.state == "ready")
                         .order_by(HumanTask.instance_id)).all()
    by_unit: dict[str, list[tuple[str, int]]] = {}
    for task_id, unit, sid in rows:
        by_unit.setdefault(unit, []).append((task_id, sid))
    result = []
    for unit, work in sorted(by_unit.items()):
        for k in range(HANDLERS_PER_UNIT):
            name = f"{unit}_handler" if k == 0 else f"{unit}_handler{k + 1}"
            share = work[k::HANDLERS_PER_UNIT]  # no two clients complete the same task
            result.append(Person(name, [t for t, _s in share], [s for _t, s in work],
                                 seed=len(result)))
    return result


def drive(port: int, crowd: list[Person], seconds: float, max_requests: int) -> tuple[
        Results, float]:
    """Send the mixed traffic from one thread per person; returns results and elapsed time."""
    results, budget = Results(), threading.Semaphore(max_requests)
    clients = []
    for person in crowd:
        client = Client(port)
        client.login(person.username, PASSWORD)
        clients.append(client)
    deadline = time.monotonic() + seconds

    def run(person: Person, client: Client) -> None:
        rng, queue = random.Random(person.seed), list(person.tasks)
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            draw = rng.random()
            if draw < 0.2 and queue:
                kind, task_id = "complete", queue.pop(0)
                path, form = f"/tasks/{task_id}", {"action": "complete",
                                                   "decision": "acknowledge"}
            elif draw < 0.3:
                kind, path, form = "case", f"/cases/{rng.choice(person.cases)}", None
            else:
                kind, path, form = "inbox", rng.choice(INBOX_PAGES), None
            start = time.perf_counter()
            try:
                status, _ = client.request("POST" if form else "GET", path, form)
            except OSError as err:
                status = f"{type(err).__name__}"
            took = (time.perf_counter() - start) * 1000
            ok = status == (302 if kind == "complete" else 200)
            with results.lock:
                if ok:
                    results.latency[kind].append(took)
                    if kind == "complete":
                        person.done.append(task_id)
                else:
                    results.errors.append(f"{kind} {path}: {status}")

    threads = [threading.Thread(target=run, args=pair) for pair in zip(crowd, clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - began


def floor(port: int, clients: int, seconds: float) -> tuple[list[float], int, float]:
    """The machine's floor: the same number of client threads, the same client and server,
    asking `/healthz` (no login, `SELECT 1`) as fast as they can. Returns the latencies (ms),
    the errors and the elapsed time; the mixed load's rate is read against it."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds

    def run() -> None:
        client, mine, failed = Client(port), [], 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                status, _ = client.request("GET", "/healthz")
            except OSError:
                status = None
            if status == 200:
                mine.append((time.perf_counter() - start) * 1000)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=run) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0], time.perf_counter() - began


def check(db: Database, crowd: list[Person], started: datetime) -> list[str]:
    """What must hold after the run (empty list: all good)."""
    acknowledged = {t: p.username for p in crowd for t in p.done}
    problems = []
    with db.session() as s:
        rows = dict(s.execute(select(HumanTask.id, HumanTask.completed_by).where(
            HumanTask.id.in_(list(acknowledged)), HumanTask.state == "completed")).all())
        problems += [f"acknowledged completion of {t} by {u} is not in the database"
                     for t, u in acknowledged.items() if rows.get(t) != u]
        problems += check_audit(s)
        left = s.scalar(select(func.count()).select_from(Timer).where(Timer.due_at <= started))
        if left:
            problems.append(f"{left} timers due before the run have not fired")
        touched = set(s.scalars(select(AuditEvent.instance_id).where(AuditEvent.at >= started)))
        problems += check_instances(s, make_engine(), touched)
    return problems


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def main() -> int:
    db = fresh_load_database()
    crowd = people(db)
    url = db.url.render_as_string(hide_password=False)
    started = datetime.now(timezone.utc)
    with db.session() as s:
        due = s.scalar(select(func.count()).select_from(Timer).where(Timer.due_at <= started))
    schedulers = []
    try:
        with production(url, workers=2) as server:
            schedulers = [jianyi(["scheduler", "--interval", "1"], url) for _ in range(2)]
            results, elapsed = drive(server.port, crowd, SECONDS, MAX_REQUESTS)
            time.sleep(3)  # let the schedulers finish a tick that is under way
            # Same server, same client, same number of threads; the schedulers have no due
            # timers left, so the floor is the framework's and the machine's alone.
            healthz, floor_errors, floor_elapsed = floor(server.port, len(crowd), FLOOR_SECONDS)
    finally:
        for process in schedulers:
            stop(process)
    with db.session() as s:
        fired = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "timer_fired", AuditEvent.at >= started))
    problems = check(db, crowd, started)
    problems += [f"{p.username} completed all {len(p.tasks)} of their tasks: the mix fell below "
                 f"20 % completions" for p in crowd if p.tasks and len(p.done) == len(p.tasks)]
    everything = [x for samples in results.latency.values() for x in samples]
    completions = len(results.latency["complete"])
    report("load_clients", len(crowd), "users")
    report("load_requests", len(everything) + len(results.errors), "requests")
    report("load_seconds", elapsed, "s")
    report("load_complete_count", completions, "completions")
    report("load_complete_rps", completions / elapsed, "/s")
    report("load_complete_share", 100 * completions / max(1, len(everything)), "%")
    report("load_rps", len(everything) / elapsed, "/s")
    report("load_p99_ms", percentile(everything, 0.99), "ms")
    for kind, samples in results.latency.items():
        report(f"load_{kind}_p50_ms", percentile(samples, 0.5), "ms")
        report(f"load_{kind}_p99_ms", percentile(samples, 0.99), "ms")
    report("load_errors", len(results.errors), "responses")
    healthz_rps = len(healthz) / floor_elapsed
    report("healthz_rps", healthz_rps, "/s")
    report("healthz_p99_ms", percentile(healthz, 0.99), "ms")
    report("healthz_errors", floor_errors, "responses")
    report("load_over_floor", len(everything) / elapsed / healthz_rps, "ratio")
    report("load_timers_due", due, "timers")
    report("load_timers_fired", fired, "timers")
    for error in results.errors[:10]:
        print(f"  error: {error}")
    for problem in problems[:20]:
        print(f"  CHECK FAILED: {problem}")
    print(f"CHECK every acknowledged completion audited once, no timer fired twice, "
          f"no case stuck, the mix held: {'FAILED' if problems or results.errors else 'ok'}",
          flush=True)
    db.dispose()
    return 1 if problems or results.errors or not fired else 0


if __name__ == "__main__":
    sys.exit(main())
