"""Assignments (交办) of a case to units, from recording them to closing them: the operators
for 交办, 签收 (acknowledgement), 分办 (distribution to divisions inside a unit) and 办结
(closing one unit's part, and the case).

Returns (退回) live in workflows.returns, what a unit records while handling in
workflows.handling, replies in workflows.replies, feedback in workflows.feedback.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update

from engine import OperatorCall
from models import Assignment, Division, Suggestion, User

from . import deadlines, merging
from .errors import DomainError, FormError
from .escalations import resolve_escalations, resolve_in_step
from .operator_helpers import assignment_of, keep_in_step, set_case_status
from .units import unit_by_code


def branch_of(assignment: Assignment, co: list[Assignment] = ()) -> dict[str, Any]:
    """The data a unit_handling branch works with."""
    return {"assignment_id": assignment.id, "unit": assignment.unit.code, "role": assignment.role,
            "co_units": [{"assignment_id": c.id, "unit": c.unit.code} for c in co]}


def new_assignment(call: OperatorCall, suggestion: Suggestion, code: str, role: str) -> Assignment:
    """An assignment of `suggestion` to the unit `code`, its deadlines starting now."""
    assignment = Assignment(suggestion_id=suggestion.id, unit=unit_by_code(call.session, code),
                            role=role, assigned_at=call.now,
                            **deadlines.initial(call.session, role, call.now))
    call.session.add(assignment)
    return assignment


def record_assignment(call: OperatorCall) -> list[dict[str, Any]]:
    """交办: create the assignments for the mode chosen; one branch per unit that replies."""
    data, session = call.data, call.session
    suggestion = session.get(Suggestion, data["suggestion_id"])
    mode = data["mode"]
    suggestion.mode, suggestion.status, suggestion.assigned_at = mode, "assigned", call.now
    suggestion.key_suggestion = bool(data.get("key_suggestion"))
    suggestion.special_committee = data.get("special_committee") or None
    leader = data.get("supervising_leader")
    if leader:
        suggestion.supervising_leader_id = session.scalar(
            select(User.id).where(User.username == leader))
    if mode == "separate":
        units = list(data.get("units") or [])
        branches = [new_assignment(call, suggestion, code, "separate") for code in units]
        session.flush()
        return [branch_of(a) for a in branches]
    lead = new_assignment(call, suggestion, data["lead_unit"], "lead" if mode != "sole" else "sole")
    co = [new_assignment(call, suggestion, code, "co")
          for code in (data.get("co_units") or []) if mode in ("lead_co", "merged")]
    if mode == "merged":
        numbers = list(data.get("merged_numbers") or [])
        # Locked, then checked: a suggestion assigned on its own meanwhile is refused here.
        session.scalars(select(Suggestion).where(
            Suggestion.congress_session_id == suggestion.congress_session_id,
            Suggestion.number.in_([n for n in numbers if isinstance(n, int)]))
            .with_for_update().execution_options(populate_existing=True)).all()
        refused = merging.problems(session, suggestion, numbers)
        if refused:  # workflows.tasks checks the form first; this guards every other path
            raise DomainError(refused)
        for number in numbers:
            merged = session.scalar(select(Suggestion).where(
                Suggestion.congress_session_id == suggestion.congress_session_id,
                Suggestion.number == number))
            merged.merged_into_id, merged.status, merged.mode = suggestion.id, "merged", mode
            merged.assigned_at = call.now
    session.flush()
    return [branch_of(lead, co)]


_ASSIGNMENT = Assignment.__table__
_ACKNOWLEDGE = (update(_ASSIGNMENT).where(_ASSIGNMENT.c.id == bindparam("assignment_id"))
                .values(status="acknowledged", acknowledged_at=bindparam("now"))
                .returning(_ASSIGNMENT.c.suggestion_id))


def record_acknowledgement(call: OperatorCall, assignment_id) -> dict:
    """签收 (Core statements: every case passes here, and nothing needs the loaded rows)."""
    suggestion_id = call.session.connection().execute(_ACKNOWLEDGE, {
        "assignment_id": int(assignment_id), "now": call.now}).scalar()
    if suggestion_id is None:
        raise DomainError(f"assignment {assignment_id} does not exist")
    keep_in_step(call.session, Assignment, int(assignment_id), status="acknowledged",
                 acknowledged_at=call.now)
    set_case_status(call.session, suggestion_id, "handling")
    return {}


record_co_acknowledgement = record_acknowledgement


def record_distribution(call: OperatorCall, assignment_id) -> dict:
    """分办 inside the unit: lead division and co-divisions."""
    assignment = assignment_of(call, assignment_id)
    names = [call.data["lead_division"], *(call.data.get("co_divisions") or [])]
    found = {d.name: d.id for d in call.session.scalars(
        select(Division).where(Division.unit_id == assignment.unit_id, Division.name.in_(names)))}
    # A name that matches none of the unit's divisions is refused, never stored as "no division":
    # the step is void, the form comes back with the value named beside its field.
    errors = {}
    if names[0] not in found:
        errors["lead_division"] = f"本单位没有处室“{names[0]}” (no division named '{names[0]}' in this unit)"
    unknown = [n for n in names[1:] if n not in found]
    if unknown:
        listed = "、".join(unknown)
        errors["co_divisions"] = (f"本单位没有处室“{listed}” "
                                  f"(no division named {', '.join(map(repr, unknown))} in this unit)")
    if errors:
        raise FormError(errors)
    assignment.lead_division_id = found[names[0]]
    assignment.co_division_ids = [found[n] for n in names[1:]]
    return {}


def close_assignment(call: OperatorCall, assignment_id) -> dict:
    """办结 of one unit's part."""
    assignment = assignment_of(call, assignment_id)
    assignment.status, assignment.closed_at = "closed", call.now
    resolve_in_step(call, assignment, "assignment_closed")
    return {}


def close_case(call: OperatorCall, suggestion_id) -> dict:
    """办结 of the suggestion (and the suggestions merged into it)."""
    session = call.session
    suggestion = session.get(Suggestion, int(suggestion_id))
    merged = session.scalars(select(Suggestion).where(Suggestion.merged_into_id == suggestion.id))
    for each in [suggestion, *merged]:
        each.status, each.closed_at = "closed", call.now
    resolve_escalations(session, suggestion, "case_closed", call.actor, call.now,
                        instance_id=call.instance_id)
    return {}
