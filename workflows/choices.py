"""Choices the application supplies to forms (units, provincial leaders, divisions), by name.

A form's uiSchema asks for them with `"ui:options": {"choices": "<name>"}`; deploy refuses any
other name. The form keeps only the codes (a unit's code, a leader's login, a division's name).
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Deputy, Division, Unit, User
from models.vocabulary import FIELDS

Options = list[tuple[Any, str]]


def units(session: Session, candidate_unit: str | None) -> Options:
    """Every unit, in the order they were set up."""
    return [(code, name) for code, name in session.execute(
        select(Unit.code, Unit.name).order_by(Unit.id))]


def leaders(session: Session, candidate_unit: str | None) -> Options:
    """The provincial leaders (a leader may be left unchosen)."""
    return [("", "—")] + [(u, n) for u, n in session.execute(
        select(User.username, User.name).where(User.role == "provincial_leader"))]


def divisions(session: Session, candidate_unit: str | None) -> Options | None:
    """The divisions of the task's unit (none when the task is not a unit's)."""
    if not candidate_unit:
        return None
    return [(d, d) for d in session.scalars(select(Division.name).join(Unit).where(
        Unit.code == candidate_unit).order_by(Division.id))]


def deputies(session: Session, candidate_unit: str | None) -> Options:
    """Every deputy by name (with the electoral unit, names repeat), as the deputy's id in
    text: co-signers of a suggestion drafted online."""
    return [(str(i), f"{name}（{electoral}）") for i, name, electoral in session.execute(
        select(Deputy.id, Deputy.name, Deputy.electoral_unit).order_by(Deputy.id))]


def fields(session: Session, candidate_unit: str | None) -> Options:
    """领域: the fixed list (models.vocabulary.FIELDS)."""
    return [(term.code, term.zh) for term in FIELDS]


SOURCES: dict[str, Callable[[Session, str | None], Options | None]] = {
    "units": units, "leaders": leaders, "divisions": divisions, "deputies": deputies,
    "fields": fields}
