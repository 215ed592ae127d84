"""Units (承办单位) looked up by code, and the script globals that name a case's co-units.

`units_by_code` / `unit_by_code` serve the operators and the task forms; `unit_name`,
`open_co_units` and `current_co_units` are script globals the BPMN calls (workflows.make_engine).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.scripts import step_session
from models import Assignment, CoOpinion, ReturnRequest, Unit

from .errors import DomainError


def units_by_code(session: Session) -> dict[str, Unit]:
    """Every unit by code, read once per session: an assignment meeting looks up thousands."""
    units = session.info.get("units_by_code")
    if units is None:
        units = session.info["units_by_code"] = {u.code: u for u in session.scalars(select(Unit))}
    return units


def unit_by_code(session: Session, code: str) -> Unit:
    """A unit by its code (asked again of the database if it was added since the session read
    them)."""
    unit = units_by_code(session).get(code)
    if unit is None:
        unit = session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            raise DomainError(f"unknown unit '{code}'")
        units_by_code(session)[code] = unit
    return unit


def unit_name(code) -> str:
    """Script global for task subjects: a unit's name by its code."""
    return unit_by_code(step_session("unit_name"), code).name


def open_co_units(assignment_id) -> list[dict[str, Any]]:
    """Script global: the co-units of the case a lead assignment belongs to that have not given
    their opinion yet, each with the step it resumes at (`resume`: acknowledge, decide_return
    for a return request not yet ruled on, or opinion once acknowledged). Co-handling starts at
    assignment and starts again when the lead unit is reassigned: a co-unit neither redoes what
    it did nor is asked again once it has given its opinion."""
    session = step_session("open_co_units")
    lead = session.get(Assignment, int(assignment_id))
    opined = select(CoOpinion.assignment_id)
    pending = select(ReturnRequest.assignment_id).where(ReturnRequest.status == "pending")
    rows = session.execute(select(Assignment.id, Unit.code, Assignment.acknowledged_at,
                                  Assignment.id.in_(pending)).join(Unit).where(
        Assignment.suggestion_id == lead.suggestion_id, Assignment.role == "co",
        Assignment.status.not_in(("returned", "replied", "closed")),
        Assignment.id.not_in(opined)).order_by(Assignment.id))
    return [{"assignment_id": id_, "unit": code,
             "resume": "opinion" if acknowledged is not None
             else "decide_return" if pending_return else "acknowledge"}
            for id_, code, acknowledged, pending_return in rows]


def current_co_units(assignment_id) -> list[dict[str, Any]]:
    """Script global: the co-units of the case a lead assignment belongs to, as they stand now
    (a co-unit returned and replaced during co-handling is replaced here too)."""
    session = step_session("current_co_units")
    lead = session.get(Assignment, int(assignment_id))
    rows = session.execute(select(Assignment.id, Unit.code).join(Unit).where(
        Assignment.suggestion_id == lead.suggestion_id, Assignment.role == "co",
        Assignment.status != "returned").order_by(Assignment.id))
    return [{"assignment_id": id_, "unit": code} for id_, code in rows]
