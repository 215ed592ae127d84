"""办理结果公开: a reply's publication, reviewed by the commission, and the public search index.

The published text is kept here, beside the reply and never in it: the reply stays what the
unit issued. `publication_term` holds the two-character terms (bigrams) of a published reply's
title and public text, so the public search reads an index instead of scanning every text.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

PUBLICATION_STATES = ("published", "withheld", "withdrawn")


class Publication(Base):
    """The commission's decision on publishing one reply, and the text it published.

    `session_id`, `unit_id` and `field` copy the suggestion's congress session, the replying
    unit and the suggestion's field, so the public page filters and pages one table."""

    __tablename__ = "publication"
    __table_args__ = (Index("ix_publication_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("reply.id"), unique=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestion.id"), index=True)
    congress_session_id: Mapped[int] = mapped_column("session_id",
                                                     ForeignKey("congress_session.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    field: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # PUBLICATION_STATES
    public_text: Mapped[str] = mapped_column(Text)
    # normalised title + public text: what a search's phrase is checked against
    search_text: Mapped[str] = mapped_column(Text)
    # what the commission masked or let through: [{kind, shown, masked}]
    redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[Optional[str]] = mapped_column(Text)  # why withheld or withdrawn
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
    published_at: Mapped[Optional[datetime]]


class PublicationTerm(Base):
    """One bigram of a published reply (`workflows.public_search.term_code`)."""

    __tablename__ = "publication_term"
    __table_args__ = {"sqlite_with_rowid": False}

    term: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id"), primary_key=True,
                                                autoincrement=False)
