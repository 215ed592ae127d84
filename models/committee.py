"""Special committees (专门委员会) and the supervision activities they record (对口督办)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class Committee(Base):
    """专门委员会: supervises the suggestions of the fields (领域) it covers, and those whose
    `Suggestion.special_committee` names it. Its members are users with `committee_id`."""

    __tablename__ = "committee"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    fields: Mapped[list["CommitteeField"]] = relationship(order_by="CommitteeField.field",
                                                          cascade="all, delete-orphan")

    @property
    def field_codes(self) -> list[str]:
        return [f.field for f in self.fields]


class CommitteeField(Base):
    """One field (models.vocabulary.FIELDS) a committee covers."""

    __tablename__ = "committee_field"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)


class SupervisionActivity(Base):
    """督办活动: a committee's supervision of one suggestion — a topical briefing, a special
    study, a law-enforcement inspection, a topical inquiry, a group inspection or a forum."""

    __tablename__ = "supervision_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    held_on: Mapped[str] = mapped_column(String(10))  # ISO date
    form: Mapped[str] = mapped_column(String(24))  # vocabulary.SUPERVISION_FORMS
    participants: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
    committee: Mapped[Committee] = relationship()
