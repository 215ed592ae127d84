"""One-time links (一次性链接) with which a user sets their password."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class PasswordLink(Base):
    """A link an administrator hands to a user (a new account, or a password reset). The link
    carries a random token; this row only its SHA-256, so the table alone opens nothing. It
    serves once (`used_at`) and only until `expires_at`; a newer link of the same user ends
    the older ones."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"),
                                         index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[Optional[datetime]]
