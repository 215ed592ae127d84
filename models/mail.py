"""Notifications out of the app (邮件通知): each user's choice of what to receive by mail, and
the outbox the scheduler sends from.

An outbox row is written in the same transaction as its notification (`notification_id` is
unique: one row per notice, never two), and a sender claims it by a conditional UPDATE before
sending, so two schedulers never send one row twice.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# An outbox row's states: waiting to be sent (maybe after failed attempts), claimed by a
# sender, delivered to the mail server, given up (too many attempts, or interrupted).
OUTBOX_STATES = ("pending", "sending", "sent", "failed")


class MailPreference(Base):
    """Whether a user receives one kind of notification by mail; a kind without a row
    follows the default (`workflows.mail.preferences.DEFAULT_KINDS`)."""

    __tablename__ = "mail_preference"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # NOTIFICATION_KINDS
    enabled: Mapped[bool]


class MailOutbox(Base):
    """A notification to be mailed to `address` in `language`."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), unique=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))  # zh | en
    status: Mapped[str] = mapped_column(String(16))  # OUTBOX_STATES
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claim: Mapped[Optional[str]] = mapped_column(String(32))  # the sender that holds it
    claimed_at: Mapped[Optional[datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[Optional[datetime]]
