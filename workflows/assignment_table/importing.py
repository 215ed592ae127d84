"""The bulk import of an assignment table: every row registered and assigned in one transaction.

The database side of the package: it reads the lookups the parser needs, and turns each row of a
file without a single error into a registered suggestion whose `assign` task is completed with
the row's assignment (a row merged into another (并案) is registered without a case of its own).
`check_table` is the dry run (what would be assigned, or every bad cell) and `import_assignments`
the import; `jianyi import` and the commission's web page both call these two, nothing else.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine
from models import AuditEvent, CongressSession, Deputy, Suggestion, Unit, User

from ..suggestions import assign_task, register
from ..tasks import complete
from .columns import CellError, ImportRow, Lookups
from .reading import parse_workbook


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
    audit: AuditEvent | None = None  # the import's audit row (none when nothing was imported)


def lookups(session: Session, congress_session: CongressSession) -> Lookups:
    """Name lookups for the import parser, read once from the database."""
    units = {}
    for code, name in session.execute(select(Unit.code, Unit.name)):
        units[code], units[name] = code, code
    deputies = {name: unit for name, unit in session.execute(
        select(Deputy.name, Deputy.electoral_unit))}
    leaders = set(session.scalars(select(User.name).where(User.role == "provincial_leader")))
    existing = set(session.scalars(select(Suggestion.number).where(
        Suggestion.congress_session_id == congress_session.id)))
    return Lookups(unit_code=units.get, deputy_electoral_unit=deputies.get,
                   leader_known=leaders.__contains__, existing_numbers=existing)


def check_table(session: Session, workbook: bytes, congress_session: CongressSession
                ) -> tuple[list[ImportRow], list[CellError]]:
    """The dry run: the rows that would be registered and assigned, and every bad cell (if any,
    the import would refuse the whole file). Reads only."""
    return parse_workbook(workbook, lookups(session, congress_session))


def import_assignments(session: Session, engine: Engine, workbook: bytes,
                       congress_session: CongressSession, user: User,
                       progress: Callable[[int, int], None] | None = None) -> ImportOutcome:
    """Register and assign every row of an assignment table in the caller's transaction.

    A file with any bad row imports nothing: the errors come back and nothing is written.
    """
    rows, errors = check_table(session, workbook, congress_session)
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
    for index, row in enumerate(rows, start=1):
        suggestion = created[row.number]
        if row.number not in merged_away:
            task = assign_task(session, suggestion)
            complete(session, engine, user, task.id, assignment_data(row, leaders.get))
        if progress is not None:
            progress(index, len(rows))
    audit = AuditEvent(at=engine.clock(), actor=user.username, action="assignment_table_imported",
                       detail={"sha256": hashlib.sha256(workbook).hexdigest(),
                               "congress_session_id": congress_session.id, "rows": len(rows),
                               "suggestions": [s.id for s in created.values()]})
    session.add(audit)
    session.flush()
    return ImportOutcome(list(created.values()), [], audit)
