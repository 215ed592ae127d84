"""Returns (退回): a unit asks to hand a case back, the commission rules on it.

The 10-working-day rule: a request made by the acknowledgement deadline (`ack_due`) goes to the
commission; a later one is refused at once by the system. On "reassign" the case moves to the new
unit in the same role, its deadlines start again, and the old assignment is closed as returned.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import OperatorCall
from models import Assignment, ReturnRequest, Unit

from .assignments import branch_of, new_assignment
from .escalations import resolve_in_step
from .operator_helpers import assignment_of


def request_return(call: OperatorCall, assignment_id, prefix="") -> dict:
    """退回申请 of a lead/sole/separate unit or (prefix 'co_', the co-unit form's fields) of a
    co-unit: in time (10 working days) it goes to the commission; late it is refused."""
    assignment = assignment_of(call, assignment_id)
    in_time = call.now <= assignment.ack_due
    suggested = call.data.get(f"{prefix}suggested_unit")
    suggested_unit = call.session.scalar(select(Unit.id).where(Unit.code == suggested)) \
        if suggested else None
    call.session.add(ReturnRequest(
        assignment_id=assignment.id, reason=call.data.get(f"{prefix}return_reason") or "",
        suggested_unit_id=suggested_unit, requested_by=call.actor, requested_at=call.now,
        status="pending" if in_time else "refused_late",
        ruled_by=None if in_time else "system", ruled_at=None if in_time else call.now,
        ruling_note=None if in_time else "超过退回期限，不予退回"))
    return {"in_time": in_time}


def _rule_on_request(call: OperatorCall, old: Assignment) -> Assignment | None:
    """Record the commission's ruling on the pending return request of `old`; on "reassign" the
    case moves to the new unit (same role, deadlines restart) and `old` is closed as returned."""
    session, data = call.session, call.data
    request = session.scalars(select(ReturnRequest).where(
        ReturnRequest.assignment_id == old.id, ReturnRequest.status == "pending")).first()
    decision = data["return_decision"]
    if request is not None:
        request.ruled_by, request.ruled_at = call.actor, call.now
        request.ruling_note = data.get("ruling_note")
        request.status = "granted" if decision == "reassign" else "refused"
    if decision != "reassign":
        return None
    new = new_assignment(call, old.suggestion, data["new_unit"], old.role)
    old.status, old.closed_at = "returned", call.now
    resolve_in_step(call, old, "returned")
    session.flush()
    if request is not None:
        request.new_unit_id = new.unit_id
    return new


def rule_return(call: OperatorCall, assignment_id) -> dict[str, Any]:
    """The commission reassigns a lead/sole/separate unit's case or refuses: the branch data."""
    old = assignment_of(call, assignment_id)
    co = [call.session.get(Assignment, c["assignment_id"])
          for c in call.data["branch"].get("co_units", [])]
    new = _rule_on_request(call, old)
    return branch_of(new or old, co)


def rule_co_return(call: OperatorCall, assignment_id) -> dict[str, Any]:
    """The same ruling for a co-unit: the co-unit the co-handling continues with."""
    old = assignment_of(call, assignment_id)
    current = _rule_on_request(call, old) or old
    return {"assignment_id": current.id, "unit": current.unit.code, "resume": "acknowledge"}
