"""Projections of workflow state kept in step with it: human tasks (the inbox) and timers."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class HumanTask(Base):
    """One user task of a case: who may do it, by when, and who did it."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_queue", "state", "candidate_role", "candidate_unit", "assignee",
              "due_at"),
        Index("ix_human_task_assignee", "assignee", "state", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[Optional[str]] = mapped_column(String(255))
    lane: Mapped[Optional[str]] = mapped_column(String(64))
    form: Mapped[Optional[str]] = mapped_column(String(255))
    candidate_role: Mapped[Optional[str]] = mapped_column(String(64))
    candidate_unit: Mapped[Optional[str]] = mapped_column(String(64))
    assignee: Mapped[Optional[str]] = mapped_column(String(64))
    # What the task is about beyond its step (the BPMN property `subject`, evaluated when the
    # task opens), e.g. the unit a deputy rates when three units answered one suggestion.
    subject: Mapped[Optional[str]] = mapped_column(String(255))
    claimed_at: Mapped[Optional[datetime]]  # set when a person claimed or was handed the task
    state: Mapped[str] = mapped_column(String(16))  # ready | completed | cancelled
    due_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime]
    completed_by: Mapped[Optional[str]] = mapped_column(String(64))
    completed_at: Mapped[Optional[datetime]]


class Timer(Base):
    """A pending BPMN timer; the scheduler selects due rows here, never from the JSON."""

    __tablename__ = "timer"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime] = mapped_column(index=True)
