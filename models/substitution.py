"""Substitution (代理) during an absence, and the inbox filters a user keeps (保存的筛选)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Substitution(Base):
    """While `absent` is away (from `starts_on` to `ends_on`, both included) `substitute`, a
    colleague of the same role and unit, does their tasks (`workflows.task_access`). A
    cancelled one (`cancelled_at`) no longer counts from that moment."""

    __tablename__ = "substitution"
    __table_args__ = (Index("ix_substitution_substitute", "substitute_id", "ends_on"),
                      Index("ix_substitution_absent", "absent_id", "ends_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    absent_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    substitute_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[Optional[datetime]]


class SavedFilter(Base):
    """An inbox filter a user named and keeps: the inbox's query parameters."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
