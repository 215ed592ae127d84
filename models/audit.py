"""The audit trail: who did what, when, on which case."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AuditEvent(Base):
    """One state change. `actor` is a user name or a system actor such as `scheduler`."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[Optional[int]] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[Optional[str]] = mapped_column(String(36))
    bpmn_id: Mapped[Optional[str]] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
