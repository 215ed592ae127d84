"""Web figures over HTTP: inbox page latency on a large database, completion throughput."""
from __future__ import annotations

import random
import shutil
import statistics
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select

from engine import Package
from models import Database, Deputy, HumanTask, ProcessInstance, Suggestion
from tests.support.data import PASSWORD, assigned_cases, organisation, seed
from tests.support.server import Client, gunicorn
from workflows import make_engine
from workflows.demo import UNITS

from .common import DATA, data_url, ROOT, report

CASES, TASKS_PER_CASE = 100_000, 10
FIELDS = ["交通", "教育", "医疗", "农业", "环境", "水利", "社保", "民政", "科技", "产业"]


def inbox_database() -> Database:
    """100,000 cases with 1,000,000 task rows (one open per case); built once by bulk insert."""
    db = Database(data_url("inbox"))
    db.create_all()
    seed(db)
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(HumanTask)) == CASES * TASKS_PER_CASE:
            return db
    db.drop_all()
    db.create_all()
    seed(db)
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    engine = make_engine()
    with db.write() as s:
        congress = organisation(s)
        version = engine.deploy(s, Package.from_folder(ROOT / "bpmn"), "bench")
        deputies = [Deputy(name=f"代表{i}", electoral_unit="长沙市") for i in range(100)]
        s.add_all(deputies)
        s.flush()
        s.execute(insert(ProcessInstance), [dict(
            id=i, process_version_id=version.id, process_id="suggestion", status="running",
            state="{}", serializer_version="1.5", version=2, started_by="bench",
            created_at=now, updated_at=now) for i in range(1, CASES + 1)])
        s.execute(insert(Suggestion), [dict(
            congress_session_id=congress.id, number=i, title=f"关于第{i}项工作的建议", body="建议内容",
            field=FIELDS[i % len(FIELDS)], year=2026, lead_deputy_id=deputies[i % 100].id,
            status="handling", key_suggestion=i % 20 == 0, instance_id=i,
            registered_at=now) for i in range(1, CASES + 1)])
        codes = [code for code, _n, _k in UNITS]
        steps = ["acknowledge", "distribute", "consult", "draft_reply", "review", "sign_off"]
        batch = []
        for i in range(1, CASES + 1):
            for k in range(TASKS_PER_CASE):
                ready = k == TASKS_PER_CASE - 1
                batch.append(dict(
                    id=str(uuid.UUID(int=rng.getrandbits(128))), instance_id=i,
                    bpmn_id=steps[k % len(steps)], name="任务", lane="UnitHandler",
                    form="consult.schema.json", candidate_role="unit_handler",
                    candidate_unit=codes[(i + k) % len(codes)], assignee=None, claimed_at=None,
                    state="ready" if ready else "completed",
                    due_at=now + timedelta(hours=rng.randint(-1000, 3000)),
                    created_at=now, completed_by=None if ready else "bench",
                    completed_at=None if ready else now))
            if len(batch) >= 50_000:
                s.execute(insert(HumanTask), batch)
                batch = []
        if batch:
            s.execute(insert(HumanTask), batch)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return db


def bench_inbox() -> None:
    db = inbox_database()
    with db.session() as s:
        report("inbox_cases", s.scalar(select(func.count()).select_from(Suggestion)), "cases")
        report("inbox_task_rows", s.scalar(select(func.count()).select_from(HumanTask)), "rows")
    url = db.url.render_as_string(hide_password=False)
    db.dispose()
    with gunicorn(url, workers=2) as port:
        client = Client(port)
        client.login("jtt_handler", PASSWORD)
        pages = ["/inbox?queue=queue", "/inbox?queue=mine", "/inbox?queue=queue&due_within=10",
                 "/inbox?queue=queue&field=%E4%BA%A4%E9%80%9A", "/inbox?queue=queue&key=1"]
        for path in pages:  # warm up
            client.request("GET", path)
        samples = []
        for i in range(300):
            start = time.perf_counter()
            status, _ = client.request("GET", pages[i % len(pages)])
            samples.append((time.perf_counter() - start) * 1000)
            assert status == 200, status
    samples.sort()
    report("inbox_p50_ms", statistics.median(samples), "ms")
    report("inbox_p95_ms", samples[int(len(samples) * 0.95)], "ms")


COMPLETE_UNITS, PER_UNIT = 8, 300


def completion_template() -> Database:
    """Cases waiting for acknowledgement in 8 units (built once, copied for each run)."""
    db = Database(data_url("complete-template"))
    db.create_all()
    seed(db)
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(HumanTask).where(
                HumanTask.bpmn_id == "acknowledge")) == COMPLETE_UNITS * PER_UNIT:
            return db
    db.drop_all()
    db.create_all()
    seed(db)
    engine = make_engine()
    with db.write() as s:
        congress = organisation(s, UNITS[:COMPLETE_UNITS])
        engine.deploy(s, Package.from_folder(ROOT / "bpmn"), "bench")
        assigned_cases(s, engine, congress, [c for c, _n, _k in UNITS[:COMPLETE_UNITS]], PER_UNIT)
    return db


def bench_completions(clients: int = 8, budget_s: float = 60.0) -> None:
    template = completion_template()
    src = template.url.database
    template.dispose()
    run = DATA / "complete-run.db"
    for suffix in ("", "-wal", "-shm"):
        (DATA / f"complete-run.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, run)
    db = Database(f"sqlite:///{run}")
    with db.session() as s:
        work: dict[str, list[str]] = {}
        for task_id, unit in s.execute(select(HumanTask.id, HumanTask.candidate_unit).where(
                HumanTask.bpmn_id == "acknowledge", HumanTask.state == "ready")):
            work.setdefault(unit, []).append(task_id)
    db.dispose()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    with gunicorn(f"sqlite:///{run}", workers=2) as port:
        units = sorted(work)[:clients]
        people = []
        for unit in units:
            client = Client(port)
            client.login(f"{unit}_handler", PASSWORD)
            for _ in range(4):  # warm both workers (parsed process, connections) before timing
                client.request("GET", f"/tasks/{work[unit][0]}")
            people.append((client, work[unit]))
        deadline = time.monotonic() + budget_s

        def worker(client: Client, task_ids: list[str]) -> None:
            for task_id in task_ids:
                if time.monotonic() > deadline:
                    return
                start = time.perf_counter()
                status, _ = client.request("POST", f"/tasks/{task_id}",
                                           {"action": "complete", "decision": "acknowledge"})
                took = (time.perf_counter() - start) * 1000
                with lock:
                    (latencies if status == 302 else errors).append(took if status == 302
                                                                    else str(status))

        threads = [threading.Thread(target=worker, args=p) for p in people]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
    db = Database(f"sqlite:///{run}")
    with db.session() as s:
        done = s.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.bpmn_id == "acknowledge", HumanTask.state == "completed"))
    db.dispose()
    latencies.sort()
    report("complete_count", done, "completions")
    report("complete_errors", len(errors), "responses")
    report("complete_rps", len(latencies) / elapsed, "/s")
    if latencies:
        report("complete_p50_ms", latencies[len(latencies) // 2], "ms")
        report("complete_p99_ms", latencies[int(len(latencies) * 0.99)], "ms")


def main() -> None:
    bench_inbox()
    bench_completions()


if __name__ == "__main__":
    main()
