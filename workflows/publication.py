"""办理结果公开: the commission reviews each reply the unit marked for publication, masks the
personal data found in it, and publishes the masked text (kept apart from the reply, which is
never changed), or withholds it with a reason. A published reply may be withdrawn with a reason
and published again. Every decision is audited on the suggestion's case.

Values that are never published whatever is ticked: the reply's contact person and phone and
the deputies' phone numbers (they are masked even in a text the commission edited). Any other
finding the commission unticks is published as typed: that is its choice, and the audit names
what was let through.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import (AuditEvent, Assignment, Deputy, Publication, Reply, Suggestion,
                    SuggestionCoSigner, Unit, User)
from models.text import LONG_TEXT, NOTE, clean, problem

from . import public_search, redaction
from .errors import DomainError
from .redaction import Finding

_PERSONAL_NAME = re.compile(r"[\u4e00-\u9fff·]{2,5}")  # a name from the user/deputy tables


@dataclass(frozen=True)
class Choice:
    """One distinct finding the commission decides on; `forced` ones are always masked."""

    index: int
    finding: Finding
    masked: str
    forced: bool


@dataclass
class Review:
    reply: Reply
    suggestion: Suggestion
    unit: Unit
    publication: Publication | None
    findings: list[Finding]
    choices: list[Choice]

    @property
    def pieces(self):
        return redaction.highlighted(self.reply.answer_text, self.findings)


def queue(session: Session) -> list[tuple[Reply, Suggestion, Unit]]:
    """Replies marked for publication that the commission has not decided on yet."""
    decided = exists().where(Publication.reply_id == Reply.id)
    return list(session.execute(
        select(Reply, Suggestion, Unit).join(Assignment, Assignment.id == Reply.assignment_id)
        .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Reply.publish.is_(True), ~decided).order_by(Reply.issued_at, Reply.id)).tuples())


def decided(session: Session, limit: int = 200) -> list[tuple[Publication, Suggestion, Unit]]:
    """The latest decisions (published, withheld, withdrawn), newest first."""
    return list(session.execute(
        select(Publication, Suggestion, Unit)
        .join(Suggestion, Suggestion.id == Publication.suggestion_id)
        .join(Unit, Unit.id == Publication.unit_id)
        .order_by(Publication.decided_at.desc(), Publication.id.desc()).limit(limit)).tuples())


def _reply(session: Session, reply_id: int) -> Reply:
    reply = session.get(Reply, reply_id)
    if reply is None or not reply.publish:
        raise DomainError("该答复未标记公开 (this reply is not marked for publication)")
    return reply


def _deputies(session: Session, suggestion: Suggestion) -> list[Deputy]:
    co = session.scalars(select(Deputy).join(SuggestionCoSigner,
                                             SuggestionCoSigner.deputy_id == Deputy.id)
                         .where(SuggestionCoSigner.suggestion_id == suggestion.id)).all()
    return [suggestion.lead_deputy, *co]


def _names(session: Session, text: str, deputies: list[Deputy], reply: Reply) -> set[str]:
    """The suggestion's deputies, the reply's contact person, and every user's or deputy's
    name (one that looks like a personal name) found in the text."""
    names = {d.name for d in deputies} | {reply.contact_person}
    for table in (select(User.name), select(Deputy.name)):
        names |= {n for n in session.scalars(table.distinct())
                  if n and _PERSONAL_NAME.fullmatch(n) and n in text}
    return names


def _kind(value: str, person: str) -> str:
    """The kind of a value that is always masked: the contact person, else a phone number."""
    if value == person:
        return "name"
    found = redaction.detect(value)
    return found[0].kind if found else "landline"


def review(session: Session, reply_id: int) -> Review:
    """What the commission sees of a reply before deciding: its findings and choices."""
    reply = _reply(session, reply_id)
    assignment = reply.assignment
    suggestion = assignment.suggestion
    deputies = _deputies(session, suggestion)
    text = reply.answer_text
    findings = redaction.detect(text, _names(session, text, deputies, reply))
    always = {reply.contact_person, reply.contact_phone} | {d.phone for d in deputies if d.phone}
    forced = [Finding(_kind(v, reply.contact_person), 0, 0, v)
              for v in sorted(always - {None}) if len(v.strip()) >= 2]
    choices, seen = [], set()
    for f in [*redaction.distinct(findings), *forced]:
        if f.text in seen:
            continue
        seen.add(f.text)
        choices.append(Choice(len(choices), f, redaction.mask(f.kind, f.text), f.text in always))
    publication = session.scalar(select(Publication).where(Publication.reply_id == reply.id))
    return Review(reply, suggestion, assignment.unit, publication, findings, choices)


def _audit(session: Session, review: Review, action: str, actor: str, now: datetime,
           **detail) -> None:
    session.add(AuditEvent(at=now, actor=actor, action=action,
                           instance_id=review.suggestion.instance_id,
                           detail={"reply_id": review.reply.id,
                                   "suggestion_id": review.suggestion.id, **detail}))


def _reason(reason: str) -> str:
    reason = clean(reason or "")
    if found := problem(reason, limit=NOTE, multiline=True):
        raise DomainError(f"理由 (reason): {found}")
    return reason


def approve(session: Session, reply_id: int, ticked: Iterable[int], text: str | None, *,
            actor: str, now: datetime) -> Publication:
    """Publish the reply's text (or the commission's edit of it) with the ticked findings and
    the forced ones masked wherever they occur."""
    data = review(session, reply_id)
    if data.publication is not None and data.publication.status == "published":
        raise DomainError("该答复已公开 (this reply is published already)")
    edited = clean(text) if text is not None and clean(text) else None
    if edited == clean(data.reply.answer_text):
        edited = None
    public = edited if edited is not None else data.reply.answer_text
    if found := problem(public, limit=LONG_TEXT, multiline=True):
        raise DomainError(f"公开文本 (public text): {found}")
    ticked = set(ticked)
    masked = [c for c in data.choices if c.forced or c.index in ticked]
    public = redaction.redact(public, [(c.finding.kind, c.finding.text) for c in masked])
    publication = data.publication or Publication(reply_id=data.reply.id)
    publication.suggestion_id = data.suggestion.id
    publication.congress_session_id = data.suggestion.congress_session_id
    publication.unit_id, publication.field = data.unit.id, data.suggestion.field
    if data.publication is not None:
        public_search.unindex(session, data.publication)
    publication.status, publication.public_text, publication.reason = "published", public, None
    # what a visitor types: words of the title and reply, the unit's name and the field (交通)
    publication.search_text = public_search.normalise(
        f"{data.suggestion.title}\n{data.unit.name}\n{data.suggestion.field}\n{public}")
    publication.redactions = [{"kind": c.finding.kind, "masked": c.masked, "forced": c.forced}
                              for c in masked]
    publication.decided_by, publication.decided_at, publication.published_at = actor, now, now
    session.add(publication)
    session.flush()
    public_search.index(session, publication)
    left = [{"kind": c.finding.kind, "text": c.finding.text} for c in data.choices
            if c not in masked]
    _audit(session, data, "publication_approved", actor, now, publication_id=publication.id,
           masked=publication.redactions, published_as_typed=left, edited=edited is not None)
    return publication


def withhold(session: Session, reply_id: int, reason: str, *, actor: str,
             now: datetime) -> Publication:
    """Decide not to publish a reply (not yet published), with a reason."""
    data = review(session, reply_id)
    reason = _reason(reason)
    if data.publication is not None and data.publication.status == "published":
        raise DomainError("已公开的答复请撤回 (withdraw a published reply instead)")
    publication = data.publication or Publication(
        reply_id=data.reply.id, suggestion_id=data.suggestion.id,
        congress_session_id=data.suggestion.congress_session_id, unit_id=data.unit.id,
        field=data.suggestion.field, public_text="", search_text="", redactions=[])
    publication.status, publication.reason = "withheld", reason
    publication.decided_by, publication.decided_at = actor, now
    session.add(publication)
    session.flush()
    _audit(session, data, "publication_withheld", actor, now, publication_id=publication.id,
           reason=reason)
    return publication


def withdraw(session: Session, reply_id: int, reason: str, *, actor: str,
             now: datetime) -> Publication:
    """Take a published reply off the public page, with a reason (it may be published again)."""
    data = review(session, reply_id)
    reason = _reason(reason)
    publication = data.publication
    if publication is None or publication.status != "published":
        raise DomainError("该答复未公开 (this reply is not published)")
    public_search.unindex(session, publication)
    publication.status, publication.reason = "withdrawn", reason
    publication.decided_by, publication.decided_at = actor, now
    _audit(session, data, "publication_withdrawn", actor, now, publication_id=publication.id,
           reason=reason)
    return publication
