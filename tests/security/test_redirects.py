"""Every `next` parameter goes through one check that reads a target as a browser would: no
hostile target leads off the site or answers 500, and local paths with queries still work."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from models import HumanTask
from webui.auth import local_target

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
WEBUI = Path(__file__).resolve().parents[2] / "webui"

HOSTILE = [
    "https://evil.example/x",
    "HTTPS://evil.example/x",
    "http:evil.example",
    "https:/\\evil.example",
    "//evil.example/x",
    "////evil.example",
    "/\\evil.example/x",
    "\\\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "/\t/evil.example",             # the issue's /%09/evil.example: browsers drop the tab
    "/\n/x",                        # the 500
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "//evil.example ",
    "/x ",                          # trailing space: trimmed by browsers
    "\u3000//evil.example",         # ideographic space before
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/%2F/evil.example",            # decoded once more: //evil.example
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%09/evil.example",            # what a second decoding turns into the tab case
    "/%252F/evil.example",          # twice encoded
    "%2F%2Fevil.example",
    "/%25252525252F/evil.example",  # encoded past the decoding limit
    "//user:pass@evil.example/",
    "https://127.0.0.1:5000@evil.example/",
    "https://evil.example\\@127.0.0.1/",
    "\uff0f\uff0fevil.example",     # fullwidth solidus
    "/\u202e/evil.example",         # right-to-left override
    "/\u200b/evil.example",         # zero width space
    "/\u2028/evil.example",         # line separator
    "evil.example",                 # relative: not a path of this site
    "/" + "a" * 5000,               # longer than any page of ours
]
LOCAL = {  # as given -> as sent
    "/": "/",
    "/cases": "/cases",
    "/cases?status=open&page=2": "/cases?status=open&page=2",
    "/inbox?queue=mine&overdue=1#row-3": "/inbox?queue=mine&overdue=1#row-3",
    "/supervision/ledger.csv?field=%E4%BA%A4%E9%80%9A": "/supervision/ledger.csv?field=%E4%BA%A4%E9%80%9A",
    "/supervision?field=交通": "/supervision?field=%E4%BA%A4%E9%80%9A",
    "/cases?q=a b": "/cases?q=a%20b",
    "/cases?q=100%25": "/cases?q=100%25",
    "/@me": "/@me",
}


def test_the_corpus_is_big_enough():
    assert len(HOSTILE) >= 20 and len(LOCAL) >= 5


@pytest.mark.parametrize("target", HOSTILE)
def test_each_hostile_target_is_refused(target):
    assert local_target(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", list(LOCAL))
def test_local_paths_with_queries_are_kept(target):
    assert local_target(target, "/fallback") == LOCAL[target]


def test_every_next_parameter_goes_through_the_one_check():
    """No view reads `next` but through local_target."""
    reads = 0
    for path in WEBUI.glob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"""get\(\s*["']next["']""", line):
                reads += 1
                assert "local_target(" in line, f"{path.name}:{n}: {line.strip()}"
    assert reads >= 3  # login, claim, notifications


def test_every_next_route_refuses_the_corpus_and_keeps_local_paths(
        client, login_as, db, domain_engine, org):
    _sid, case = Cases(db, domain_engine, org).new(SOLE)
    with db.session() as s:
        [task_id] = s.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == case, HumanTask.state == "ready")).all()
    handler = login_as("transport_unit_handler")
    expected = [(target, "/inbox", "/inbox?queue=mine", "/notifications") for target in HOSTILE]
    expected += [(target, sent, sent, sent) for target, sent in LOCAL.items()]
    wrong = []
    for target, after_login, after_claim, after_read in expected:
        client.get("/login")
        answers = [
            (after_login, client.post("/login?next=" + quote(target, safe=""),
                                      {"username": "commission", "password": "pw"})),
            (after_claim, handler.post(f"/tasks/{task_id}/claim", {"next": target})),
            (after_read, handler.post("/notifications/read", {"next": target})),
        ]
        for want, response in answers:
            got = response.headers.get("Location")
            if response.status_code != 302 or got != want:
                wrong.append((target, response.status_code, got, want))
    assert wrong == []


def test_login_returns_to_the_page_that_asked_for_it(client):
    asked = client.get("/cases?status=open&page=2")
    assert asked.status_code == 302 and "/login?next=" in asked.headers["Location"]
    client.get(asked.headers["Location"])
    login = client.post(asked.headers["Location"], {"username": "commission", "password": "pw"})
    assert login.headers["Location"] == "/cases?status=open&page=2"
    assert client.get(login.headers["Location"]).status_code == 200
