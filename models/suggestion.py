"""Suggestions and their assignment to handling units."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import vocabulary
from .base import Base
from .organisation import Deputy, Unit

MODES = vocabulary.MODES.codes  # 主办+会办 / 分办 / 独办 / 并案
ASSIGNMENT_ROLES = vocabulary.ASSIGNMENT_ROLES.codes


class Suggestion(Base):
    """建议: one suggestion, handled as one case."""

    __tablename__ = "suggestion"
    __table_args__ = (UniqueConstraint("session_id", "number"),
                      Index("ix_suggestion_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # 届次: the congress session (column `session_id`; never a database or login session)
    congress_session_id: Mapped[int] = mapped_column("session_id",
                                                     ForeignKey("congress_session.id"))
    number: Mapped[int]  # 第×××号
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(64))  # 领域/类别
    year: Mapped[int]
    lead_deputy_id: Mapped[int] = mapped_column(ForeignKey("deputy.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="registered")  # SUGGESTION_STATUSES
    mode: Mapped[Optional[str]] = mapped_column(String(16))  # vocabulary.MODES
    key_suggestion: Mapped[bool] = mapped_column(default=False)
    # 通过专题调研形成: the suggestion came out of the deputy's topical research (the bulletin's
    # share of researched suggestions).
    from_research: Mapped[bool] = mapped_column(default=False, server_default="0")
    supervising_leader_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"))
    special_committee: Mapped[Optional[str]] = mapped_column(String(64))
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("suggestion.id"))
    instance_id: Mapped[Optional[int]] = mapped_column(ForeignKey("process_instance.id"),
                                                       index=True)
    registered_at: Mapped[datetime]
    assigned_at: Mapped[Optional[datetime]]
    closed_at: Mapped[Optional[datetime]]
    lead_deputy: Mapped[Deputy] = relationship(foreign_keys=[lead_deputy_id])
    co_signers: Mapped[list[Deputy]] = relationship(secondary="suggestion_co_signer")
    assignments: Mapped[list["Assignment"]] = relationship(back_populates="suggestion",
                                                           order_by="Assignment.id")


class SuggestionTerms(Base):
    """The word counts of a suggestion's title and text (for finding repeated suggestions),
    kept so that no process has to cut the earlier years' texts again; `text_key` is a digest
    of the title and text they were counted from."""

    __tablename__ = "suggestion_terms"

    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), primary_key=True)
    text_key: Mapped[str] = mapped_column(String(32))
    text_length: Mapped[int]  # characters of title + text: changed texts found without reading them
    counts: Mapped[dict[str, int]] = mapped_column(JSON)


class SuggestionCoSigner(Base):
    """联名代表: the co-signing deputies of a suggestion."""

    __tablename__ = "suggestion_co_signer"

    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputy.id"), primary_key=True)


class Assignment(Base):
    """交办: one unit's part in a suggestion (lead, co-handling, separate or sole)."""

    __tablename__ = "assignment"
    __table_args__ = (Index("ix_assignment_open", "replied_at", "reply_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # vocabulary.ASSIGNMENT_ROLES
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    # vocabulary.ASSIGNMENT_STATUSES
    assigned_at: Mapped[datetime]
    ack_due: Mapped[datetime]
    reply_due: Mapped[datetime]
    acknowledged_at: Mapped[Optional[datetime]]
    replied_at: Mapped[Optional[datetime]]
    closed_at: Mapped[Optional[datetime]]
    lead_division_id: Mapped[Optional[int]] = mapped_column(ForeignKey("division.id"))
    co_division_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Facts the supervisors' figures read, kept by the operators (workflows.statistics):
    on_time: Mapped[Optional[bool]]  # first reply (co-unit: first opinion) within reply_due
    consulted: Mapped[bool] = mapped_column(default=False, server_default="0")
    answer_class: Mapped[Optional[str]] = mapped_column(String(1))  # the reply that stands
    satisfaction: Mapped[Optional[str]] = mapped_column(String(24))  # the final rating
    # The final rating was recorded by the commission from the deputy's paper form (代录).
    feedback_recorded_on_behalf: Mapped[bool] = mapped_column(default=False, server_default="0")
    suggestion: Mapped[Suggestion] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()


class _AssignmentRecord:
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)


class ReturnRequest(_AssignmentRecord, Base):
    """退回申请: a unit asks to return a mis-assigned case; the commission rules."""

    __tablename__ = "return_request"

    reason: Mapped[str] = mapped_column(Text)
    suggested_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending | granted | refused | refused_late
    ruled_by: Mapped[Optional[str]] = mapped_column(String(64))
    ruled_at: Mapped[Optional[datetime]]
    ruling_note: Mapped[Optional[str]] = mapped_column(Text)
    new_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))


class Consultation(_AssignmentRecord, Base):
    """面商: how and when the unit consulted the deputy, and what the deputy said."""

    __tablename__ = "consultation"

    held_on: Mapped[str] = mapped_column(String(10))  # ISO date
    form: Mapped[str] = mapped_column(String(16))  # vocabulary.CONSULTATION_FORMS
    participants: Mapped[str] = mapped_column(Text)
    deputy_view: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]


class CoOpinion(_AssignmentRecord, Base):
    """会办意见: a co-handling unit's written opinion to the lead unit (assignment = co-unit's)."""

    __tablename__ = "co_opinion"

    opinion: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]


class Reply(_AssignmentRecord, Base):
    """答复: a reply issued in the unit's name (round 2+ after re-handling)."""

    __tablename__ = "reply"

    round: Mapped[int] = mapped_column(default=1)
    answer_class: Mapped[str] = mapped_column(String(1))  # vocabulary.ANSWER_CLASSES
    doc_number: Mapped[str] = mapped_column(String(64))
    answer_text: Mapped[str] = mapped_column(Text)
    contact_person: Mapped[str] = mapped_column(String(64))
    contact_phone: Mapped[str] = mapped_column(String(32))
    copy_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    publish: Mapped[bool] = mapped_column(default=False)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    on_time: Mapped[bool]
    # 签发人: the principal head who signed it off, and the substitute who signed for them
    # while they were away (代签); names as printed on the letter.
    signer: Mapped[Optional[str]] = mapped_column(String(64))
    signer_substitute: Mapped[Optional[str]] = mapped_column(String(64))
    assignment: Mapped[Assignment] = relationship()


class Feedback(_AssignmentRecord, Base):
    """反馈: the lead deputy's rating of one unit's reply. A deputy without a login gives it on
    the paper feedback form (征询意见表) and the commission records it on their behalf (代录):
    `recorded_on_behalf`, with `given_by` the commission member who recorded it."""

    __tablename__ = "feedback"

    round: Mapped[int] = mapped_column(default=1)
    satisfaction: Mapped[str] = mapped_column(String(24))
    # vocabulary.SATISFACTION
    comment: Mapped[Optional[str]] = mapped_column(Text)
    given_by: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[datetime]
    recorded_on_behalf: Mapped[bool] = mapped_column(default=False, server_default="0")
    # 并案: the suggestion merged into the assignment's case whose lead deputy gave this rating
    # of the same reply; None for the rating of the case's own lead deputy.
    suggestion_id: Mapped[Optional[int]] = mapped_column(ForeignKey("suggestion.id"), index=True)


class Extension(_AssignmentRecord, Base):
    """延期: a request to extend the reply deadline, approved or refused by the commission."""

    __tablename__ = "extension"

    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # approved | refused
    decided_by: Mapped[Optional[str]] = mapped_column(String(64))
    decided_at: Mapped[Optional[datetime]]
    new_reply_due: Mapped[Optional[datetime]]


class FollowUp(_AssignmentRecord, Base):
    """跟踪办理: a Class-B case's progress report; `done` ends the follow-up."""

    __tablename__ = "follow_up"

    report: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(default=False)
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime]


class ProgressReport(_AssignmentRecord, Base):
    """Key suggestions: progress reported to the supervising provincial leader, for the mid-year
    supervision meeting (`period` "midyear", 督办推进会) or the November report ("november");
    reports filed before these periods existed have none."""

    __tablename__ = "progress_report"

    period: Mapped[Optional[str]] = mapped_column(String(16))  # vocabulary.REPORT_PERIODS
    report: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime]


class Escalation(Base):
    """督办/提请高位协调: a visible escalation record with its level and reason."""

    __tablename__ = "escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), index=True)
    assignment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assignment.id"))
    level: Mapped[str] = mapped_column(String(16))  # vocabulary.ESCALATION_LEVELS
    reason: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(64))
    raised_at: Mapped[datetime] = mapped_column(index=True)
    resolved_by: Mapped[Optional[str]] = mapped_column(String(64))
    resolved_at: Mapped[Optional[datetime]]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
