"""One-time links (一次性链接) with which a user chooses a password.

The administrator never types a password: creating an account or resetting one gives a link to
hand over. The token travels only in the link; `password_link` keeps its SHA-256. A link serves
once, until it expires (72 hours by default); a new link ends the user's older ones; a reset
also makes the old password unusable and ends the user's sessions. Whoever opens a valid link
chooses the password (the rules of `workflows.users`) and is signed in.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import LoginSession, PasswordLink, User

from .accounts import NO_PASSWORD
from .errors import DomainError
from .organisation import record
from .users import hash_password, new_password_problems, token_hash

LIFETIME = timedelta(hours=72)


def issue(session: Session, user: User, *, actor: str, now: datetime,
          lifetime: timedelta = LIFETIME, reset: bool = False) -> str:
    """A new link for `user`; returns its token (shown once, never stored). `reset`: the old
    password stops working and the user's sessions end."""
    if not user.active:
        raise DomainError("账号已停用 (the account is deactivated)")
    session.execute(update(PasswordLink).where(PasswordLink.user_id == user.id,
                                               PasswordLink.used_at.is_(None),
                                               PasswordLink.expires_at > now)
                    .values(expires_at=now))
    token = secrets.token_urlsafe(32)
    session.add(PasswordLink(token_hash=token_hash(token), user_id=user.id, created_by=actor,
                             created_at=now, expires_at=now + lifetime))
    if reset:
        user.password_hash, user.must_change_password = NO_PASSWORD, True
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    record(session, actor, "password_reset" if reset else "password_link_issued", now,
           {"id": user.id, "key": user.username, "expires_at": (now + lifetime).isoformat()})
    return token


def find(session: Session, token: str, now: datetime, *, lock: bool = False) -> PasswordLink | None:
    """The link a token opens, if it is unused, unexpired and its account active."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    query = select(PasswordLink).join(User, User.id == PasswordLink.user_id).where(
        PasswordLink.token_hash == token_hash(token), PasswordLink.used_at.is_(None),
        PasswordLink.expires_at > now, User.active.is_(True))
    return session.scalar(query.with_for_update() if lock else query)


def use(session: Session, token: str, new: str, confirm: str,
        now: datetime) -> tuple[User | None, dict[str, str]]:
    """Set the password through a link: (user, {}) when done, (None, field errors) if not —
    {"token": ...} when the link does not open (wrong, used, expired)."""
    link = find(session, token, now, lock=True)
    if link is None:
        gone = "链接无效、已使用或已过期 (the link is wrong, used or expired)"
        return None, {"token": gone}
    if errors := new_password_problems(new, confirm):
        return None, errors
    user = session.get(User, link.user_id)
    link.used_at = now
    user.password_hash, user.must_change_password = hash_password(new), False
    user.failed_logins, user.locked_until = 0, None
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    record(session, user.username, "password_set_by_link", now,
           {"id": user.id, "key": user.username, "link": link.id})
    return user, {}


__all__ = ["LIFETIME", "find", "issue", "use"]
