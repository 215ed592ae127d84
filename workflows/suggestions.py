"""Registering suggestions (登记), starting their cases, and the bulk import at the assignment
meeting (交办会)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine, FormError
from models import (CongressSession, Deputy, HumanTask, Suggestion, SuggestionCoSigner, Unit,
                    User)

from . import text
from .case_keys import PROCESS_ID, business_key
from .errors import DomainError
from .importing import CellError, ImportRow, Lookups, parse_workbook


def register(session: Session, engine: Engine, *, congress_session: CongressSession, number: int,
             title: str, body: str, field: str, lead_deputy: Deputy,
             co_signers: list[Deputy] = (), actor: str, now: datetime | None = None,
             start_case: bool = True) -> Suggestion:
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
            Suggestion.session_id == congress_session.id, Suggestion.number == number))
    if taken:
        raise DomainError(f"第{number}号建议已登记 (suggestion {number} is already registered)")
    suggestion = Suggestion(session_id=congress_session.id, number=number, title=title,
                            body=body or title, field=field, year=congress_session.year,
                            lead_deputy=lead_deputy, registered_at=now or engine.clock())
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


def assignment_data(row: ImportRow, leader_username: Callable[[str], str | None]) -> dict[str, Any]:
    """The `assign` form answer for an imported row."""
    data: dict[str, Any] = {"mode": row.mode, "key_suggestion": row.key,
                            "special_committee": row.special_committee or ""}
    if row.mode == "separate":
        data["units"] = [row.lead_unit, *row.co_units]
        data["lead_unit"] = row.lead_unit
    else:
        data["lead_unit"], data["co_units"] = row.lead_unit, list(row.co_units)
    if row.mode == "merged":
        data["merged_numbers"] = list(row.merged_with)
    if row.key and row.supervising_leader:
        data["supervising_leader"] = leader_username(row.supervising_leader)
    return data


@dataclass
class ImportOutcome:
    """What a bulk import did: the suggestions created, or the errors (and nothing created)."""

    suggestions: list[Suggestion]
    errors: list[CellError]


def lookups(session: Session, congress_session: CongressSession) -> Lookups:
    """Name lookups for the import parser, read once from the database."""
    units = {}
    for code, name in session.execute(select(Unit.code, Unit.name)):
        units[code], units[name] = code, code
    deputies = {name: unit for name, unit in session.execute(
        select(Deputy.name, Deputy.electoral_unit))}
    leaders = set(session.scalars(select(User.name).where(User.role == "provincial_leader")))
    existing = set(session.scalars(select(Suggestion.number).where(
        Suggestion.session_id == congress_session.id)))
    return Lookups(unit_code=units.get, deputy_electoral_unit=deputies.get,
                   leader_known=leaders.__contains__, existing_numbers=existing)


def import_assignments(session: Session, engine: Engine, workbook: bytes,
                       congress_session: CongressSession, user: User,
                       progress: Callable[[int, int], None] | None = None) -> ImportOutcome:
    """Register and assign every row of an assignment table in the caller's transaction.

    A file with any bad row imports nothing: the errors come back and nothing is written.
    """
    rows, errors = parse_workbook(workbook, lookups(session, congress_session))
    if errors:
        return ImportOutcome([], errors)
    deputies = {d.name: d for d in session.scalars(select(Deputy))}
    leaders = {u.name: u.username for u in session.scalars(
        select(User).where(User.role == "provincial_leader"))}
    merged_away = {n for row in rows for n in row.merged_with}
    created: dict[int, Suggestion] = {}
    for row in rows:
        created[row.number] = register(
            session, engine, congress_session=congress_session, number=row.number,
            title=row.title, body=row.body, field=row.field,
            lead_deputy=deputies[row.lead_deputy],
            co_signers=[deputies[n] for n in row.co_signers], actor=user.username,
            start_case=row.number not in merged_away)
    from .tasks import complete
    for index, row in enumerate(rows, start=1):
        suggestion = created[row.number]
        if row.number not in merged_away:
            task = assign_task(session, suggestion)
            complete(session, engine, user, task.id, assignment_data(row, leaders.get))
        if progress is not None:
            progress(index, len(rows))
    return ImportOutcome(list(created.values()), [])


__all__ = ["ImportOutcome", "assign_task", "assignment_data", "import_assignments", "lookups",
           "register", "start"]
