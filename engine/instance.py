"""The engine's view of an instance row and of what one step did to it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Instance:
    """The columns of a process instance the engine works with (read under a row lock)."""

    id: int
    process_version_id: int
    process_id: str
    status: str
    state: str
    serializer_version: str
    version: int
    started_by: str | None = None  # the initiator: gets the tasks drawn outside every lane

    @classmethod
    def from_row(cls, row) -> "Instance":
        return cls(row.id, row.process_version_id, row.process_id, row.status, row.state,
                   row.serializer_version, row.version, row.started_by)


@dataclass(frozen=True)
class StepResult:
    """What one start/complete/timer step did to an instance."""

    instance_id: int
    status: str
    new_tasks: dict[str, str]  # task id -> BPMN id of the user tasks this step made ready
    ended_tasks: list[str]
    actor: str = ""
    completed: tuple[str, dict[str, Any]] | None = None  # (BPMN id, data) of the task done
    new_rows: tuple[dict[str, Any], ...] = ()  # the human_task rows written for new_tasks
