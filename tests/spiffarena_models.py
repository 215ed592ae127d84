"""The folder of small models written in SpiffArena's conventions (`examples/spiffarena/`): each
model's files, and the lane rules and start permissions a designer gives it on the process
settings page — data, not Python. Shared by the workflow and the browser tests."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from workflows import lanes, starting

FOLDER = Path(__file__).resolve().parents[1] / "examples" / "spiffarena"
MODELS = {  # folder -> process id
    "leave-request": "leave_request",
    "parallel-review": "parallel_review",
    "timer-reminder": "timer_reminder",
}
# process id -> lane -> (kind, role, data path)
RULES = {
    "leave_request": {"申请人": ("initiator", None, None), "审批人": ("role", "commission", None)},
    "parallel_review": {"法规处": ("role", "commission", None), "财务处": ("role", "reviewer", None)},
    "timer_reminder": {},  # no lanes: every task is the initiator's
}
STARTER = "unit_handler"  # who may start them: a unit's staff member


def files(model: str) -> dict[str, str]:
    """A model's files as the designer's import reads them (names without the folder)."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((FOLDER / model).iterdir())}


def all_files() -> dict[str, str]:
    found: dict[str, str] = {}
    for model in MODELS:
        found.update(files(model))
    return found


def set_rules(session: Session, process_id: str, now: datetime, actor: str = "designer") -> None:
    """The model's lane rules and its start permission, as a designer sets them."""
    for lane, (kind, role, path) in RULES[process_id].items():
        lanes.set_rule(session, process_id=process_id, lane=lane, kind=kind, role=role,
                       path=path, actor=actor, now=now)
    starting.allow(session, process_id, STARTER, actor=actor, now=now)
