"""Who does the tasks of a lane, and who may start a process: rules kept as data, edited by the
process designer (流程设置), not written in code."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class LaneRule(Base):
    """How the tasks of one lane of one BPMN process find their people (`workflows.lanes`).

    `kind`: `role` (anyone with `role`), `unit_role` (`role` in the unit whose code is at data
    path `path`), `person` (the username at `path`; `role` is the queue when it is empty),
    `initiator` (who started the case), `lead_deputy` (the lead deputy's account, else 代录).
    """

    __tablename__ = "lane_rule"
    __table_args__ = (UniqueConstraint("process_id", "lane"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128))
    lane: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[Optional[str]] = mapped_column(String(32))
    path: Mapped[Optional[str]] = mapped_column(String(128))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class StartPermission(Base):
    """A role whose members may start cases of a process."""

    __tablename__ = "start_permission"
    __table_args__ = (UniqueConstraint("process_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
