"""User names cannot be found: a name that is no account gets the same answer as a wrong
password, in a comparable time, and is locked after the same failures."""
from __future__ import annotations

import re

from sqlalchemy import select

import workflows.users
from models import AuditEvent
from workflows.users import create_user

from .conftest import Client

TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def _answer(response) -> tuple[int, str]:
    """Status and page, without the per-request CSRF token."""
    return response.status_code, TOKEN.sub("", response.get_data(as_text=True))


def _try(app, username: str, password: str = "wrong-password") -> tuple[int, str]:
    c = Client(app)
    return _answer(c.login(username, password))


def test_an_unknown_name_gets_the_answer_of_a_wrong_password(app, db):
    unknown = _try(app, "ghost")
    with db.write() as s:
        create_user(s, "ghost", "鬼", "commission", "right-password")
    existing = _try(app, "ghost")
    assert unknown == existing
    assert unknown[0] == 401 and "用户名或密码错误" in unknown[1]


def test_unknown_names_and_accounts_lock_alike(app, db, clock):
    """Five failures lock a name for 15 minutes whether or not it is an account; the answers,
    attempt by attempt, are the same."""
    with db.write() as s:
        create_user(s, "real", "真", "commission", "right-password")
    sequences = {}
    for name in ("real", "imaginary"):
        sequences[name] = [_try(app, name) for _ in range(7)]
    assert sequences["real"] == [(s, page.replace("imaginary", "real"))
                                 for s, page in sequences["imaginary"]]
    assert "锁定" not in sequences["real"][4][1] and "锁定" in sequences["real"][5][1]
    assert _try(app, "real", "right-password")[1] == sequences["real"][6][1]  # locked is locked
    clock.advance(minutes=16)
    assert _try(app, "imaginary")[0] == 401
    assert "锁定" not in _try(app, "imaginary")[1]
    c = Client(app)
    assert c.login("real", "right-password").status_code == 302
    with db.session() as s:
        locks = s.scalars(select(AuditEvent.actor).where(
            AuditEvent.action == "account_locked")).all()
    assert sorted(locks) == ["imaginary", "real"]


def test_an_unknown_name_costs_one_hash_of_the_same_method_as_a_wrong_password(app, db,
                                                                            monkeypatch):
    """The time a login takes is the hash it verifies: an unknown name verifies exactly one
    hash of the method real accounts use (a dummy), as a wrong password does. (Asserting on
    wall-clock times instead would make the test depend on the machine's load.)"""
    monkeypatch.setattr(workflows.users, "HASH_METHOD", "pbkdf2:sha256:150000")
    with db.write() as s:
        create_user(s, "timed", "计时", "commission", "right-password")
    app.config.update(LOGIN_MAX_FAILURES=1000, LOGIN_MAX_ADDRESS_FAILURES=1000)
    verified: list[str] = []
    real_check = workflows.users.check_password_hash

    def counting_check(pwhash: str, password: str) -> bool:
        verified.append(pwhash.split("$", 1)[0])
        return real_check(pwhash, password)

    monkeypatch.setattr(workflows.users, "check_password_hash", counting_check)
    c = Client(app)
    c.get("/login")
    methods = {}
    for name in ("timed", "nobody-here"):
        verified.clear()
        assert c.post("/login", {"username": name, "password": "wrong-password"}).status_code == 401
        methods[name] = list(verified)
    assert methods["nobody-here"] == methods["timed"] == ["pbkdf2:sha256:150000"], methods


def test_a_name_that_can_be_no_account_gets_the_same_answer(app):
    """Control characters (NUL cannot even be stored in PostgreSQL) and overlong names are no
    account either: the wrong-password answer, never a 500."""
    for name in ("no\x00body", "nobody\x1b[2J", "n" * 5000):
        status, page = _try(app, name)
        assert status == 401 and "用户名或密码错误" in page, name
