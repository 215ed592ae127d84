"""Replies (答复): issuing a unit's reply (the `issue_reply` operator) and its letter (答复函),
as issued or, for the people who approve a draft, as it will be sent."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import OperatorCall
from models import Assignment, CongressSession, HumanTask, Reply, Suggestion

from . import assignment_facts, merging
from .calendar import CHINA
from .errors import DomainError
from .escalations import resolve_in_step
from .letter import LetterData, build_letter, letter_filename
from .operator_helpers import assignment_of, set_case_status

COPY_TO = ["省人大常委会代表工作委员会"]
COPY_TO_GOVERNMENT = COPY_TO + ["省人民政府办公厅"]


def issue_reply(call: OperatorCall, assignment_id) -> dict:
    """答复: the reply is issued in the unit's name; on time if before the reply deadline."""
    session, data = call.session, call.data
    assignment = assignment_of(call, assignment_id)
    previous = session.scalar(select(func.count()).select_from(Reply)
                              .where(Reply.assignment_id == assignment.id))
    reply = Reply(
        assignment_id=assignment.id, round=previous + 1, answer_class=data["answer_class"],
        doc_number=data["doc_number"], answer_text=data["answer_text"],
        contact_person=data["contact_person"], contact_phone=data["contact_phone"],
        copy_to=COPY_TO_GOVERNMENT if assignment.unit.kind == "government" else COPY_TO,
        publish=bool(data.get("publish")), issued_by=call.actor, issued_at=call.now,
        on_time=assignment_facts.on_time(call.now, assignment.reply_due),
        signer=_name(data.get("signer")), signer_substitute=_name(data.get("signer_substitute")))
    session.add(reply)
    assignment.status = "replied"
    assignment_facts.note_reply(assignment, call.now, reply.answer_class)
    set_case_status(session, assignment.suggestion_id, "replied")
    session.flush()
    resolve_in_step(call, assignment, "reply_issued")
    merging.notify_reply(session, assignment, call.now)  # 并案: each merged deputy too
    return {"reply_id": reply.id, "round": reply.round, "answer_class": reply.answer_class}


def _name(value) -> str | None:
    """A name the sign-off recorded (`substitution.mark`), as the reply keeps it."""
    return value[:64] if isinstance(value, str) and value.strip() else None


# Who approves a draft reply: the deputy head in charge reviews (审核), the principal head signs
# (签发), the supervising leader reads a key suggestion's reply (审阅). Each sees the letter.
APPROVING_ROLES = frozenset({"reviewer", "signer", "provincial_leader"})


def letter_data(session: Session, reply: Reply, suggestion: Suggestion | None = None) -> LetterData:
    """The letter of an issued reply to `suggestion` (default: the one the reply answers)."""
    assignment = reply.assignment
    suggestion = suggestion or assignment.suggestion
    congress = session.get(CongressSession, suggestion.congress_session_id)
    return LetterData(
        congress=congress.congress, meeting=congress.meeting, number=suggestion.number,
        title=suggestion.title, lead_deputy=suggestion.lead_deputy.name,
        co_signers=[d.name for d in suggestion.co_signers], unit_name=assignment.unit.name,
        doc_number=reply.doc_number, answer_class=reply.answer_class,
        answer_points=reply.answer_text, contact_person=reply.contact_person,
        contact_phone=reply.contact_phone, copy_to=list(reply.copy_to or []),
        issued_on=reply.issued_at.astimezone(CHINA).date(),
        publish=reply.publish, signer=reply.signer or "",
        signer_substitute=reply.signer_substitute or "")


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
    congress = session.get(CongressSession, suggestion.congress_session_id)
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
