"""`python -m bench.pages`: what the hot pages cost in-process on `make load`'s data.

The load database is refilled from `make load`'s template, then one unit handler's inbox, case
pages, task pages and completions are requested through Flask's test client (no HTTP, no other
process), and each page's median time, CPU time per request (this process and PostgreSQL's) and
number of SQL statements are printed — the figures
issue 18's changes were read by. `--profile PAGE` prints a pyinstrument profile of that page
instead (`pip install pyinstrument` first).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event, select

from models import HumanTask, Suggestion
from tests.support.data import PASSWORD
from webui import create_app

from .load import LOAD_URL, fresh_load_database

TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')
INBOX_PAGES = ["/inbox?queue=queue", "/inbox?queue=mine", "/inbox?queue=queue&due_within=10",
               "/inbox?queue=queue&key=1", "/inbox"]
RUNS = 60
WARM = 10


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", default="jyt", help="the unit whose handler asks")
    parser.add_argument("--profile", choices=["inbox", "case", "task", "complete"])
    parser.add_argument("--only", nargs="*", help="measure these pages only")
    args = parser.parse_args(argv)
    db = fresh_load_database()
    statements = [0]
    event.listen(db.engine, "before_cursor_execute",
                 lambda *_a: statements.__setitem__(0, statements[0] + 1))
    app = create_app({"SECRET_KEY": "bench-pages-" + "x" * 20, "DATABASE_URL": LOAD_URL}, db=db)
    client = app.test_client()
    token = _login(client, f"{args.unit}_handler")
    with db.session() as s:
        rows = s.execute(select(HumanTask.id, Suggestion.id).join(
            Suggestion, Suggestion.instance_id == HumanTask.instance_id).where(
            HumanTask.bpmn_id == "acknowledge", HumanTask.state == "ready",
            HumanTask.candidate_unit == args.unit).limit(3 * RUNS)).all()
    tasks, cases = [t for t, _s in rows], [c for _t, c in rows]
    pages = {
        "inbox": lambda i: client.get(INBOX_PAGES[i % len(INBOX_PAGES)]),
        "case": lambda i: client.get(f"/cases/{cases[i]}"),
        "task": lambda i: client.get(f"/tasks/{tasks[i]}"),
        "complete": lambda i: client.post(f"/tasks/{tasks[RUNS + i]}", data={
            "action": "complete", "decision": "acknowledge", "csrf_token": token}),
        "healthz": lambda i: client.get("/healthz"),
    }
    if args.profile:
        from pyinstrument import Profiler  # a developer's tool, not a dependency
        profiler = Profiler(interval=0.0005)
        for i in range(WARM):  # first requests fill caches (tokenizer, corpus, compiled SQL)
            pages[args.profile](i)
        with profiler:
            for i in range(WARM, RUNS):
                pages[args.profile](i)
        print(profiler.output_text(color=False))
        return 0
    for name, ask in pages.items():
        if args.only and name not in args.only:
            continue
        times, counts = [], []
        cpu_before = _cpu_seconds()
        for i in range(RUNS):
            statements[0] = 0
            start = time.perf_counter()
            response = ask(i)
            times.append((time.perf_counter() - start) * 1000)
            counts.append(statements[0])
            if response.status_code not in (200, 302):
                raise SystemExit(f"{name}: answered {response.status_code}")
        cpu_ms = (_cpu_seconds() - cpu_before) * 1000 / RUNS
        print(f"PAGE {name} median_ms={statistics.median(times):.2f} cpu_ms={cpu_ms:.2f} "
              f"statements={statistics.median(counts):g}", flush=True)
    db.dispose()
    return 0


def _cpu_seconds() -> float:
    """CPU time of this process and of every PostgreSQL process so far: what a page costs the
    machine, which a busy neighbour on a shared host does not inflate as it does wall time."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = time.process_time()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if stat.with_name("comm").read_text().strip().startswith("postgres"):
                user, system = fields[1].split()[11:13]
                total += (int(user) + int(system)) / ticks
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    return total


def _login(client, username: str) -> str:
    """Sign in; the CSRF token of the session."""
    page = client.get("/login")
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "csrf_token": TOKEN.search(page.data).group(1).decode()})
    return TOKEN.search(client.get("/password").data).group(1).decode()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
