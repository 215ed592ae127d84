"""SpiffWorkflow state to JSON and back, without the spec.

The spec lives once per deployed version (`process_version.files`, parsed and cached by content
hash), so each saved instance holds only its task tree and data.
"""
from __future__ import annotations

import json
from copy import copy
from functools import lru_cache
from itertools import islice
from operator import attrgetter
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Restores a workflow whose JSON has no `spec`/`subprocess_specs`: they are handed in."""

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


# A task id occurs three times in a state (its own, its parent's children, its children's
# parent); parsing and printing UUIDs was a tenth of loading an instance.
_uuid = lru_cache(maxsize=1 << 16)(UUID)
_text = lru_cache(maxsize=1 << 16)(str)


class _TaskConverter(TaskConverter):
    """SpiffWorkflow 3.2's TaskConverter, same dictionaries in and out, without its generic
    detours: every task of an instance goes through here at each load and save
    (tests/engine/test_serializer.py compares the two on real instances)."""

    def to_dict(self, task):
        parent = task.workflow.tasks.get(task._parent)
        if parent is None:
            data, delta = task.data, {}
        else:
            before, after = parent.data, task.data
            data = {}
            delta = {"updates": {k: v for k, v in after.items()
                                 if k not in before or v != before[k]},
                     "deletions": [k for k in before if k not in after]}
        return {
            "id": _text(task.id),
            "parent": _text(task._parent) if parent is not None else None,
            "children": [_text(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task._state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct, workflow):
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_uuid(dct["id"]))
        task._parent = _uuid(dct["parent"]) if dct["parent"] is not None else None
        task._children = [_uuid(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task._state & TaskState.WAITING:
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        parent = workflow.tasks.get(task._parent)
        if delta and parent is not None:
            # DeepMerge.merge({}, parent.data): a copy one level deep
            data = {k: copy(v) if isinstance(v, (dict, list, set)) else v
                    for k, v in parent.data.items()}
            updates = delta.get("updates")
            if updates:
                data.update(self.registry.restore(updates))
            for key in delta.get("deletions", ()):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _SpeclessWorkflowConverter
_config[Task] = _TaskConverter
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))
VERSION: str = _SERIALIZER.VERSION
REGISTRY = _SERIALIZER.registry  # also converts specs: SpiffWorkflow's spec diff compares with it
_Encoder = _SERIALIZER._encoder_cls
_encode = _Encoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(workflow: BpmnWorkflow) -> str:
    """The workflow's state as JSON, spec left out.

    A task's JSON text is kept and reused while nothing it is made of changes (`_memo_key`):
    finished tasks, and tasks with no data of their own yet (SpiffWorkflow's predicted
    branches, most of an instance's tree). A save encodes what the step changed, not the whole
    instance. The fields are those of SpiffWorkflow 3.2's WorkflowConverter (pinned); `loads`
    restores them with its converters (tasks with `_TaskConverter`, which gives the same
    dictionaries).
    """
    registry = _SERIALIZER.registry
    registry._encoder_mode = True  # as serialize_json does: convert lazily inside json.dumps
    try:
        top = _fields(workflow, "BpmnWorkflow")
        top["bpmn_events"] = registry.convert(workflow.bpmn_events)
        subprocesses = []
        for task_id, sub in workflow.subprocesses.items():
            fields = _fields(sub, "BpmnSubWorkflow")
            fields.update(parent_task_id=str(sub.parent_task_id), spec=sub.spec.name)
            subprocesses.append(f'"{task_id}":{_with_tasks(fields, sub)}')
        text = _with_tasks(top, workflow)
        return text[:-1] + ',"subprocesses":{' + ",".join(subprocesses) + "}}"
    finally:
        registry._encoder_mode = False


def _fields(workflow, typename: str) -> dict:
    registry = _SERIALIZER.registry
    return {
        "typename": typename,
        "data": registry.convert(registry.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "root": str(workflow.task_tree.id),
    }


def _with_tasks(fields: dict, workflow) -> str:
    """JSON of `fields` plus a "tasks" member built from (cached) per-task JSON texts."""
    return _encode(fields)[:-1] + ',"tasks":{' + _tasks_body(workflow) + "}}"


_FINISHED_PARTS = attrgetter("_state", "last_state_change", "_children")


def _tasks_body(workflow) -> str:
    """The tasks' texts joined. The leading run of finished tasks (a looping instance's history:
    the map keeps creation order) is joined once and kept with what it was made of, the same
    task objects with the same state, state change time and children (`_memo_key` of a
    finished task, stricter); checking that is done in C, so a save no longer visits every
    task of the instance in Python."""
    tasks = workflow.tasks
    start, joined, objs, parts = 0, "", [], []
    kept = workflow.__dict__.get("_jianyi_body")
    if kept is not None:
        objs, parts, joined = kept
        current = list(islice(tasks.values(), len(objs)))
        if current == objs and list(map(_FINISHED_PARTS, current)) == parts:
            start = len(objs)
        else:
            objs, parts, joined = [], [], ""
    texts = [f'"{_text(task_id)}":{_task_json(task)}'
             for task_id, task in islice(tasks.items(), start, None)]
    grown = 0
    for task in islice(tasks.values(), start, None):
        if not task._state & TaskState.FINISHED_MASK:
            break
        grown += 1
    if grown:
        new = list(islice(tasks.values(), start, start + grown))
        objs = objs + new
        parts = parts + [(t._state, t.last_state_change, list(t._children)) for t in new]
        joined = ",".join(([joined] if start else []) + texts[:grown])
        workflow.__dict__["_jianyi_body"] = (objs, parts, joined)
        texts = texts[grown:]
    if not start and not grown:
        workflow.__dict__.pop("_jianyi_body", None)
        return ",".join(texts)
    return ",".join([joined, *texts])


def _task_json(task) -> str:
    key = _memo_key(task)
    if key is not None:
        memo = task.__dict__.get("_jianyi_json")
        if memo is not None and memo[0] == key:
            return memo[1]
    text = None
    if key is not None and not task._state & TaskState.FINISHED_MASK and key[-1] is not None:
        text = _predicted_json(task, key[-1])  # no data of its own, under a parent
    if text is None:
        text = _encode(_SERIALIZER.registry.convert(task))
    if key is not None:
        task.__dict__["_jianyi_json"] = (key, text)
    return text


def _predicted_json(task, parent_keys: tuple) -> str | None:
    """The text of a task with no data of its own, written directly (a step that passes a
    gateway makes dozens: SpiffWorkflow predicts every branch after it); `parent_keys` are the
    names of its parent's data. The same text the converter gives (tests compare them); None
    if a field is not of the type the template writes."""
    if type(task.last_state_change) is not float or type(task.triggered) is not bool:
        return None
    children = ",".join(f'"{_text(child)}"' for child in task._children)
    return (f'{{"id":"{_text(task.id)}","parent":"{_text(task._parent)}",'
            f'"children":[{children}],"last_state_change":{task.last_state_change!r},'
            f'"state":{int(task._state)},"task_spec":{_json_text(task.task_spec.name)},'
            f'"triggered":{"true" if task.triggered else "false"},"internal_data":{{}},'
            f'"data":{{}},"delta":{{"updates":{{}},"deletions":{_json_list(parent_keys)}}},'
            f'"typename":"Task"}}')


# Spec names and the key lists of data dicts come back again and again.
_json_text = lru_cache(maxsize=4096)(_encode)
_json_list = lru_cache(maxsize=4096)(lambda keys: _encode(list(keys)))


def _memo_key(task) -> tuple | None:
    """What a task's JSON text depends on, for the tasks whose text is kept (None: encode it
    every time). Besides its fixed id, parent and spec, a task's text is its state, children
    and data as a delta against its parent's data:
    - a finished task no longer changes (nor does the finished parent its delta is against);
    - a task with no data of its own has an empty update and deletes every key of its
      parent's data, so the names of those keys (the key's last item) are all its delta
      depends on.
    """
    if task._state & TaskState.FINISHED_MASK:
        return (task._state, task.last_state_change, len(task._children))
    if task.data or task.internal_data:
        return None
    parent = task.workflow.tasks.get(task._parent)
    return (task._state, task.last_state_change, tuple(task._children), task.triggered,
            tuple(parent.data) if parent is not None else None)


def _all_tasks(workflow: BpmnWorkflow):
    """The tasks of a workflow and of its subprocesses."""
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def forget_cached_json(workflow: BpmnWorkflow) -> None:
    """Drop the per-task JSON kept by `dumps` (needed after a task's spec was replaced)."""
    for wf in (workflow, *workflow.subprocesses.values()):
        wf.__dict__.pop("_jianyi_body", None)
    for task in _all_tasks(workflow):
        task.__dict__.pop("_jianyi_json", None)


def loads(state: str, version: str, spec, subprocess_specs) -> BpmnWorkflow:
    """Rebuild a workflow from `dumps` output, migrating state written by an older serializer.

    State of the current format also hands each finished task its JSON text, so that the next
    `dumps` encodes only the tasks the step changes (encoding a plain dict is done in C; going
    through SpiffWorkflow's converters is what costs).
    """
    dct = json.loads(state)
    texts = _reusable_texts(dct) if version == VERSION else {}
    dct[_SERIALIZER.VERSION_KEY] = version
    _SERIALIZER.migrate(dct)
    workflow = _SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
    if texts:
        for task in _all_tasks(workflow):
            text = texts.get(_text(task.id))
            key = _memo_key(task) if text is not None else None
            if key is not None:
                task.__dict__["_jianyi_json"] = (key, text)
    return workflow


def _reusable_texts(dct: dict) -> dict[str, str]:
    """Task id -> JSON text of the finished tasks in a stored state (taken before the state is
    restored: restoring consumes the dicts). Tasks without data of their own are not worth it:
    writing them from the template costs what re-encoding their stored dict would."""
    texts = {}
    for tasks in (dct.get("tasks", {}), *(sp.get("tasks", {})
                                          for sp in dct.get("subprocesses", {}).values())):
        for task_id, task in tasks.items():
            if task.get("state", 0) & TaskState.FINISHED_MASK:
                texts[task_id] = json.dumps(task, ensure_ascii=False, separators=(",", ":"))
    return texts
