"""Reply letters (答复函) for issued replies."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models import CongressSession, Reply

from .calendar import CHINA
from .errors import DomainError
from .letter import LetterData, build_letter, letter_filename


def letter_data(session: Session, reply: Reply) -> LetterData:
    """The letter of an issued reply, from the reply, its assignment and its suggestion."""
    assignment = reply.assignment
    suggestion = assignment.suggestion
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


def reply_letter(session: Session, reply_id: int) -> tuple[str, bytes]:
    """(file name, .docx bytes) of a reply's letter."""
    reply = session.get(Reply, reply_id)
    if reply is None:
        raise DomainError(f"reply {reply_id} does not exist")
    data = letter_data(session, reply)
    return letter_filename(data), build_letter(data)
