"""Users and passwords (hashed with Werkzeug's scrypt/pbkdf2, never stored in clear)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, Unit, User

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
                password_hash=generate_password_hash(password, method=HASH_METHOD))
    session.add(user)
    return user


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))
