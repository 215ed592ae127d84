"""Deployed BPMN versions and the process instances (cases) running on them."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class ProcessVersion(Base):
    """A deployed set of BPMN/DMN files and forms, stored once under its content hash."""

    __tablename__ = "process_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)  # file name -> text
    deployed_by: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime]
    # When new cases began to start on it: its deploy, or a later deploy of the same content
    # (going back to an earlier version); new cases start on the latest activated version.
    activated_at: Mapped[datetime]
    definitions: Mapped[list["ProcessDefinition"]] = relationship(
        back_populates="version", cascade="all, delete-orphan")


class ProcessDefinition(Base):
    """One executable BPMN process inside a version; new cases start on the newest."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[Optional[str]] = mapped_column(String(255))
    version: Mapped[ProcessVersion] = relationship(back_populates="definitions")


class ProcessInstance(Base):
    """One running case: SpiffWorkflow state (without the spec) plus an optimistic-lock counter."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(128))
    business_key: Mapped[Optional[str]] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16))  # running | completed | cancelled | error
    state: Mapped[str] = mapped_column(Text)  # serializer JSON, spec left out
    serializer_version: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock, bumped on every save
    started_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[Optional[datetime]]

    __mapper_args__ = {"version_id_col": version}
