"""Browser tests: the real app served on 127.0.0.1, driven by Playwright in Debian's chromium."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from webui import create_app

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(db, domain_engine, org, tmp_path):
    """The app on a free local port, sharing the test database."""
    app = create_app({"TESTING": False, "DATABASE_URL": db.url.render_as_string(hide_password=False),
                      "ENGINE": domain_engine, "SECRET_KEY": "browser-test",
                      "ATTACHMENTS_DIR": str(tmp_path / "files")}, db=db)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def shots(request):
    folder = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def cast(server, browser, shots):
    """Everyone of a test in their own browser context, logged in on first need."""
    from .helpers import Cast
    people = Cast(browser, server, shots)
    yield people
    people.close()
