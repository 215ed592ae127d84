"""Security review: cookies, injection, hostile uploads and imports, script escapes, the
permission matrix from concurrent clients of a live server, and bandit."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import HumanTask, Suggestion
from webui import create_app
from workflows.assignment_table import parse_workbook
from workflows.users import forget_old_login_failures

from ..conftest import BPMN
from ..engine.test_package import _with_script, refused
from ..support.server import Client as HttpClient, production
from ..workflows.helpers import Cases
from ..workflows.test_bulk_import import GOOD, workbook
from ..workflows.test_importing import make_lookups
from .test_permissions import PAGES, SOLE, USERS, world  # noqa: F401  (fixture)

ROOT = BPMN.parent
PAYLOADS = ["<script>alert(1)</script>", "'; DROP TABLE suggestion; --", "{{7*7}}",
            '"><img src=x onerror=alert(1)>']


def _session_cookie(response) -> str:
    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return cookie


def test_session_cookie_is_httponly_samesite_and_secure_when_asked(client, monkeypatch, app):
    response = client.login("commission")
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    monkeypatch.setenv("JIANYI_SECURE_COOKIES", "1")
    secure = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                         "ENGINE": app.extensions["engine"], "SECRET_KEY": "t"},
                        db=app.extensions["db"])
    from .conftest import Client
    c = Client(secure)
    assert "Secure" in _session_cookie(c.login("commission"))


def test_an_address_with_many_failed_logins_waits_whatever_accounts_it_tries(client, clock, db):
    """Password spraying: four wrong passwords on each of five accounts never locks an account
    (five in a row would), but the twentieth failure blocks the address for 15 minutes."""
    accounts = ["commission", "transport_unit_handler", "finance_unit_handler",
                "transport_reviewer", "transport_signer"]
    client.get("/login")
    for attempt in range(20):
        wrong = client.post("/login", {"username": accounts[attempt % 5], "password": "guess"})
        assert wrong.status_code == 401
    blocked = client.post("/login", {"username": "commission", "password": "pw"})
    assert blocked.status_code == 429 and "此地址登录失败次数过多" in blocked.get_data(as_text=True)
    other = type(client)(client.app)  # another browser, on another machine
    other.get("/login")
    elsewhere = other.post("/login", {"username": "commission", "password": "pw"},
                           environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 302  # the accounts themselves are not locked
    clock.advance(minutes=16)
    assert client.post("/login", {"username": "transport_signer", "password": "pw"}
                       ).status_code == 302
    with db.write() as s:  # the scheduler's housekeeping drops records older than a day
        assert forget_old_login_failures(s, clock() + timedelta(hours=23)) == 0
        assert forget_old_login_failures(s, clock() + timedelta(days=1)) == 20


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_is_stored_verbatim_and_shown_escaped(login_as, db, payload):
    c = login_as("commission")
    c.get("/register")
    response = c.post("/register", {"number": "77", "title": f"T{payload}", "field": "交通",
                                    "body": f"B{payload}", "lead_deputy": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with db.session() as s:
        suggestion = s.scalar(select(Suggestion).where(Suggestion.number == 77))
        assert (suggestion.title, suggestion.body) == (f"T{payload}", f"B{payload}")
        assert s.scalar(select(func.count()).select_from(Suggestion)) == 1  # table still there
    assign_page = response.headers["Location"].split("?")[0]
    for url in (f"/cases/{suggestion.id}", assign_page, "/inbox?queue=queue", "/cases"):
        html = c.get(url).get_data(as_text=True)
        if payload == "{{7*7}}":
            assert "T{{7*7}}" in html, url  # shown as typed, never evaluated as a template
        else:
            assert f"T{payload}" not in html, url  # markup characters always escaped
            assert "T" + payload.replace("&", "&amp;").replace("<", "&lt;").replace(
                ">", "&gt;").replace('"', "&#34;").replace("'", "&#39;") in html, url


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x",
                                    "/\\evil.example/x", "javascript:alert(1)"])
def test_next_parameters_never_lead_off_the_site(client, login_as, db, domain_engine, org,
                                                  target):
    client.get("/login")
    login = client.post(f"/login?next={target}", {"username": "commission", "password": "pw"})
    assert login.headers["Location"] == "/inbox"
    _sid, case = Cases(db, domain_engine, org).new(SOLE)
    with db.session() as s:
        [task_id] = s.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == case, HumanTask.state == "ready")).all()
    handler = login_as("transport_unit_handler")
    claim = handler.post(f"/tasks/{task_id}/claim", {"next": target})
    assert claim.headers["Location"] == "/inbox?queue=mine"
    read = handler.post("/notifications/read", {"next": target})
    assert read.headers["Location"] == "/notifications"
    assert handler.post("/notifications/read", {"next": "/cases"}).headers["Location"] == "/cases"


def test_uploads_over_the_limit_are_refused(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE)
    [task] = cases.tasks(case)["acknowledge"]
    handler = login_as("transport_unit_handler")
    handler.get(f"/tasks/{task.id}")
    just_over = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    page = handler.post(f"/tasks/{task.id}/attachments",
                        {"file": (io.BytesIO(just_over), "big.pdf")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "超过" in page.get_data(as_text=True)
    huge = handler.post(f"/tasks/{task.id}/attachments",
                        {"file": (io.BytesIO(b"%PDF-" + b"0" * (13 * 1024 * 1024)), "h.pdf")},
                        content_type="multipart/form-data")
    assert huge.status_code == 413
    from models import Attachment
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0


def _repack(data: bytes, change) -> bytes:
    """The same .xlsx with one XML part rewritten by `change(name, text)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename.endswith(".xml"):
                content = change(item.filename, content.decode()).encode()
            dst.writestr(item, content)
    return out.getvalue()


LOL = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
       '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


@pytest.mark.parametrize("attack", ["bomb", "xxe"])
def test_imports_with_entities_are_refused_without_expanding_them(tmp_path, attack):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = LOL if attack == "bomb" else f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    entity = "&lol3;" if attack == "bomb" else "&xxe;"

    def change(name, text):
        if name != "xl/worksheets/sheet1.xml":
            return text
        body = text.split("?>", 1)[-1]  # drop any XML declaration, then lead with the DTD
        return doctype + body.replace("<t>", f"<t>{entity}", 1)

    data = _repack(workbook(GOOD), change)
    rows, errors = parse_workbook(data, make_lookups())
    assert rows == [] and len(errors) == 1 and errors[0].row == 0
    assert "TOP-SECRET" not in repr(errors) and "lollol" not in repr(errors)


def test_zip_bombs_in_imports_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (101 * 1024 * 1024))
    rows, errors = parse_workbook(out.getvalue(), make_lookups())
    assert rows == [] and len(errors) == 1 and "too large" in errors[0].english


@pytest.mark.parametrize("script", [
    "x = [c for c in ().__class__.__base__.__subclasses__()]",
    "f = open('/etc/passwd').read()",
    "g = globals()['os']",
    "h = __builtins__",
    "k = (lambda: 0).__code__",
    "from os import system",
    "m = vars()",
    "n = compile('1', 'f', 'eval')",
])
def test_script_escape_attempts_are_refused_at_deploy(script):
    problems = refused(_with_script(script))
    assert any(p[1] == "prepare" for p in problems), problems


def test_permission_matrix_holds_from_concurrent_clients_of_a_live_server(db, world):
    """Every role against every page at once, through `jianyi serve --workers 2`."""
    url = db.url.render_as_string(hide_password=False)
    wrong: list[str] = []
    with production(url, workers=2) as server:
        def check(user: str, column: int) -> None:
            client = HttpClient(server.port)
            client.login(user, "pw")
            for _round in range(3):
                for page, expected in PAGES.items():
                    path = page.format(**world)
                    status, _ = client.request("GET", path)
                    if status != expected[column]:
                        wrong.append(f"{user} GET {path}: {status} != {expected[column]}")

        threads = [threading.Thread(target=check, args=(user, i)) for i, user in enumerate(USERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert wrong == []


def test_bandit_finds_nothing_unexplained():
    """bandit over the application; each accepted finding is a `# nosec Bxxx` with a reason on
    the line above it ("Security review: …")."""
    result = subprocess.run([sys.executable, "-m", "bandit", "-q", "-r", "-f", "json",
                             "engine", "models", "workflows", "webui"],
                            cwd=ROOT, capture_output=True, text=True)
    report = json.loads(result.stdout)
    assert report["results"] == [], [(r["filename"], r["line_number"], r["test_id"])
                                     for r in report["results"]]
    for folder in ("engine", "models", "workflows", "webui"):
        for path in (ROOT / folder).rglob("*.py"):
            lines = path.read_text().splitlines()
            for n, line in enumerate(lines):
                if re.search(r"#\s*nosec\b", line):
                    assert re.fullmatch(r".*# nosec B\d{3}(, B\d{3})*", line), (path, n + 1)
                    assert "Security review:" in lines[n - 1], (path, n + 1)
