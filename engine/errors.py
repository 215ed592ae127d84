"""Exceptions raised by the engine. Callers show their messages to people as they are."""
from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class of every engine error."""


@dataclass(frozen=True)
class Problem:
    """One reason a BPMN package was refused: which file, which element, why."""

    file: str
    element_id: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}#{self.element_id}" if self.element_id else self.file
        return f"{where}: {self.reason}"


class DeployError(EngineError):
    """A BPMN package failed validation; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class ConflictError(EngineError):
    """The task was completed by someone else, or the instance changed underneath this request."""


class FormError(EngineError):
    """Submitted data does not satisfy the task's JSON Schema; `errors` maps field -> message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k or '(form)'}: {v}" for k, v in errors.items()))


class NotFoundError(EngineError):
    """No such process, instance or task."""


class ProcessError(EngineError):
    """SpiffWorkflow failed while running the instance (script error, unknown operator, ...)."""


class LimitError(ProcessError):
    """A step's scripts went beyond their budget (operations, CPU time or size); nothing of the
    step was written."""
