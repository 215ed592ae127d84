"""What the inbox keeps besides the engine's projection: drafts, attachments, notifications."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class TaskDraft(Base):
    """A form saved but not submitted (暂存), one per task and user."""

    __tablename__ = "task_draft"

    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime]


class Attachment(Base):
    """A file attached to a case (optionally while doing a task); content on disk by hash."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[Optional[str]] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]


class Notification(Base):
    """An in-app notice: a new task, a send-back, a reminder or an escalation."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_inbox", "username", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # vocabulary.NOTIFICATION_KINDS
    message: Mapped[str] = mapped_column(String(255))  # in Chinese
    message_en: Mapped[Optional[str]] = mapped_column(String(255))  # the same in English
    link: Mapped[Optional[str]] = mapped_column(String(255))
    created_at: Mapped[datetime]
    read_at: Mapped[Optional[datetime]]
