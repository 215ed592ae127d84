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
from pathlib import Path

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


@contextmanager
def gunicorn(database_url: str, workers: int = 2):
    """The app under gunicorn on 127.0.0.1 (stopped afterwards)."""
    port = free_port()
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "bench-only", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b",
         f"127.0.0.1:{port}", "--log-level", "warning", "webui:create_app()"],
        cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
