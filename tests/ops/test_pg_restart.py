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
import time

import pytest

from bench.http_client import Client, free_port, production
from bench.web_bench import PASSWORD, _organisation, assigned_cases, seed
from engine import Package
from models import Database
from workflows import make_engine

from ..conftest import BPMN

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
        congress = _organisation(s, [("jtt", "省交通运输厅", "government")])
        engine.deploy(s, Package.from_folder(BPMN), "test")
        assigned_cases(s, engine, congress, ["jtt"], 3)
    db.dispose()
    outcomes: list[tuple[float, int | None]] = []  # (sent at, status)
    stop = threading.Event()
    with production(url, workers=2) as server:
        def browse() -> None:
            client = Client(server.port)
            client.login("jtt_handler", PASSWORD)
            while not stop.is_set():
                sent = time.monotonic()
                try:
                    status, _ = client.request("GET", "/inbox")
                except OSError:  # the server is restarting (the next request reconnects)
                    status = None
                outcomes.append((sent, status))
                time.sleep(0.02)

        threads = [threading.Thread(target=browse) for _ in range(4)]
        for t in threads:
            t.start()
        while len(outcomes) < 20:  # under way
            time.sleep(0.05)
        time.sleep(0.5)
        began = time.monotonic()
        restart()
        restarted = time.monotonic()
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join()
        before = [s for at, s in outcomes if at < began - 0.2]
        # Each worker's first request after the restart finds only dead pooled connections;
        # pool_pre_ping replaces them, so nothing after the restart may fail.
        after = [s for at, s in outcomes if at > restarted]
        assert before and set(before) == {200}
        assert len(after) > 20 and set(after) == {200}
        # A restart while nobody is using the app: the pools still hold dead connections.
        quiet = Client(server.port)
        quiet.login("jtt_handler", PASSWORD)
        restart()
        assert [quiet.request("GET", "/inbox")[0] for _ in range(10)] == [200] * 10
