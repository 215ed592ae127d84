"""Users, passwords (hashed with Werkzeug's scrypt/pbkdf2, never stored in clear) and login
sessions (a random token in the cookie, its hash in `login_session`)."""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import text
from models import AuditEvent, LoginFailure, LoginName, LoginSession, Unit, User

from .errors import DomainError
from . import roles
from models.text import storable

# Werkzeug's default (scrypt). Tests lower the cost; production never changes it.
HASH_METHOD = "scrypt"
USERNAME_MAX = 64  # app_user.username and login_name.username
FORGET_AFTER = timedelta(days=1)  # failed logins, and sessions idle that long, are dropped


def create_user(session: Session, username: str, name: str, role: str, password: str, *,
                unit_code: str | None = None, deputy_id: int | None = None) -> User:
    """Add a user with a hashed password; unit-bound roles need their unit."""
    if not roles.exists(session, role):  # a built-in role, or one an administrator added
        raise DomainError(f"unknown role '{role}'")
    for field, value in (("username", username), ("name", name)):
        if reason := text.problem(value, limit=text.limit_of(getattr(User, field))):
            raise DomainError(f"{field}: {reason}")
    unit = session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    if role in ("unit_handler", "reviewer", "signer") and unit is None:
        raise DomainError(f"role '{role}' needs a unit")
    user = User(username=username, name=name, role=role, unit=unit, deputy_id=deputy_id,
                password_hash=hash_password(password))
    session.add(user)
    return user


def check_password(user: User, password: str) -> bool:
    """An account without a password yet ("!…", see workflows.accounts) matches nothing."""
    return not user.password_hash.startswith("!") and \
        check_password_hash(user.password_hash, password)


def by_username(session: Session, username: str) -> User | None:
    if storable(username) is not None:  # a NUL: no account, and PostgreSQL cannot compare it
        return None
    return session.scalar(select(User).where(User.username == username))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of the current method and cost that no password matches: checked when the name is
    no account, so that a wrong name takes as long as a wrong password."""
    if HASH_METHOD not in _DUMMY_HASHES:
        _DUMMY_HASHES[HASH_METHOD] = hash_password(secrets.token_urlsafe(32))
    return _DUMMY_HASHES[HASH_METHOD]


def authenticate(session: Session, username: str, password: str, now, *, max_failures: int = 5,
                 lock_minutes: int = 15, address: str | None = None,
                 max_address_failures: int = 20) -> tuple[User | None, str]:
    """Check a login; count failures and lock the name after `max_failures` in a row, and
    refuse an address with `max_address_failures` failures within `lock_minutes`, whichever
    accounts it tried (password spraying never fails twice on one account).

    A name that is no account (or an inactive one) is answered exactly as a wrong password: a
    password hash of the same cost is checked, and its failures are counted and locked alike
    (in `login_name`), so neither the answer nor its time tells whether an account exists.

    Returns (user, "") on success, else (None, "locked" | "address_blocked" | "invalid").
    """
    since = now - timedelta(minutes=lock_minutes)
    if address and session.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.address == address, LoginFailure.at > since)) >= max_address_failures:
        return None, "address_blocked"
    key = _name_key(username)
    # Both counters are read under a row lock: two guesses at once must count twice.
    user = session.scalar(select(User).where(User.username == key).with_for_update()) \
        if key == username else None
    counter = user if user is not None else _name_counter(session, key, now)
    if counter.locked_until is not None and counter.locked_until > now:
        return None, "locked"
    usable = user is not None and not user.password_hash.startswith("!")
    matches = check_password_hash(user.password_hash if usable else _dummy_hash(), password) \
        and usable
    if user is not None and user.active and matches:
        user.failed_logins, user.locked_until = 0, None
        return user, ""
    counter.failed_logins += 1
    if counter.failed_logins >= max_failures:
        counter.locked_until = now + timedelta(minutes=lock_minutes)
        counter.failed_logins = 0
        _audit(session, key, "account_locked", now,
               {"account": user is not None})
    if address:
        session.add(LoginFailure(address=address[:64], at=now))
    return None, "invalid"


def _name_key(username: str) -> str:
    """The name as looked up and counted. One that can be no account (too long, or holding
    control characters, which PostgreSQL cannot even compare when one is NUL) is counted under
    a printable prefix and never looked up."""
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cs") else c
                   for c in username[:USERNAME_MAX])


def _name_counter(session: Session, username: str, now) -> LoginName:
    """The failure counter of a name that is no account, locked for this transaction (created
    when new; two first failures at once must not collide on the key)."""
    insert = (postgresql_insert if session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)(LoginName)
    session.execute(insert.values(username=username, failed_logins=0, last_failure_at=now)
                    .on_conflict_do_nothing(index_elements=["username"]))
    counter = session.scalars(select(LoginName).where(LoginName.username == username)
                              .with_for_update()
                              .execution_options(populate_existing=True)).one()
    counter.last_failure_at = now
    return counter


def forget_old_login_failures(session: Session, now) -> int:
    """Drop failed-login records older than a day (they no longer count), and the counters of
    names that are no account once their last failure is that old; returns the records
    dropped."""
    session.execute(delete(LoginName).where(LoginName.last_failure_at < now - FORGET_AFTER))
    return session.execute(delete(LoginFailure).where(
        LoginFailure.at < now - FORGET_AFTER)).rowcount


# ---- sessions ----
def token_hash(token: str) -> str:
    """What `login_session` keeps of a session's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, now, address: str | None = None) -> str:
    """A new login session for `user`; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                             last_seen_at=now))
    _audit(session, user.username, "login", now, {"address": address} if address else {})
    return token


def end_session(session: Session, session_id: int, username: str, now) -> None:
    """Log out: the session ends for every copy of its cookie."""
    session.execute(delete(LoginSession).where(LoginSession.id == session_id))
    _audit(session, username, "logout", now)


def seen(session: Session, session_id: int, now) -> None:
    """Move a session's idle clock on (the web app does it every few minutes, not per request)."""
    session.execute(update(LoginSession).where(LoginSession.id == session_id)
                    .values(last_seen_at=now))


def forget_ended_sessions(session: Session, now) -> int:
    """Drop sessions idle for a day (ended by any idle timeout up to that long)."""
    return session.execute(delete(LoginSession).where(
        LoginSession.last_seen_at < now - FORGET_AFTER)).rowcount


def change_password(session: Session, user: User, current: str, new: str, confirm: str,
                    now, keep_session: int | None = None) -> dict[str, str]:
    """Change a password; returns field errors (nothing changes if there are any). Every other
    session of the user ends: whoever knew the old password is signed out."""
    errors = {}
    if not check_password(user, current):
        errors["current"] = "当前密码不正确 (the current password is wrong)"
    errors.update(new_password_problems(new, confirm))
    if not errors:
        user.password_hash, user.must_change_password = hash_password(new), False
        _audit(session, user.username, "password_changed", now)
        ended = session.execute(delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.id != (keep_session or -1))).rowcount
        if ended:
            _audit(session, user.username, "sessions_ended", now,
                   {"reason": "password_changed", "sessions": ended})
    return errors


def new_password_problems(new: str, confirm: str) -> dict[str, str]:
    """The rules a new password follows (the password page and the one-time link)."""
    if len(new) < 10:
        return {"new": "新密码至少10个字符 (at least 10 characters)"}
    if new != confirm:
        return {"confirm": "两次输入的新密码不一致 (the two entries differ)"}
    return {}


def _audit(session: Session, actor: str, action: str, now, detail: dict | None = None) -> None:
    session.add(AuditEvent(at=now, actor=actor, action=action, detail=detail or {}))
