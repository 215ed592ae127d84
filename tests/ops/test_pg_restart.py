"""PostgreSQL restarted under load: the web workers recover without manual action.

Runs on a private throw-away cluster (initdb into a temporary folder, its own port), never on
the shared server.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading

import pytest

from engine import Package
from models import Database
from workflows import make_engine

from ..conftest import BPMN
from ..support.data import PASSWORD, assigned_cases, organisation, seed
from ..support.server import Client, free_port, production, wait_until

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def _as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def private_cluster():
    """A PostgreSQL cluster of our own; yields (url, pg_ctl restart function)."""
    if not BINARIES or shutil.which("runuser") is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL's initdb/pg_ctl binaries and root (to run them as postgres)")
    bin_dir = os.path.dirname(BINARIES[-1])
    folder = tempfile.mkdtemp(prefix="jianyi-pg-")
    shutil.chown(folder, "postgres")
    data, port = os.path.join(folder, "data"), free_port()
    _as_postgres(f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres")
    ctl = [f"{bin_dir}/pg_ctl", "-D", data, "-w", "-o",
           f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"]
    _as_postgres(*ctl, "-l", os.path.join(folder, "log"), "start")
    try:
        yield (f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
               lambda: _as_postgres(*ctl, "-m", "fast", "restart"))
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", *ctl, "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_app_recovers_after_postgresql_restarts_under_load(private_cluster):
    url, restart = private_cluster
    db = Database(url)
    db.create_all()
    seed(db)
    engine = make_engine()
    with db.write() as s:
        congress = organisation(s, [("jtt", "省交通运输厅", "government")])
        engine.deploy(s, Package.from_folder(BPMN), "test")
        assigned_cases(s, engine, congress, ["jtt"], 3)
    db.dispose()
    # (sent after the restart returned, status): pg_ctl -w returns once the server accepts
    # connections again, so a request sent after that finds only the pools' dead connections.
    outcomes: list[tuple[bool, int | None]] = []
    restarted, stop = threading.Event(), threading.Event()
    with production(url, workers=2) as server:
        def browse() -> None:
            client = Client(server.port)
            client.login("jtt_handler", PASSWORD)
            while not stop.is_set():
                after = restarted.is_set()
                try:
                    status, _ = client.request("GET", "/inbox")
                except OSError:  # the server is restarting (the next request reconnects)
                    status = None
                outcomes.append((after, status))
                stop.wait(0.02)

        threads = [threading.Thread(target=browse) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            wait_until(lambda: len(outcomes) >= 20, 60, "20 requests under way")
            before = [s for _after, s in outcomes]  # answered before the restart began
            restart()
            restarted.set()
            wait_until(lambda: sum(a for a, _s in outcomes) >= 60, 60,
                       "60 requests after the restart")
        finally:
            stop.set()
            for t in threads:
                t.join()
        # Each worker's first request after the restart finds only dead pooled connections;
        # the checkout's look at their sockets (models.db) replaces them, so nothing after the
        # restart may fail.
        after = [s for a, s in outcomes if a]
        assert before and set(before) == {200}
        assert len(after) > 20 and set(after) == {200}
        # A restart while nobody is using the app: the pools still hold dead connections.
        quiet = Client(server.port)
        quiet.login("jtt_handler", PASSWORD)
        restart()
        assert [quiet.request("GET", "/inbox")[0] for _ in range(10)] == [200] * 10
