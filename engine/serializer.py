"""SpiffWorkflow state to JSON and back, without the spec.

The spec lives once per deployed version (`process_version.files`, parsed and cached by content
hash), so each saved case holds only its task tree and data.
"""
from __future__ import annotations

import json
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """BpmnWorkflowConverter that leaves out `spec`/`subprocess_specs` and takes them on restore."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = _SpeclessWorkflowConverter
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))
VERSION: str = _SERIALIZER.VERSION
_Encoder = _SERIALIZER._encoder_cls


def dumps(workflow: BpmnWorkflow) -> str:
    """The workflow's state as JSON, spec left out."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True  # as serialize_json does: convert lazily inside json.dumps
    try:
        return json.dumps(registry.convert(workflow), cls=_Encoder, ensure_ascii=False,
                          separators=(",", ":"))
    finally:
        registry._encoder_mode = False


def loads(state: str, version: str, spec, subprocess_specs) -> BpmnWorkflow:
    """Rebuild a workflow from `dumps` output, migrating it if it was written by an older serializer."""
    dct = json.loads(state)
    dct[_SERIALIZER.VERSION_KEY] = version
    _SERIALIZER.migrate(dct)
    return _SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
