"""Sessions that end: logout ends that session for every copy of its cookie, a password change
ends the user's other sessions, and a session idle or too old ends by itself; tested by
replaying saved cookies. The request's user is still loaded with one statement, and an ordinary
request writes nothing."""
from __future__ import annotations

from datetime import timedelta

from flask import g
from sqlalchemy import event, select

from models import AuditEvent, LoginSession
from webui.auth import load_user
from workflows.users import forget_ended_sessions

from .conftest import Client


def _saved_cookie(c: Client) -> str:
    return c.http.get_cookie("session").value


def _replay(app, cookie: str) -> Client:
    """Another browser holding a copy of a saved session cookie."""
    thief = Client(app)
    thief.http.set_cookie("session", cookie)
    thief.logged_in = True
    return thief


def _in(c: Client) -> bool:
    """True if the client gets the inbox, False if it is sent to the login page."""
    response = c.get("/inbox")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _actions(db, actor: str) -> list[tuple[str, dict]]:
    with db.session() as s:
        return [(e.action, e.detail) for e in s.scalars(select(AuditEvent).where(
            AuditEvent.actor == actor).order_by(AuditEvent.id))]


def test_logout_ends_that_session_for_every_copy_of_its_cookie(app, login_as, db):
    here, elsewhere = login_as("commission"), login_as("commission")
    saved = _saved_cookie(here)
    assert _in(_replay(app, saved))  # the copy works while the session lasts
    here.get("/inbox")
    assert here.post("/logout").headers["Location"] == "/login"
    assert not _in(here)
    assert not _in(_replay(app, saved))  # the saved copy no longer lets anyone in
    assert _in(elsewhere)  # another session of the same user goes on
    actions = [a for a, _ in _actions(db, "commission")]
    assert actions == ["login", "login", "logout"]


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, login_as, db):
    here, other = login_as("commission"), login_as("commission")
    saved = _saved_cookie(other)
    here.get("/password")
    changed = here.post("/password", {"current": "pw", "new": "a-much-longer-one",
                                      "confirm": "a-much-longer-one"})
    assert changed.status_code == 302
    assert _in(here)  # who changed it stays signed in
    assert not _in(other) and not _in(_replay(app, saved))
    fresh = Client(app)
    assert fresh.login("commission", "pw").status_code == 401
    assert fresh.login("commission", "a-much-longer-one").status_code == 302
    assert ("sessions_ended", {"reason": "password_changed", "sessions": 1}) in \
        _actions(db, "commission")


def test_a_wrong_current_password_ends_nothing(app, login_as):
    here, other = login_as("commission"), login_as("commission")
    here.get("/password")
    refused = here.post("/password", {"current": "nope", "new": "a-much-longer-one",
                                      "confirm": "a-much-longer-one"})
    assert refused.status_code == 400
    assert _in(here) and _in(other)


def test_an_idle_session_ends_and_an_active_one_lasts_its_lifetime(app, login_as, clock):
    """Idle limit 2 hours (the default), lifetime 8 hours; the engine clock moves, nobody
    sleeps."""
    assert app.config["SESSION_IDLE_MINUTES"] == 120
    idle, busy = login_as("commission"), login_as("transport_unit_handler")
    saved = _saved_cookie(idle)
    for step in range(5):  # busy works every 90 minutes, idle does nothing after the first
        clock.advance(minutes=90)
        assert _in(busy)
        if step == 0:
            assert _in(idle)  # 90 minutes idle: still in, and its idle clock starts again
    assert not _in(idle) and not _in(_replay(app, saved))
    clock.advance(minutes=60)  # 8.5 hours after login: past the absolute lifetime
    assert not _in(busy)
    assert login_as("transport_unit_handler") is not None  # a new login is a new session


def test_a_short_idle_limit_from_the_configuration(app, login_as, clock):
    app.config["SESSION_IDLE_MINUTES"] = 10
    c = login_as("commission")
    clock.advance(minutes=9)
    assert _in(c)
    clock.advance(minutes=9)
    assert _in(c)  # 9 minutes since it was last seen
    clock.advance(minutes=11)
    assert not _in(c)


def test_ordinary_requests_write_nothing_and_the_idle_clock_moves_every_few_minutes(
        app, login_as, db, clock):
    c = login_as("commission")

    def last_seen():
        with db.session() as s:
            return s.scalars(select(LoginSession.last_seen_at)).one()

    signed_in = last_seen()
    writes = []
    listener = lambda conn, cursor, statement, *args: writes.append(statement) \
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) else None
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for _ in range(4):
            clock.advance(minutes=1)
            assert _in(c)
        assert writes == [] and last_seen() == signed_in
        clock.advance(minutes=2)  # now 6 minutes since it was last seen
        assert _in(c)
        assert len(writes) == 1 and last_seen() == clock()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_the_user_is_loaded_with_one_statement(app, login_as, db):
    c = login_as("commission")
    token = _saved_token(app, c)
    statements = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context("/inbox"):
            user = load_user(token)
            assert user.username == "commission" and user.role == "commission"
            g.pop("db_session").close()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def _saved_token(app, c: Client) -> str:
    """The session token inside the signed cookie (Flask-Login's `_user_id`)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(_saved_cookie(c))["_user_id"]


def test_the_cookie_carries_a_random_token_and_the_table_only_its_hash(app, login_as, db):
    c = login_as("commission")
    token = _saved_token(app, c)
    assert len(token) >= 40
    with db.session() as s:
        row = s.scalars(select(LoginSession)).one()
    assert token not in row.token_hash and len(row.token_hash) == 64


def test_housekeeping_drops_sessions_idle_for_a_day(login_as, db, clock):
    login_as("commission")
    with db.write() as s:
        assert forget_ended_sessions(s, clock() + timedelta(hours=23)) == 0
        assert forget_ended_sessions(s, clock() + timedelta(days=1, minutes=1)) == 1


def test_a_backup_carries_no_login_sessions(app, login_as, db, tmp_path):
    """A copy restored elsewhere must not let a cookie of this server in."""
    import io
    import json
    import zipfile

    from models.backup import backup
    here = login_as("commission")
    assert _in(here)
    out = io.BytesIO()
    counts = backup(db, out)
    assert counts["login_session"] == 0
    with zipfile.ZipFile(out) as archive:
        assert archive.read("tables/login_session.jsonl") == b""
        assert json.loads(archive.read("manifest.json"))["rows"]["login_session"] == 0
    assert _in(here)  # the backup ends nothing here
