"""The folder of small models written in SpiffArena's conventions (`examples/spiffarena/`): each
model's files, and the lane rules and start permissions its settings file gives it — data, not
Python. Shared by the workflow and the browser tests."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from workflows import process_settings

FOLDER = Path(__file__).resolve().parents[1] / "examples" / "spiffarena"
MODELS = {  # folder -> process id
    "leave-request": "leave_request",
    "parallel-review": "parallel_review",
    "timer-reminder": "timer_reminder",
}


def settings(model: str) -> process_settings.Settings:
    """The model's lane rules and start permission: its settings file, as a designer ships it."""
    return process_settings.parse(next((FOLDER / model).glob("*.settings.toml"))
                                  .read_text(encoding="utf-8"))


# process id -> lane -> (kind, role, data path)
RULES = {pid: settings(model).rules for model, pid in MODELS.items()}
STARTER = "unit_handler"  # who may start them (each file says so): a unit's staff member


def files(model: str) -> dict[str, str]:
    """A model's package files as the designer's import reads them (names without the folder)."""
    return {p.name: p.read_text(encoding="utf-8") for p in package_paths(model)}


def package_paths(model: str) -> list[Path]:
    return sorted(p for p in (FOLDER / model).iterdir() if p.suffix in (".bpmn", ".json"))


def all_files() -> dict[str, str]:
    found: dict[str, str] = {}
    for model in MODELS:
        found.update(files(model))
    return found


def set_rules(session: Session, process_id: str, now: datetime, actor: str = "designer") -> None:
    """The model's lane rules and its start permission, loaded from its settings file."""
    model = next(m for m, pid in MODELS.items() if pid == process_id)
    process_settings.apply(session, settings(model), actor=actor, now=now)
