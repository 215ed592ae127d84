"""Response headers on every route of the URL map, for every kind of response: a
Content-Security-Policy (pages: scripts from 'self' only; everything else: a sandbox), nosniff,
no-store on all but static assets, HSTS only when the app is served over HTTPS."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Attachment, ProcessVersion, Reply, Unit
from webui import create_app
from webui.headers import FILE_POLICY, PAGE_POLICY
from workflows.users import create_user

from ..webui.conftest import Client, app, client, login_as  # noqa: F401 (fixtures)
from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
TEMPLATES = Path(__file__).resolve().parents[2] / "webui" / "templates"


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


class Scripts(HTMLParser):
    """Every way an HTML page could carry inline code."""

    def __init__(self):
        super().__init__()
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}={value}>")
        if tag == "script":
            executable = attrs.get("type", "text/javascript") != "application/json"
            if executable and not attrs.get("src"):
                self._in_script = True
                self.inline.append("<script> without src")

    def handle_endtag(self, tag):
        self._in_script = False


def kind_of(endpoint: str, response) -> str:
    if endpoint == "static":
        return "static"
    if 300 <= response.status_code < 400:
        return "redirect"
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        return "stored file" if response.mimetype == "text/plain" else "download"
    if response.mimetype == "text/html":
        return "page" if response.status_code < 400 else "error page"
    if response.mimetype == "application/json":
        return "json"
    return response.mimetype


def check(endpoint: str, url: str, response, secure: bool = False) -> str:
    """The headers every response must carry; returns the response's kind."""
    kind = kind_of(endpoint, response)
    headers = response.headers
    where = f"{response.status_code} {url} ({kind})"
    policy = headers.get("Content-Security-Policy", "")
    assert policy, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    # Pages and the assets they load run under the page policy; anything else opened directly
    # (JSON, exports, letters, attachments, stored BPMN) is a sandbox that may load nothing.
    page = endpoint == "static" or response.mimetype == "text/html"
    assert policy == (PAGE_POLICY if page else FILE_POLICY), where
    if kind == "static":
        assert "no-store" not in headers.get("Cache-Control", ""), where  # may be cached
    else:
        assert headers.get("Cache-Control") == "no-store", where
    assert ("Strict-Transport-Security" in headers) is secure, where
    if response.mimetype == "text/html" and kind != "redirect":
        parser = Scripts()
        parser.feed(response.get_data(as_text=True))
        assert parser.inline == [], where
    return kind


def test_the_page_policy_allows_scripts_from_this_site_only():
    page = directives(PAGE_POLICY)
    assert page["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no hosts
    assert page["default-src"] == ["'self'"] and page["style-src"] == ["'self'"]
    assert page["object-src"] == ["'none'"] and page["base-uri"] == ["'none'"]
    assert page["frame-ancestors"] == ["'none'"] and page["form-action"] == ["'self'"]
    assert all("unsafe" not in value and "*" not in value
               for values in page.values() for value in values)
    files = directives(FILE_POLICY)
    assert files == {"sandbox": [], "default-src": ["'none'"]}


@pytest.fixture
def world(db, domain_engine, org, login_as):  # noqa: F811
    """A case at the deputy's feedback (so a reply letter exists) with an attachment, and
    real values for every argument of the URL map."""
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    [acknowledge] = cases.tasks(case)["acknowledge"]
    handler = login_as("transport_unit_handler")
    handler.get(f"/tasks/{acknowledge.id}")
    uploaded = handler.post(f"/tasks/{acknowledge.id}/attachments",
                            {"file": (io.BytesIO(b"%PDF-1.4 test"), "report.pdf")},
                            content_type="multipart/form-data")
    assert uploaded.status_code == 302
    cases.drive(case, stop_at={"feedback"})
    [task] = next(iter(cases.tasks(case).values()))
    with db.session() as s:
        return {
            "suggestion_id": sid, "filename": "unit_handling.bpmn", "task_id": task.id,
            "reply_id": s.scalar(select(Reply.id)),
            "attachment_id": s.scalar(select(Attachment.id)),
            "version_id": s.scalar(select(ProcessVersion.id)), "name": "suggestion.bpmn",
            "unit_id": s.scalar(select(Unit.id).where(Unit.code == "transport")),
            "kind": "key", "code": "en",
        }


def url_for_rule(rule, values) -> str:
    url = rule.rule
    for argument in rule.arguments:
        if argument == "filename" and rule.endpoint == "static":
            value = "app.css"
        else:
            # A route added later gets a plausible value: the walk still covers it.
            value = values.get(argument, 1 if f"<int:{argument}>" in rule.rule else "x")
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(value), url)
    return url


def test_every_route_answers_with_the_headers_for_its_kind(app, db, world):  # noqa: F811
    rules = list(app.url_map.iter_rules())
    users = {"anonymous": None, "commission": "commission", "designer": "designer",
             "handler": "transport_unit_handler", "deputy": "dep_1"}
    seen_kinds, walked = set(), set()
    for who, username in users.items():
        person = Client(app)
        if username:
            assert person.login(username).status_code == 302
        for rule in rules:
            url = url_for_rule(rule, world)
            if "GET" in rule.methods:
                seen_kinds.add(check(rule.endpoint, url, person.get(url)))
                walked.add(rule.endpoint)
            for method in rule.methods & {"POST"}:
                if rule.endpoint == "auth.logout":
                    continue  # below, last
                # An empty form with the CSRF token (refusals, form errors, redirects) and
                # without it (the CSRF error page).
                for csrf in (True, False):
                    response = person.post(url, {}, csrf=csrf)
                    seen_kinds.add(check(rule.endpoint, url, response))
                walked.add(rule.endpoint + ":POST")
        seen_kinds.add(check("auth.logout", "/logout", person.post("/logout", {})))
        walked.add("auth.logout:POST")
    # A JSON body where the designer expects one, and pages that fail.
    designer = Client(app)
    designer.login("designer")
    designer.get("/designer")
    for url in ("/designer/validate", "/designer/deploy"):
        response = designer.http.post(url, json={"files": {"a.bpmn": "<x/>"}},
                                      headers={"X-CSRFToken": designer.token})
        seen_kinds.add(check("designer", url, response))
    seen_kinds.add(check("x", "/no/such/page", designer.get("/no/such/page")))
    seen_kinds.add(check("x", "/healthz", designer.get("/healthz")))

    assert {rule.endpoint for rule in rules} <= {w.split(":")[0] for w in walked}
    assert {"page", "redirect", "error page", "json", "download", "stored file",
            "static"} <= seen_kinds, seen_kinds


def test_exports_letters_and_attachments_are_not_stored(db, world, login_as):  # noqa: F811
    """The downloads that carry personal data, named one by one."""
    commission = login_as("commission")
    for url in ("/supervision/ledger.xlsx", "/supervision/ledger.csv", "/supervision/midyear.xlsx",
                f"/supervision/evaluation/{world['unit_id']}.xlsx",
                f"/replies/{world['reply_id']}/letter",
                f"/attachments/{world['attachment_id']}"):
        response = commission.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"].startswith("attachment"), url
        assert response.headers["Cache-Control"] == "no-store", url
        assert response.headers["Content-Security-Policy"] == FILE_POLICY, url
    for url in ("/inbox", f"/tasks/{world['task_id']}", f"/cases/{world['suggestion_id']}"):
        assert commission.get(url).headers["Cache-Control"] == "no-store", url


@pytest.mark.parametrize("secure", [False, True])
def test_hsts_only_when_served_over_https(monkeypatch, secure):
    """JIANYI_SECURE_COOKIES=1 is the setting that says the site is served over HTTPS;
    JIANYI_PROXIES alone only says a proxy forwards the requests, maybe over plain HTTP."""
    monkeypatch.setenv("JIANYI_PROXIES", "1")
    if secure:
        monkeypatch.setenv("JIANYI_SECURE_COOKIES", "1")
    else:
        monkeypatch.delenv("JIANYI_SECURE_COOKIES", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    secured = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    http = secured.test_client()
    for endpoint, url in (("auth.login", "/login"), ("static", "/static/app.css"),
                          ("healthz", "/healthz"), ("x", "/nothing"), ("inbox", "/inbox")):
        response = http.get(url)
        check(endpoint, url, response, secure=secure)
        if secure:
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_templates_carry_no_inline_script_or_handler():
    """Pages the walk may not render (an error page, a form in a state) are covered here."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        parser = Scripts()
        parser.feed(path.read_text(encoding="utf-8"))
        assert parser.inline == [], path
