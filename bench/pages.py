"""`python -m bench.pages`: what the hot pages cost in-process on `make load`'s data.

The load database is refilled from `make load`'s template, then one unit handler's inbox, case
pages, task pages and completions are requested through Flask's test client (no HTTP, no other
process), one of each in turn, and each page's median time, CPU time per request (this process
and PostgreSQL's) and number of SQL statements are printed — the figures
issue 18's changes were read by. `--profile PAGE` prints a pyinstrument profile of that page
instead (`pip install pyinstrument` first).

Three floors are measured beside the pages, so that what a page does can be told from what any
page on this stack pays: `signed_in` (a signed-in request answering a word: the session and user
check), `layout` (a signed-in page with the layout and nothing in it) and `spiff` (SpiffWorkflow
rebuilding an acknowledgement's case from its stored state and writing it out again, what every
completion does around its step; no SQL). The `MIX` line weighs the pages as `make load` does
(70 % inbox, 20 % completions, 10 % case pages) and reads them against `/healthz`, as
`load_over_floor` does; `ceiling` is that ratio if every page did nothing beyond its floors.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

from flask import render_template_string
from flask_login import login_required
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from engine import serializer
from models import HumanTask, ProcessInstance, Suggestion
from tests.support.data import PASSWORD
from webui import create_app
from webui.production import tune_collector

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
    _add_floors(app)
    tune_collector()  # as each gunicorn worker does once its app is built
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
        "signed_in": lambda i: client.get("/_bench/signed_in"),
        "layout": lambda i: client.get("/_bench/layout"),
        "spiff": _spiff(app, db, cases),
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
    names = [name for name in pages if not args.only or name in args.only]
    for name in names:
        if name != "complete":  # once-a-process work (the similarity corpus) is not a page's
            for i in range(2 * RUNS, 2 * RUNS + WARM):  # cases and tasks not measured below
                pages[name](i)
    times = {name: [] for name in names}
    counts = {name: [] for name in names}
    app_cpu, db_cpu = dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.0)
    # One request of each page in turn, round after round: a slow or a fast phase of a shared
    # machine falls on every page alike, and the ratios between them hold still.
    for i in range(RUNS):
        backends = _backends()
        for name in names:
            statements[0] = 0
            db_before = _cpu_of(backends)  # the reads of /proc outside this process's count
            app_before, start = time.process_time(), time.perf_counter()
            response = pages[name](i)
            took, app_after = time.perf_counter() - start, time.process_time()
            db_cpu[name] += _cpu_of(backends) - db_before
            app_cpu[name] += app_after - app_before
            times[name].append(took * 1000)
            counts[name].append(statements[0])
            if response is not None and response.status_code not in (200, 302):
                raise SystemExit(f"{name}: answered {response.status_code}")
    cpu = {name: (app_cpu[name] + db_cpu[name]) * 1000 / RUNS for name in names}
    for name in names:
        print(f"PAGE {name} median_ms={statistics.median(times[name]):.2f} "
              f"cpu_ms={cpu[name]:.2f} db_cpu_ms={db_cpu[name] * 1000 / RUNS:.2f} "
              f"statements={statistics.median(counts[name]):g}", flush=True)
    if not args.only:
        _mix(cpu)
    db.dispose()
    return 0


def _mix(cpu: dict[str, float]) -> None:
    """The pages weighed as `make load` mixes them, against /healthz, and the same with every
    page reduced to its floors (inbox and case pages: the layout; a completion, which answers
    with a redirect: the signed-in check and SpiffWorkflow's rebuild and save)."""
    mix = 0.7 * cpu["inbox"] + 0.2 * cpu["complete"] + 0.1 * cpu["case"]
    floors = 0.8 * cpu["layout"] + 0.2 * (cpu["signed_in"] + cpu["spiff"])
    print(f"MIX cpu_ms={mix:.2f} ratio={cpu['healthz'] / mix:.3f} floors_cpu_ms={floors:.2f} "
          f"ceiling={cpu['healthz'] / floors:.3f} pages_own_share={1 - floors / mix:.2f}",
          flush=True)


def _add_floors(app) -> None:
    """Two routes on the bench's own app (not the product's): what any signed-in request, and
    any signed-in page, costs before it does anything of its own."""
    @app.get("/_bench/signed_in")
    @login_required
    def signed_in():
        return "ok"

    @app.get("/_bench/layout")
    @login_required
    def layout():
        return render_template_string(
            '{% extends "base.html" %}{% block content %}{% endblock %}')


def _spiff(app, db, cases: list[int]):
    """SpiffWorkflow's part of a completion around the step itself: the case rebuilt from its
    stored state and written out again (states read beforehand; nothing else measured)."""
    engine = app.extensions["engine"]
    with db.session() as s:
        instances = s.scalars(select(ProcessInstance).join(
            Suggestion, Suggestion.instance_id == ProcessInstance.id).where(
            Suggestion.id.in_(cases))).all()
        specs = [engine.compiled_version(s, row.process_version_id).spec(row.process_id)
                 for row in instances]
        s.expunge_all()

    def run(i: int) -> None:
        row, (spec, subprocess_specs) = instances[i % len(instances)], specs[i % len(specs)]
        serializer.dumps(serializer.loads(row.state, row.serializer_version, spec,
                                          subprocess_specs))
    return run


def _backends() -> list[Path]:
    """The PostgreSQL backends serving the load database (their /proc stat files). Their CPU is
    counted with the page's: what a page costs the machine, which a busy neighbour on a shared
    host does not inflate as it does wall time. PostgreSQL's background work (the checkpointer
    writing out the freshly restored data, autovacuum) is left out: it would land on whichever
    page runs meanwhile."""
    database = f" {make_url(LOAD_URL).database} ".encode()
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command = stat.with_name("cmdline").read_bytes()
        except OSError:  # the process ended meanwhile
            continue
        if command.startswith(b"postgres:") and database in command \
                and b"autovacuum" not in command:
            found.append(stat)
    return found


def _cpu_of(backends: list[Path]) -> float:
    """The CPU seconds these processes have used (counted in clock ticks: summed over many
    requests, not read one by one)."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in backends:
        try:
            user, system = stat.read_text().rsplit(")", 1)[1].split()[11:13]
        except (OSError, IndexError, ValueError):  # the backend ended meanwhile
            continue
        total += int(user) + int(system)
    return total / ticks


def _login(client, username: str) -> str:
    """Sign in; the CSRF token of the session."""
    page = client.get("/login")
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "csrf_token": TOKEN.search(page.data).group(1).decode()})
    return TOKEN.search(client.get("/password").data).group(1).decode()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
