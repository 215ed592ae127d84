"""Users and passwords (hashed with Werkzeug's scrypt/pbkdf2, never stored in clear)."""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, LoginFailure, Unit, User

from .errors import DomainError

# Werkzeug's default (scrypt). Tests lower the cost; production never changes it.
HASH_METHOD = "scrypt"


def create_user(session: Session, username: str, name: str, role: str, password: str, *,
                unit_code: str | None = None, deputy_id: int | None = None) -> User:
    """Add a user with a hashed password; unit-bound roles need their unit."""
    if role not in ROLES:
        raise DomainError(f"unknown role '{role}'")
    unit = session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    if role in ("unit_handler", "reviewer", "signer") and unit is None:
        raise DomainError(f"role '{role}' needs a unit")
    user = User(username=username, name=name, role=role, unit=unit, deputy_id=deputy_id,
                password_hash=hash_password(password))
    session.add(user)
    return user


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def by_username(session: Session, username: str) -> User | None:
    from models.text import storable
    if storable(username) is not None:  # a NUL: no account, and PostgreSQL cannot compare it
        return None
    return session.scalar(select(User).where(User.username == username))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def authenticate(session: Session, username: str, password: str, now, *, max_failures: int = 5,
                 lock_minutes: int = 15, address: str | None = None,
                 max_address_failures: int = 20) -> tuple[User | None, str]:
    """Check a login; count failures and lock the account after `max_failures` in a row, and
    refuse an address with `max_address_failures` failures within `lock_minutes`, whichever
    accounts it tried (password spraying never fails twice on one account).

    Returns (user, "") on success, else (None, "locked" | "address_blocked" | "invalid").
    """
    from datetime import timedelta
    since = now - timedelta(minutes=lock_minutes)
    if address and session.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.address == address, LoginFailure.at > since)) >= max_address_failures:
        return None, "address_blocked"
    user = by_username(session, username)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return None, "locked"
    if user is not None and user.active and check_password(user, password):
        user.failed_logins, user.locked_until = 0, None
        return user, ""
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            _audit(session, user.username, "account_locked", now)
    if address:
        session.add(LoginFailure(address=address[:64], at=now))
    return None, "invalid"


def forget_old_login_failures(session: Session, now) -> int:
    """Drop failed-login records older than a day (they no longer count)."""
    from datetime import timedelta
    return session.execute(delete(LoginFailure).where(
        LoginFailure.at < now - timedelta(days=1))).rowcount


def change_password(session: Session, user: User, current: str, new: str, confirm: str,
                    now) -> dict[str, str]:
    """Change a password; returns field errors (nothing changes if there are any)."""
    errors = {}
    if not check_password(user, current):
        errors["current"] = "当前密码不正确 (the current password is wrong)"
    if len(new) < 10:
        errors["new"] = "新密码至少10个字符 (at least 10 characters)"
    elif new != confirm:
        errors["confirm"] = "两次输入的新密码不一致 (the two entries differ)"
    if not errors:
        user.password_hash = hash_password(new)
        _audit(session, user.username, "password_changed", now)
    return errors


def _audit(session: Session, actor: str, action: str, now) -> None:
    from models import AuditEvent
    session.add(AuditEvent(at=now, actor=actor, action=action, detail={}))
