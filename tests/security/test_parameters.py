"""Every route of the URL map, with hostile values in every parameter, as every role: nothing
answers 5xx (issue 13, item 7).

The routes come from `app.url_map.iter_rules()`, so a route added later is walked too; a path
parameter the walker cannot fill fails the test. Which query, form, file and JSON keys a view
reads is learnt by running it once with a request class that records every key looked up.
"""
from __future__ import annotations

import base64
import itertools
import json
import re
from contextlib import contextmanager
from io import BytesIO
from urllib.parse import quote

import pytest
from flask import Request, got_request_exception
from flask import request as current_request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from models import (Attachment, AuditEvent, Committee, Deputy, Division, HumanTask, LaneRule, Reply,
                    SavedFilter, Unit, User)
from workflows import attachments
from workflows.users import create_user

from ..webui.conftest import Client, app, login_as  # noqa: F401  (fixtures)
from .. import human_tasks
from ..workflows.helpers import Cases

ROLES = {"commission": "commission", "unit handler": "transport_unit_handler",
         "reviewer": "transport_reviewer", "signer": "transport_signer", "deputy": "dep_1",
         "leader": "leader", "designer": "designer", "admin": "admin", "anonymous": None}
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
KEY = {"mode": "lead_co", "lead_unit": "transport", "co_units": ["finance"],
       "key_suggestion": True, "supervising_leader": "leader"}


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


HUGE = "999999999999999999999"
# Hostile text for any parameter. CORE: wrong types, numbers past every range, characters no
# database or page should get, the empty and the very long. SHAPED: values shaped like what
# some parameters carry (dates, JSON text such as a form schema, page cursors), wrongly.
CORE = ["abc", "", "-1", "1.5", HUGE, "2147483648", "9" * 400, "\x00", "\u202egnp.exe",
        "\u200b", "x" * 100_000, "[" * 100_000]
NUMBERS = ["0", "1e308", "NaN", "9223372036854775808", "-" + HUGE, "第1号", "\u0661\u0662"]
SHAPED_TEXT = NUMBERS + [
    " ", "a\x00b", "\u2066x\u2069", "\ufeff", "\x1b[31m", "🙂" * 3, "%", "%00", "..",
    "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "\r\n", "2026-02-30",
    "2026-13-01T25:00:00", "9999-12-31T23:59:59", "0000-01-01",
    # JSON of the wrong shape for a form schema
    "5", '{"properties": {"a": 5}}', '{"properties": {"a": true}}',
    '{"properties": {"a": {"type": 5}}}', '{"required": 5, "properties": {}}',
    '{"properties": {"a": {"oneOf": [true]}}}',
    '{"properties": {"a": {"type": "array", "items": true}}}',
    '{"properties": {"a": {"enum": 5}}}', '{"properties": {"a": {"title": {"x": 1}}}}',
]
SHAPED_DATA = [  # malformed JSON and page cursors: each key alone gets every one
    "{", "null", "[]", '"x"', '{"properties": 5}',
    _b64(["2026-03-01T00:00:00", "x"]), _b64(["2026-03-01T00:00:00+00:00", 5]),
    _b64([5, 5]), _b64({"a": 1}), _b64([None, None]), _b64(["9999-12-31T23:59:59+14:00", "x"]),
    _b64(["nonsense", "x"]), _b64(["2026-03-01T00:00:00+00:00", "\x00"]), "@@@@",
]
SHAPED = SHAPED_TEXT + SHAPED_DATA
HOSTILE = CORE + SHAPED
# Path parameters are ids and names: JSON and cursors add nothing there.
PATH_VALUES = [v for v in CORE if not v.startswith("[")] + [
    v for v in SHAPED_TEXT if not v.startswith(("{", "5"))]
# The budget (so that the walk takes about a minute per database): per route and method,
# - "thorough": the first role let in sends PATH_VALUES in each path parameter, CORE and
#   NUMBERS in all keys at once (a number past every range in every field at once reaches
#   code that one bad field would stop before), in each key alone the CORE and SHAPED_DATA
#   values and a share of SHAPED_TEXT (another share for the next key), and every file and
#   JSON body;
# - "other keys": a role let in that reads other keys (another step's task form) sends a share
#   in each path parameter, in all keys at once and in each key alone;
# - "let in": every other role let in sends a share (turning, so that the shares of the roles
#   add up to most values) in each path parameter and in all keys at once;
# - "probe": a role refused, or a role's further benign path values, sends the PROBES, in case
#   a view reads a parameter before it checks who asks.
# Very long values only go into the thorough pass: parsing them costs more than the view.
SHARES = 10
_CHEAP = [v for v in HOSTILE if len(v) < 1000]


def share(turn: int) -> list[str]:
    return _CHEAP[turn % SHARES::SHARES]


def core_and_share(turn: int) -> list[str]:
    return CORE + SHAPED_DATA + SHAPED_TEXT[turn % SHARES::SHARES]


PROBES = ["abc", "-1", HUGE, "\x00", "x" * 300, "{"]
FILES = [("", b""), ("a\x00.pdf", b"%PDF-1.4"), ("x" * 5000 + ".pdf", b"%PDF-1.4"),
         ("\u202efdp.exe", b"MZ"), ("../../x.pdf", b"%PDF-1.4"), ("a.txt", b"\xff\xfe\x00"),
         ("\x00", b"\x00"), ("🙂.pdf", b"%PDF-1.4"), ("a.pdf", b"")]
JSON_BODIES = ["", "{", "null", "5", "[]", '"x"', "[" * 100_000, '{"files": 5}',
               '{"files": []}', '{"files": {}}', '{"files": {"a.bpmn": 5}}',
               '{"files": {"a.bpmn": null}}', '{"files": {"../x.bpmn": "x"}}',
               '{"files": {"a.bpmn": "\\u0000"}}', '{"files": {"a.bpmn": "<x/>"}}',
               '{"files": {"a.schema.json": "{\\"properties\\": 5}"}}',
               '{"files": {"\\u0000.bpmn": "x"}}', b"\xff\xfe"]
JSON_VALUES = [5, None, [], {}, "x", "\x00", {"a": 5}, {"a.bpmn": None}, [1, [2]], 1e308]


# ---- learning which keys a view reads ----
_seen: set[tuple[str, str]] | None = None


def _note(source: str, key) -> None:
    if _seen is not None:
        _seen.add((source, str(key)))


class _Keys(ImmutableMultiDict):
    """Query/form/file parameters that note every key a view looks up."""

    def _source(self) -> str:
        loaded = current_request.__dict__ if current_request else {}
        return "files" if loaded.get("files") is self else \
            "form" if loaded.get("form") is self else "args"

    def __getitem__(self, key):
        _note(self._source(), key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        _note(self._source(), key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _note(self._source(), key)
        return super().getlist(key, type)

    def __contains__(self, key):
        _note(self._source(), key)
        return super().__contains__(key)


class _JsonKeys(dict):
    def get(self, key, default=None):
        _note("json", key)
        return super().get(key, default)

    def __getitem__(self, key):
        _note("json", key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _note("json", key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = _Keys

    def get_json(self, *args, **kwargs):
        _note("json", "")
        value = super().get_json(*args, **kwargs)
        return _JsonKeys(value) if isinstance(value, dict) else value


@contextmanager
def recording():
    global _seen
    _seen = set()
    try:
        yield _seen
    finally:
        _seen = None


# ---- the world: a case at every kind of step, a reply, an attachment ----
@pytest.fixture
def world(db, domain_engine, org, tmp_path, monkeypatch):
    """Benign values for every path parameter: a list (tried for every role) or a dict of
    role -> value ("*" for the others); "endpoint:name" overrides "name" for one route."""
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
        create_user(s, "admin", "管理员", "admin", "pw")
        # an account the administrator's actions (deactivate, reset, membership) may change
        # without logging out any of the walker's roles
        spare = create_user(s, "spare", "备用", "committee", "pw")
        committee = Committee(name="教科文卫委")
        s.add(committee)
        s.flush()
        handler = s.scalar(select(User).where(User.username == "transport_unit_handler"))
        s.add(SavedFilter(user_id=handler.id, name="已逾期", query={"overdue": "1"},
                          created_at=domain_engine.clock()))
        s.flush()
        spare_id, committee_id = spare.id, committee.id
    cases = Cases(db, domain_engine, org)
    done_sid, _ = cases.new(SOLE, deputy="王芳")
    cases.drive(cases.case(done_sid), stop_at={"feedback"})
    for stop in ({"acknowledge"}, {"consult"}, {"review"}, {"sign_off"}):
        cases.drive(cases.new(SOLE, deputy="王芳", title="关于另一件事的建议")[1], stop_at=stop)
    cases.drive(cases.new(KEY, deputy="李强", title="关于重点事项的建议")[1],
                stop_at={"leader_review"})
    cases.register(title="关于尚未交办的建议")
    human_tasks.deploy(db, domain_engine, monkeypatch)  # a process that is not a suggestion
    with db.write() as s:
        other_case = domain_engine.start(s, "equipment", actor="commission").instance_id
    with db.write() as s:
        tasks = {t.bpmn_id: t.id for t in s.scalars(select(HumanTask).where(
            HumanTask.state == "ready").order_by(HumanTask.created_at))}
        handler = s.scalar(select(User).where(User.username == "transport_unit_handler"))
        attachments.add(s, tmp_path / "files", handler, s.get(HumanTask, tasks["acknowledge"]),
                        "a.pdf", b"%PDF-1.4 x", domain_engine.clock())
    with db.session() as s:
        return {
            "task_id": {"commission": tasks["assign"], "unit handler": tasks["consult"],
                        "reviewer": tasks["review"], "signer": tasks["sign_off"],
                        "deputy": tasks["feedback"], "leader": tasks["leader_review"],
                        "*": tasks["acknowledge"]},
            "suggestion_id": [str(done_sid)],
            "attachment_id": [str(s.scalars(select(Attachment.id)).first())],
            "reply_id": [str(s.scalars(select(Reply.id)).first())],
            "instance_id": [str(other_case)],
            "instances.diagram:filename": ["equipment.bpmn"],
            "unit_id": [str(s.scalar(select(Unit.id).where(Unit.code == "transport")))],
            "version_id": ["1"],
            "filename": ["unit_handling.bpmn"],
            "static:filename": ["app.css"],
            "name": ["assign.schema.json"],
            "kind": ["follow_up", "dissatisfied", "key", "repeated"],
            "code": ["zh"],
            "rule_id": [str(s.scalar(select(LaneRule.id).where(  # in use: deleting is refused
                LaneRule.process_id == "unit_handling", LaneRule.lane == "Signer")))],
            # the organisation administration's records, one of each kind
            "record_id": [str(s.scalar(select(Unit.id).where(Unit.code == "transport")))],
            "org.deputies_one:record_id": [str(s.scalars(select(Deputy.id)).first())],
            "org.sessions_one:record_id": [str(org.congress_session_id)],
            "people.users_one:record_id": [str(spare_id)],
            "division_id": [str(s.scalars(select(Division.id)).first() or 1)],
            "user_id": [str(spare_id)],
            "committee_id": [str(committee_id)],
            "token": ["0" * 43],  # a staged upload or one-time link that does not exist
            "event_id": [str(s.scalars(select(AuditEvent.id)).first())],
            "filter_id": [str(s.scalars(select(SavedFilter.id)).first())],
            "substitution_id": ["1"],  # none exists: cancelling answers 404
        }


@pytest.fixture
def walker(app, world):
    # No CSRF token to forge (the views behind it are under test), and hostile logins must not
    # block the walker's own address.
    app.config.update(WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False,
                      LOGIN_MAX_ADDRESS_FAILURES=10**9)
    app.request_class = RecordingRequest
    return Walker(app, world)


_ARG = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


class Walker:
    """Requests every route as every role and collects each 5xx with what caused it."""

    def __init__(self, app, world):
        self.app, self.world = app, world
        self.clients = {role: self._login(user) for role, user in ROLES.items()}
        self.failures: list[str] = []
        self.requests = 0
        self.errors: list[BaseException] = []
        got_request_exception.connect(self._caught, app)

    def _caught(self, sender, exception, **extra):
        self.errors.append(exception)

    def _login(self, username):
        client = Client(self.app)
        if username is not None:
            assert client.login(username).status_code == 302, username
        return client

    def relogin(self, role):
        if ROLES[role] is not None:
            self.clients[role] = self._login(ROLES[role])

    def benign(self, rule, role) -> list[dict[str, str]]:
        """The path values to try for `role`; fails on a parameter the world cannot fill."""
        choices = []
        for name in sorted(rule.arguments):
            given = self.world.get(f"{rule.endpoint}:{name}", self.world.get(name))
            assert given is not None, \
                f"the walker cannot fill <{name}> of {rule.rule}: give the world a benign value"
            choices.append(given if isinstance(given, list) else [given.get(role, given["*"])])
        names = sorted(rule.arguments)
        return [dict(zip(names, values)) for values in itertools.product(*choices)]

    @staticmethod
    def path(rule, values: dict[str, str]) -> str:
        return _ARG.sub(lambda m: quote(values[m["name"]], safe=""), rule.rule)

    def send(self, role, method, path, *, args=None, form=None, files=None, body=None,
             label=""):
        client = self.clients[role].http
        kwargs = {"query_string": args or {}}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        elif files:
            kwargs.update(data={**(form or {}), **files}, content_type="multipart/form-data")
        elif method != "GET":
            kwargs["data"] = form or {}
        self.errors.clear()
        self.requests += 1
        response = client.open(path, method=method, **kwargs)
        status = response.status_code
        response.close()
        if status >= 500:
            cause = repr(self.errors[-1])[:300] if self.errors else ""
            self.failures.append(f"{status} {role} {method} {path[:100]} {label[:100]} {cause}")
        return response


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:40] + f"...({len(value)} chars)"


def _discover(walker, rule, method):
    """For each role: whether it gets past the view's permission checks, the path values that
    do (or the first), and the keys the view reads with them."""
    found = {}
    for role in ROLES:
        tried = []
        for values in walker.benign(rule, role):
            path = walker.path(rule, values)
            with recording() as seen:
                response = walker.send(role, method, path, label="benign")
                if ("json", "") in seen:  # learn the keys of a JSON body too
                    walker.send(role, method, path, body="{}", label="benign json")
            location = response.headers.get("Location", "")
            # Let in: anything but a refusal (403, 404 for what one may not see, the login page);
            # a 401 is the login form's own answer.
            allowed = response.status_code not in (403, 404) and "/login" not in location
            tried.append((allowed, values, frozenset(seen)))
            if rule.endpoint == "auth.logout":
                walker.relogin(role)
        chosen = [t for t in tried if t[0]] or tried[:1]
        found[role] = (chosen[0][0], [(v, k) for _, v, k in chosen])
    return found


def _fuzz(walker, rule, method, role, values, keys, tier, turn):
    """One role's hostile requests to one route, by tier (see the budget above)."""
    paths, every, each = {
        "thorough": (PATH_VALUES, CORE + NUMBERS, core_and_share),
        "other keys": (share(turn), share(turn), share),
        "let in": (share(turn), share(turn), None),
        "probe": (PROBES, PROBES, None),
    }[tier]
    base = walker.path(rule, values)
    for name in values:  # path parameters, each hostile in turn
        for bad in paths:
            walker.send(role, method, walker.path(rule, {**values, name: bad}),
                        label=f"path {name}={_short(bad)}")
    keyed = sorted(k for source, k in keys if source in ("args", "form") and k)
    for bad in every if keyed else ():  # every key at once
        params = {k: bad for k in keyed}
        walker.send(role, method, base, args=params, form=params if method != "GET" else None,
                    label=f"all keys={_short(bad)}")
    for index, key in enumerate(keyed if each else ()):  # one key at a time
        for bad in each(turn + index):
            walker.send(role, method, base, args={key: bad},
                        form={key: bad} if method != "GET" else None,
                        label=f"{key}={_short(bad)}")
    if tier != "thorough":
        return
    for source, key in keys:
        if source == "files":
            for name, content in FILES:
                walker.send(role, method, base, files={key: (BytesIO(content), name)},
                            label=f"file {key}={_short(name)}")
        elif source == "json" and key == "":
            for body in JSON_BODIES:
                walker.send(role, method, base, body=body, label=f"json {_short(body)}")
        elif source == "json":
            for bad in JSON_VALUES:
                walker.send(role, method, base, body=json.dumps({key: bad}),
                            label=f"json {key}={_short(bad)}")


def _walk(walker):
    """Every route and method, as every role; returns the routes walked and what each role's
    request could reach, for the hypothesis pass."""
    covered, reachable = [], []
    for rule in walker.app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found = _discover(walker, rule, method)
            covered.append(f"{method} {rule.rule}")
            key_sets = set()
            for turn, (role, (allowed, chosen)) in enumerate(found.items()):
                for nth, (values, keys) in enumerate(chosen):
                    if not allowed or (nth and keys in key_sets):
                        tier = "probe"
                    elif not key_sets:
                        tier = "thorough"
                    elif keys not in key_sets:
                        tier = "other keys"
                    else:
                        tier = "let in"
                    if tier != "probe":
                        key_sets.add(keys)
                    _fuzz(walker, rule, method, role, values, keys, tier, turn)
                    if rule.endpoint == "auth.logout":
                        walker.relogin(role)
                    reachable.append((rule, method, role, values, sorted(
                        [("path", n) for n in values]
                        + [k for k in keys if k[1] or k[0] == "json"])))
    return covered, reachable


# Random values on top of the fixed corpus: a fixed number of examples, the same every run.
RANDOM_EXAMPLES = 100
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)
_TEXT = st.one_of(st.text(max_size=200), st.integers().map(str), st.floats().map(str),
                  st.sampled_from(HOSTILE), st.binary(max_size=40).map(
                      lambda b: base64.urlsafe_b64encode(b).decode()),
                  _JSON.map(lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode()),
                  _JSON.map(json.dumps))


def _random_pass(walker, reachable):
    """Hypothesis draws a route, a role and one of the parameters the view reads, and a value
    for it."""
    @settings(max_examples=RANDOM_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def request(data):
        rule, method, role, values, params = data.draw(st.sampled_from(reachable))
        if not params:
            return
        source, name = data.draw(st.sampled_from(params))
        if source == "path":
            walker.send(role, method, walker.path(rule, {**values, name: data.draw(_TEXT)}),
                        label=f"random path {name}")
        elif source == "files":
            walker.send(role, method, walker.path(rule, values), files={name: (
                BytesIO(data.draw(st.binary(max_size=200))), data.draw(st.text(max_size=80)))},
                label=f"random file {name}")
        elif source == "json":
            body = data.draw(_JSON) if name == "" else {name: data.draw(_JSON)}
            walker.send(role, method, walker.path(rule, values), body=json.dumps(body),
                        label=f"random json {name}")
        else:
            value = data.draw(_TEXT)
            walker.send(role, method, walker.path(rule, values), args={name: value},
                        form={name: value} if method != "GET" else None,
                        label=f"random {name}={_short(value)}")
    request()


@pytest.mark.timeout(1200)  # walks every route as every role: it grows with the app
def test_no_route_answers_5xx_to_hostile_parameters(walker):
    covered, reachable = _walk(walker)
    _random_pass(walker, reachable)
    print(f"\n{walker.requests} requests over {len(covered)} routes:\n  " + "\n  ".join(covered))
    assert not walker.failures, f"{len(walker.failures)} 5xx:\n" + "\n".join(walker.failures)


# ---- the cases the issue names, with the answer each gets ----
@pytest.mark.parametrize("url,status,message", [
    ("/inbox?size=abc", 400, "参数 size 应为 1 到 100 之间的整数。"),
    ("/inbox?due_within=99999999999999", 400, "参数 due_within 应为 0 到 3660 之间的整数。"),
    ("/inbox?after=" + _b64(["2026-03-01T00:00:00", "00000000-0000-0000-0000-000000000000"]),
     400, "翻页参数无效，请从第一页重新开始。"),
    ("/inbox?field=%E4%BA%A4%00", 400, "参数 field 的值无效。"),
    ("/inbox?field=%E6%B0%91%E7%94%9F", 400, "参数 field 的值无效。"),  # 民生: not in the list
    ("/cases/999999999999999999999", 404, "页面不存在。"),
    ("/cases/abc", 404, "页面不存在。"),
    ("/attachments/999999999999999999999", 404, "页面不存在。"),
    ("/replies/999999999999999999999/letter", 404, "页面不存在。"),
    ("/tasks/a%00b", 404, "页面不存在。"),
    ("/supervision?unit=2147483648", 400, "参数 unit 应为 1 到 2147483647 之间的整数。"),
    ("/supervision?session=abc", 400, "参数 session 应为 1 到 2147483647 之间的整数。"),
    ("/supervision/lists/repeated?year=99999", 400, "参数 year 应为 1949 到 9999 之间的整数。"),
])
def test_the_named_parameters_get_a_clear_answer(login_as, url, status, message):
    response = login_as("commission").get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_the_answer_is_in_the_readers_language(login_as):
    c = login_as("commission")
    c.http.set_cookie("lang", "en")
    response = c.get("/inbox?size=abc")
    assert response.status_code == 400
    assert "Parameter size must be a whole number from 1 to 100." in response.get_data(
        as_text=True)


def test_a_preview_of_a_schema_of_the_wrong_shape_says_what_is_wrong(db, login_as):
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    c = login_as("designer")
    for schema in ('{"properties": 5}', '{"properties": {"a": true}, "title": 5}',
                   "[" * 100_000, '{"properties": {"a": {"type": 5}}}'):
        response = c.post("/designer/preview", {"schema": schema})
        assert response.status_code == 200 and 'id="preview-error"' in response.get_data(
            as_text=True), schema
    # A valid schema of an unusual shape (a choice that is `true`) is shown as it can be.
    response = c.post("/designer/preview", {"schema": '{"properties": {"a": {"oneOf": [true]}}}'})
    assert response.status_code == 200 and 'data-field="a"' in response.get_data(as_text=True)


def test_a_route_the_walker_cannot_fill_fails_the_walk():
    from types import SimpleNamespace
    from werkzeug.routing import Map, Rule
    rule = Rule("/things/<int:thing_id>", endpoint="things.show")
    Map([rule])
    with pytest.raises(AssertionError, match="cannot fill <thing_id>"):
        Walker.benign(SimpleNamespace(world={}), rule, "commission")
