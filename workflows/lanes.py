"""Lane → candidates: which role, unit or person a user task of the process belongs to.

The BPMN lanes name roles (docs/process.md); unit-bound lanes take the unit from the task's data.
The Deputy lane is the lead deputy's in person, or — for a deputy without an account — the
commission's, who record the paper form on the deputy's behalf (代录): never a queue of deputies.
"""
from __future__ import annotations

from typing import Any

from engine import Candidates
from engine.scripts import step_session

from . import deputies

UNIT_LANES = {"UnitHandler": "unit_handler", "Reviewer": "reviewer", "Signer": "signer"}
ROLE_LANES = {"Commission": "commission", "Supervisor": "commission",
              "ProvincialLeader": "provincial_leader", "Committee": "committee"}
LANES = frozenset({*UNIT_LANES, *ROLE_LANES, "CoUnit", deputies.DEPUTY_LANE})  # what `resolve` knows


def resolve(lane: str | None, data: dict[str, Any], bpmn_id: str) -> Candidates:
    """The candidates for a task in `lane`, given the data the task sees."""
    if lane in UNIT_LANES:
        return Candidates(role=UNIT_LANES[lane], unit=(data.get("branch") or {}).get("unit"))
    if lane == "CoUnit":
        return Candidates(role="unit_handler", unit=(data.get("co_unit") or {}).get("unit"))
    if lane == deputies.DEPUTY_LANE:
        return deputy_candidates(data)
    if lane == "ProvincialLeader" and data.get("supervising_leader"):
        return Candidates(role="provincial_leader", assignee=data["supervising_leader"])
    if lane in ROLE_LANES:
        return Candidates(role=ROLE_LANES[lane])
    raise ValueError(f"task '{bpmn_id}' is in lane '{lane}', which names no role")


def deputy_candidates(data: dict[str, Any]) -> Candidates:
    """The lead deputy's account, read from the database when the task opens (so an account
    given later receives the later rounds); without one, the commission's queue (代录). For a
    merged suggestion's rating (并案) the deputy is that suggestion's lead deputy."""
    username = deputies.lead_deputy_account(step_session("the Deputy lane"),
                                            deputies.rated_suggestion(data))
    if username is None:
        return Candidates(role=deputies.ON_BEHALF_ROLE)
    return Candidates(role=deputies.DEPUTY_ROLE, assignee=username)
