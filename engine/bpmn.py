"""The BPMN vocabulary the engine reads: namespaces, the spiffworkflow:properties it knows, and
which task specs a person does. Shared by the deploy checks, the compiler and the projection."""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.manual_task import ManualTask as ManualTaskMixin
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_PREFIX = "https://www.omg.org/spec/DMN/"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
FORM = "formJsonSchemaFilename"
UI_FORM = "formUiSchemaFilename"
DUE_AT = "dueAt"
SUBJECT = "subject"  # an expression: what the task is about beyond its step (shown after its name)


def task_properties(task_spec) -> dict[str, str]:
    """The spiffworkflow:properties of a task spec (form file names, dueAt, ...)."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {})


def is_human_task(task_spec) -> bool:
    """A task a person does: a user task (with or without a form) or a manual task."""
    return isinstance(task_spec, (UserTaskMixin, ManualTaskMixin))
