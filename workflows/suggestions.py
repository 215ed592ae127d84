"""Registering suggestions (登记) and starting their cases. The bulk import at the assignment
meeting (交办会) is `workflows.assignment_table`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine, FormError
from models import CongressSession, Deputy, HumanTask, Suggestion, SuggestionCoSigner, User

from . import text
from .case_keys import PROCESS_ID, business_key
from .errors import DomainError


def register(session: Session, engine: Engine, *, congress_session: CongressSession, number: int,
             title: str, body: str, field: str, lead_deputy: Deputy,
             co_signers: list[Deputy] = (), actor: str, now: datetime | None = None,
             start_case: bool = True, from_research: bool = False) -> Suggestion:
    """Register a suggestion and (by default) start its case; the first task is `assign`.

    Title, text and field follow the text rules (`workflows.text`): FormError (field -> reason)
    otherwise, with nothing written."""
    refused = text.problems(text.SUGGESTION, {"title": title, "body": body or "", "field": field})
    if refused:
        raise FormError(refused)
    # No autoflush: every suggestion is flushed as it is registered, and what else is pending
    # (a case id just set, say) cannot change the answer.
    with session.no_autoflush:
        taken = session.scalar(select(Suggestion.id).where(
            Suggestion.congress_session_id == congress_session.id, Suggestion.number == number))
    if taken:
        raise DomainError(f"第{number}号建议已登记 (suggestion {number} is already registered)")
    suggestion = Suggestion(congress_session_id=congress_session.id, number=number, title=title,
                            body=body or title, field=field, year=congress_session.year,
                            lead_deputy=lead_deputy, registered_at=now or engine.clock(),
                            from_research=from_research)
    suggestion.co_signers = list(co_signers)
    session.add(suggestion)
    session.flush()
    if start_case:
        start(session, engine, suggestion, actor)
    return suggestion


def start(session: Session, engine: Engine, suggestion: Suggestion, actor: str) -> None:
    """Start the suggestion's case."""
    with session.no_autoflush:  # users are not written here
        deputy_user = session.scalar(select(User.username).where(
            User.deputy_id == suggestion.lead_deputy_id))
    result = engine.start(session, PROCESS_ID, {
        "suggestion_id": suggestion.id, "number": suggestion.number, "title": suggestion.title,
        "deputy_user": deputy_user, "key_suggestion": False, "supervising_leader": None,
    }, actor=actor, business_key=business_key(suggestion))
    suggestion.instance_id = result.instance_id


def assign_task(session: Session, suggestion: Suggestion) -> HumanTask | None:
    """The suggestion's open `assign` task, if any."""
    with session.no_autoflush:  # the engine writes task rows itself, never through the ORM
        return session.scalar(select(HumanTask).where(
            HumanTask.instance_id == suggestion.instance_id, HumanTask.bpmn_id == "assign",
            HumanTask.state == "ready"))


__all__ = ["assign_task", "register", "start"]
