"""Administrator-maintained calendar days and time-limit settings."""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CalendarDay(Base):
    """A day whose working status overrides (or extends) the calendar package: a public holiday
    (is_workday False) or an adjusted working day 调休 (is_workday True)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[Optional[str]] = mapped_column(String(128))


class Setting(Base):
    """A named setting (time limits, ...) with a JSON value; defaults live in `workflows`."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
