"""Reply letters (答复函) for issued replies."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from datetime import datetime
from typing import Any

from models import Assignment, CongressSession, HumanTask, Reply, Suggestion

from .calendar import CHINA
from .errors import DomainError
from .letter import LetterData, build_letter, letter_filename
from .operators import COPY_TO, COPY_TO_GOVERNMENT

# Who approves a draft reply: the deputy head in charge reviews (审核), the principal head signs
# (签发), the supervising leader reads a key suggestion's reply (审阅). Each sees the letter.
APPROVING_ROLES = frozenset({"reviewer", "signer", "provincial_leader"})


def letter_data(session: Session, reply: Reply, suggestion: Suggestion | None = None) -> LetterData:
    """The letter of an issued reply to `suggestion` (default: the one the reply answers)."""
    assignment = reply.assignment
    suggestion = suggestion or assignment.suggestion
    congress = session.get(CongressSession, suggestion.session_id)
    return LetterData(
        congress=congress.congress, meeting=congress.meeting, number=suggestion.number,
        title=suggestion.title, lead_deputy=suggestion.lead_deputy.name,
        co_signers=[d.name for d in suggestion.co_signers], unit_name=assignment.unit.name,
        doc_number=reply.doc_number, answer_class=reply.answer_class,
        answer_points=reply.answer_text, contact_person=reply.contact_person,
        contact_phone=reply.contact_phone, copy_to=list(reply.copy_to or []),
        issued_on=reply.issued_at.astimezone(CHINA).date(),
        publish=reply.publish)


def reply_letter(session: Session, reply_id: int,
                 suggestion_id: int | None = None) -> tuple[str, bytes]:
    """(file name, .docx bytes) of a reply's letter, to its own suggestion or a merged one."""
    reply = session.get(Reply, reply_id)
    if reply is None:
        raise DomainError(f"reply {reply_id} does not exist")
    suggestion = None
    if suggestion_id is not None:
        suggestion = session.get(Suggestion, suggestion_id)
        if suggestion not in addressees(session, reply):
            raise DomainError(f"reply {reply_id} does not answer suggestion {suggestion_id}")
    data = letter_data(session, reply, suggestion)
    return letter_filename(data), build_letter(data)


def addressees(session: Session, reply: Reply) -> list[Suggestion]:
    """并案: one reply answers its suggestion and every suggestion merged into it; each lead
    deputy gets a letter for their own suggestion."""
    own = reply.assignment.suggestion
    merged = session.scalars(select(Suggestion).where(Suggestion.merged_into_id == own.id)
                             .order_by(Suggestion.number))
    return [own, *merged]


def draft_letter(session: Session, task: HumanTask, data: dict[str, Any],
                 now: datetime) -> LetterData | None:
    """The letter as it will be sent, from the draft in `data` (the task's data), for the person
    who approves it at `task`; None for other tasks or when there is no complete draft."""
    if task.candidate_role not in APPROVING_ROLES or not data.get("answer_text"):
        return None
    branch = data.get("branch") if isinstance(data.get("branch"), dict) else {}
    assignment = session.get(Assignment, branch["assignment_id"]) \
        if isinstance(branch.get("assignment_id"), int) else None
    if assignment is None or assignment.suggestion.instance_id != task.instance_id:
        return None
    suggestion = assignment.suggestion
    congress = session.get(CongressSession, suggestion.session_id)
    try:
        return LetterData(
            congress=congress.congress, meeting=congress.meeting, number=suggestion.number,
            title=suggestion.title, lead_deputy=suggestion.lead_deputy.name,
            co_signers=[d.name for d in suggestion.co_signers], unit_name=assignment.unit.name,
            doc_number=str(data.get("doc_number") or ""),
            answer_class=str(data.get("answer_class") or ""),
            answer_points=str(data["answer_text"]),
            contact_person=str(data.get("contact_person") or ""),
            contact_phone=str(data.get("contact_phone") or ""),
            copy_to=COPY_TO_GOVERNMENT if assignment.unit.kind == "government" else COPY_TO,
            issued_on=now.astimezone(CHINA).date(), publish=bool(data.get("publish")))
    except ValueError:  # an incomplete draft: the page shows no letter rather than a wrong one
        return None
