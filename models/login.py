"""Who is signed in, and failed logins under names that are no account."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class LoginSession(Base):
    """One signed-in browser. Its cookie carries a random token and this row only the token's
    SHA-256, so the table alone signs nobody in. Deleting the row ends the session for every
    copy of the cookie (logout, a password change elsewhere); a row idle or older than the
    limits no longer counts."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)


class LoginName(Base):
    """Failed logins under a name that is no account, counted like an account's
    (`User.failed_logins`, `User.locked_until`): otherwise only real accounts could ever be
    locked, and "locked" would tell which names exist."""

    __tablename__ = "login_name"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[datetime]]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
