"""办理结果公开: a reply's publication, reviewed by the commission, and the public search index.

The published text is kept here, beside the reply and never in it: the reply stays what the
unit issued. `publication_index` holds, for every two-character term (bigram) of the published
replies' titles and texts and every filter value, the set of replies holding it, so the public
search combines a few sets instead of scanning every text.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
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


class PublicationIndex(Base):
    """One entry of the public search's index: the set of published replies (by publication
    id) holding a bigram (key "t:" + the two characters) or a filter's value ("s:" session id,
    "u:" unit id, "f:" field, "all" every one), as a bitmap (bit n is publication n),
    zlib-compressed and in base64, so that backups, which write rows as JSON, carry it
    (`workflows.public_search`)."""

    __tablename__ = "publication_index"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    bits: Mapped[str] = mapped_column(Text)
