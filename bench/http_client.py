"""A minimal keep-alive HTTP client with cookies and the app's CSRF token (benchmarks only)."""
from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')
ROOT = Path(__file__).resolve().parent.parent


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrf_token": self.token}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        found = TOKEN.search(data)
        if found:
            self.token = found.group(1).decode()
        return response.status, data

    def login(self, username: str, password: str) -> None:
        self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"login failed for {username}: {status}")
        self.request("GET", "/password")  # a page with a form: the session's CSRF token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s")


def _env(database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "SECRET_KEY": "bench-only", "PATH": "/usr/bin:/bin",
            "LOG_LEVEL": "WARNING"}


def jianyi(args: list[str], database_url: str) -> subprocess.Popen:
    """A `jianyi …` process of this checkout (not whatever the venv's script points at)."""
    return subprocess.Popen([sys.executable, "-m", "webui.cli", *args], cwd=ROOT,
                            env=_env(database_url))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Server:
    """`jianyi serve --workers N` on 127.0.0.1: the gunicorn master and its workers."""

    port: int
    process: subprocess.Popen

    def workers(self) -> list[int]:
        """The worker processes' ids (children of the master)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]


@contextmanager
def production(database_url: str, workers: int = 2) -> Iterator[Server]:
    """The production server (`jianyi serve --workers N`), stopped afterwards."""
    port = free_port()
    process = jianyi(["serve", "--workers", str(workers), "--port", str(port)], database_url)
    try:
        wait_for_port(port)
        server = Server(port, process)
        deadline = time.monotonic() + 30
        while len(server.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        stop(process)


@contextmanager
def gunicorn(database_url: str, workers: int = 2) -> Iterator[int]:
    """The app as shipped (`jianyi serve --workers N`: gunicorn) on 127.0.0.1; yields the port."""
    with production(database_url, workers) as server:
        yield server.port
