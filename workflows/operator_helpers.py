"""What the service-task operators of several domain modules share (assignments, returns,
handling, replies, feedback, escalations): the assignment a call names, and a case status written
without loading the suggestion. Kept apart so that those modules need not import each other.
"""
from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine import OperatorCall
from models import Assignment, Suggestion

from .errors import DomainError


def assignment_of(call: OperatorCall, assignment_id) -> Assignment:
    """The assignment an operator's parameter names (DomainError if there is none)."""
    assignment = call.session.get(Assignment, int(assignment_id))
    if assignment is None:
        raise DomainError(f"assignment {assignment_id} does not exist")
    # Held for the transaction: the session's identity map keeps clean objects only weakly,
    # and the step's deadline() calls ask for the same assignment again.
    call.session.info.setdefault("assignments", set()).add(assignment)
    return assignment


_SUGGESTION = Suggestion.__table__
_SET_STATUS = update(_SUGGESTION).where(_SUGGESTION.c.id == bindparam("suggestion_id")).values(
    status=bindparam("status"))


def set_case_status(session: Session, suggestion_id: int, status: str) -> None:
    """One Core statement, without loading the suggestion (its text can be long) or flushing."""
    session.connection().execute(_SET_STATUS, {"suggestion_id": suggestion_id, "status": status})
    keep_in_step(session, Suggestion, suggestion_id, status=status)


def keep_in_step(session: Session, model, row_id: int, **values) -> None:
    """After a Core update: a copy of the row already loaded in this session gets the values."""
    loaded = session.identity_map.get(identity_key(model, row_id))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)
