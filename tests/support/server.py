"""The app as shipped, from outside: `jianyi` subprocesses of this checkout (the gunicorn server,
the development server), a raw HTTP client with cookies and the CSRF token, and waiting on a
condition with a deadline instead of sleeping for a guessed time."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')
ROOT = Path(__file__).resolve().parents[2]  # the checkout


class Client:
    """One user's requests: session cookie, CSRF token, one connection per request.

    Raw HTTP/1.0 over a socket. gunicorn's sync workers close every connection after the
    response anyway, and the load generator shares the machine's two cores with the server:
    http.client's response and header parsing cost ~0.6 ms of them per request.

    The client half-closes its side once the request is sent, as a proxy in front of gunicorn
    would have closed promptly. gunicorn 27's sync worker lingers after each response until the
    client's FIN arrives (RFC 9112 §9.6); with eight client threads sharing a GIL, waiting for
    one of them to be scheduled and close kept a worker idle for ~10 % of its time.
    """

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        """Send one request and read the whole response; ConnectionError if it is cut off."""
        head = [f"{method} {path} HTTP/1.0", f"Host: 127.0.0.1:{self.port}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrf_token": self.token}, doseq=True).encode()
            head += ["Content-Type: application/x-www-form-urlencoded",
                     f"Content-Length: {len(body)}"]
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            sock.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := sock.recv(1 << 16):
                chunks.append(chunk)
        header, found, data = b"".join(chunks).partition(b"\r\n\r\n")
        if not found:
            raise ConnectionError(f"{method} {path}: the response was cut off")
        lines = header.split(b"\r\n")
        status = int(lines[0].split(None, 2)[1])
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"set-cookie":
                cookie, _, rest = value.strip().decode("latin-1").partition("=")
                self.cookies[cookie] = rest.split(";")[0]
            elif name == b"content-length" and len(data) < int(value):
                raise ConnectionError(f"{method} {path}: the response was cut off")
        token = TOKEN.search(data)
        if token:
            self.token = token.group(1).decode()
        return status, data

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


def wait_until(condition: Callable[[], object], timeout_s: float = 30, what: str = "") -> None:
    """Return as soon as `condition()` holds; fail after `timeout_s` (a deadline, not a pause:
    nothing waits longer than the condition takes)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what or condition} did not happen within {timeout_s} s")
        time.sleep(0.01)


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
