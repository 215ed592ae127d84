"""Reading instances (the Engine's read half): ready tasks, workflows rebuilt from stored state,
task data and forms, and the cache of live workflow objects kept between steps."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from models import HumanTask, ProcessInstance

from . import forms, serializer
from .instance import Instance
from .errors import NotFoundError
from .package import Compiled

PI = ProcessInstance.__table__
_INSTANCE = select(PI).where(PI.c.id == bindparam("instance_id"))


@dataclass(frozen=True)
class ElementStates:
    """Element ids of a workflow per BPMN file: those active (ready, started, waiting) and
    those completed; `file` is the file of the workflow's own process."""

    file: str | None
    active: dict[str, frozenset[str]]
    done: dict[str, frozenset[str]]


_ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING


def _element_states_of(dct: dict, spec, subprocess_specs) -> ElementStates:
    """`_element_states` read off a stored state of the current serializer format, without
    rebuilding the workflow: each task's spec name and state, and the call activities' own task
    dictionaries (tests/engine/test_element_states.py compares the two)."""
    active: dict[str, set[str]] = {}
    done: dict[str, set[str]] = {}
    subprocesses = dct.get("subprocesses", {})
    pending = [(dct["tasks"], spec)]
    while pending:
        tasks, each = pending.pop()
        file = getattr(each, "file", None)
        for task_id, task in tasks.items():
            task_spec = each.task_specs.get(task["task_spec"])
            if isinstance(task_spec, SubWorkflowTask) and task_id in subprocesses:
                pending.append((subprocesses[task_id]["tasks"],
                                subprocess_specs[task_spec.spec]))
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if not bpmn_id or not file:
                continue
            if task["state"] & _ACTIVE:
                active.setdefault(file, set()).add(bpmn_id)
            elif task["state"] == TaskState.COMPLETED:
                done.setdefault(file, set()).add(bpmn_id)
    return ElementStates(getattr(spec, "file", None),
                         {f: frozenset(ids) for f, ids in active.items()},
                         {f: frozenset(ids) for f, ids in done.items()})


def _element_states(workflow: BpmnWorkflow) -> ElementStates:
    active: dict[str, set[str]] = {}
    done: dict[str, set[str]] = {}
    for each in (workflow, *workflow.subprocesses.values()):
        file = getattr(each.spec, "file", None)
        for task in each.tasks.values():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id or not file:
                continue
            if task.state & _ACTIVE:
                active.setdefault(file, set()).add(bpmn_id)
            elif task.state == TaskState.COMPLETED:
                done.setdefault(file, set()).add(bpmn_id)
    return ElementStates(getattr(workflow.spec, "file", None),
                         {f: frozenset(ids) for f, ids in active.items()},
                         {f: frozenset(ids) for f, ids in done.items()})


class Reading:
    """Mixin of `Engine`: uses its `compiled_version`, `script_engine` and live-cache fields
    (`_live`, `_live_size`, `_lock`)."""

    def ready_tasks(self, session: Session, *, instance_id: int | None = None
                    ) -> list[HumanTask]:
        """Ready human tasks from the projection table, earliest due first. Who may see or do
        them is the domain's rule (`workflows.task_access`), not the engine's."""
        query = select(HumanTask).where(HumanTask.state == "ready")
        if instance_id is not None:
            query = query.where(HumanTask.instance_id == instance_id)
        return list(session.scalars(query.order_by(HumanTask.due_at, HumanTask.created_at)))

    def workflow(self, session: Session, instance: ProcessInstance | Instance) -> BpmnWorkflow:
        """A fresh workflow object rebuilt from the stored state (safe to inspect)."""
        spec, subprocess_specs = self.compiled_version(
            session, instance.process_version_id).spec(instance.process_id)
        workflow = serializer.loads(instance.state, instance.serializer_version, spec,
                                    subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow

    def element_states(self, session: Session, instance: ProcessInstance | Instance
                       ) -> ElementStates:
        """Which BPMN elements are active and which done, per file, and the file of the
        instance's own process (a case's diagram). Kept per instance and version, as the live
        workflows are: every step writes a new version, so a kept answer is never stale, and a
        case page seen again does not rebuild its workflow."""
        key = (instance.id, instance.version)
        with self._lock:
            found = self._elements.get(key)
        if found is None:
            if instance.serializer_version == serializer.VERSION:  # read off the JSON
                spec, subprocess_specs = self.compiled_version(
                    session, instance.process_version_id).spec(instance.process_id)
                found = _element_states_of(json.loads(instance.state), spec, subprocess_specs)
            else:  # an older format: migrated as a step would
                found = _element_states(self.workflow(session, instance))
            with self._lock:
                self._elements[key] = found
                while len(self._elements) > self._live_size:
                    del self._elements[next(iter(self._elements))]  # the oldest
        return found

    def task_data(self, session: Session, task_id: str) -> dict[str, Any]:
        """The data a task sees (the instance's variables at that point)."""
        row = session.get(HumanTask, task_id)
        if row is None:
            raise NotFoundError(f"task {task_id} does not exist")
        workflow = self.workflow(session, session.get(ProcessInstance, row.instance_id))
        task = workflow.get_task_from_id(UUID(task_id))
        return dict(task.data) if task is not None else {}

    def instance_data(self, session: Session, instance: ProcessInstance) -> dict[str, Any]:
        """The newest data of an instance: the data of its last completed task."""
        last = self.workflow(session, instance).last_task
        return dict(last.data) if last is not None else {}

    def form(self, session: Session, task: HumanTask) -> dict | None:
        """The JSON Schema of a task's form."""
        version_id = session.scalar(select(PI.c.process_version_id)
                                    .where(PI.c.id == task.instance_id))
        return self.compiled_version(session, version_id).forms.get(task.form)

    def ui_form(self, session: Session, task: HumanTask) -> dict | None:
        """The uiSchema of a task's form (its formUiSchemaFilename), or None."""
        version_id = session.scalar(select(PI.c.process_version_id)
                                    .where(PI.c.id == task.instance_id))
        return self.compiled_version(session, version_id).ui_form(task.bpmn_id, task.form)

    @staticmethod
    def validate_form(compiled: Compiled, form: str | None, data: dict[str, Any]) -> None:
        """Raise FormError (field -> message) if `data` violates the form's JSON Schema."""
        forms.validate(compiled, form, data)

    def warm(self, session: Session, instance_id: int) -> None:
        """Deserialize an instance ahead of a step, outside the write transaction.

        Nothing is locked or trusted: the step still checks the version under its lock and
        deserializes again if the instance changed in between. On SQLite, whose writers queue one
        behind the other, this keeps the slowest part of a step out of the queue.
        """
        row = session.connection().execute(_INSTANCE, {"instance_id": instance_id}).first()
        if row is None:
            return
        with self._lock:
            cached = self._live.get(instance_id)
        if cached is None or cached[0] != row.version:
            self._remember(instance_id, row.version, self.workflow(session, Instance.from_row(row)))

    def _load(self, session: Session, instance: Instance) -> BpmnWorkflow:
        """The workflow of a locked instance: the live copy if it is current, else deserialized.

        The live copy is taken out of the cache while in use and put back only after a commit,
        so a rolled-back step can never leave a half-run workflow behind.
        """
        with self._lock:
            cached = self._live.pop(instance.id, None)
        if cached is not None and cached[0] == instance.version:
            return cached[1]
        return self.workflow(session, instance)

    def _forget(self, instance_id: int) -> None:
        with self._lock:
            self._live.pop(instance_id, None)

    def _remember(self, instance_id: int, version: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._live[instance_id] = (version, workflow)
            self._live.move_to_end(instance_id)
            while len(self._live) > self._live_size:
                self._live.popitem(last=False)
