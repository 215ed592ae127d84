"""BPMN packages: a folder of .bpmn/.dmn files and JSON Schema forms, validated and compiled.

A package is identified by the SHA-256 of its files; compiled specs are cached under that hash so
each version is parsed once per process.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping

from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from jsonschema.validators import extend
from jsonschema.exceptions import SchemaError
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.manual_task import ManualTask as ManualTaskMixin
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from models import HumanTask

from . import instructions, safexml, uischema, xmlpolicy
from .errors import DeployError, Problem
from .scripts import unsafe_reason

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_PREFIX = "https://www.omg.org/spec/DMN/"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
FORM = "formJsonSchemaFilename"
UI_FORM = "formUiSchemaFilename"
DUE_AT = "dueAt"
SUBJECT = "subject"  # an expression: what the task is about beyond its step (shown after its name)
SUFFIXES = (".bpmn", ".dmn", ".json")


@dataclass(frozen=True)
class Package:
    """The files of one deployable process set: name -> text."""

    files: Mapping[str, str]

    @classmethod
    def from_folder(cls, folder: str | Path) -> "Package":
        """Read every .bpmn, .dmn and .json file below `folder` (names relative to it)."""
        root = Path(folder)
        if not root.is_dir():
            raise DeployError([Problem(str(root), "", "not a folder")])
        files = {}
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
        return cls(files)

    @cached_property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name].encode() + b"\0")
        return digest.hexdigest()


@dataclass
class Compiled:
    """A validated package: parsed specs per executable process, forms, display names."""

    package: Package
    specs: dict[str, tuple[Any, dict[str, Any]]]
    names: dict[str, str]
    forms: dict[str, dict] = field(default_factory=dict)
    ui_forms: dict[str, dict] = field(default_factory=dict)  # uiSchemas by file name
    ui_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (task id, form) -> uiSchema
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict, repr=False,
                                                         compare=False)

    def spec(self, process_id: str):
        return self.specs[process_id]

    def validator(self, form: str) -> Draft202012Validator | None:
        """The JSON Schema validator of a form (built once: forms of a version never change)."""
        found = self._validators.get(form)
        if found is None and form in self.forms:
            found = self._validators[form] = FormValidator(
                self.forms[form], format_checker=FORMAT_CHECKER)
        return found

    def ui_form(self, bpmn_id: str, form: str | None) -> dict | None:
        """The uiSchema a user task names (formUiSchemaFilename), or None."""
        name = self.ui_of.get((bpmn_id, form or ""))
        return self.ui_forms.get(name) if name else None


# Forms follow JSON Schema 2020-12 and also honour draft-07's `dependencies` (property and schema
# dependencies), which react-jsonschema-form forms (SpiffArena's) use for conditional fields.
FormValidator = extend(Draft202012Validator,
                       {"dependencies": Draft7Validator.VALIDATORS["dependencies"]})


def compile_package(package: Package, operators: Iterable[str] | None = None,
                    choices: Iterable[str] | None = None) -> Compiled:
    """Validate and parse; raise DeployError listing every problem (file, element id, reason).

    `operators` are the service-task operators the domain knows (None: not checked); `choices`
    the named choice sources a uiSchema may use. Lanes are the domain's data: whether a lane can
    be turned into people is checked by the domain."""
    problems: list[Problem] = []
    forms = _load_forms(package, problems)
    ui_forms = uischema.load(package.files, problems)
    ui_of: dict[tuple[str, str], str] = {}
    parser = SpiffBpmnParser(validator=VALIDATOR)
    roots = {}
    for name, text in sorted(package.files.items()):
        if not name.endswith((".bpmn", ".dmn")):
            continue
        try:
            roots[name] = safexml.parse(text)
        except safexml.UnsafeXml as err:
            problems.append(Problem(name, "", str(err)))
    for name, root in roots.items():
        problems.extend(xmlpolicy.check(name, root))  # uploaded markup never runs in a browser
        problems.extend(_check_expressions(name, root))
        if name.endswith(".bpmn"):
            problems.extend(_check_flows(name, root))
            problems.extend(_check_subprocess_lanes(name, root))
            problems.extend(_check_operators(name, root, operators))
            problems.extend(instructions.check(name, root))  # templates that would not render
    if problems:
        raise DeployError(problems)

    for name, root in roots.items():
        try:
            if name.endswith(".dmn"):
                parser.add_dmn_xml(root, filename=name)
            else:
                parser.add_bpmn_xml(root, filename=name)
        except SpiffWorkflowException as err:
            problems.append(_from_spiff(err, name))
    if problems:
        raise DeployError(problems)

    specs, names = {}, {}
    for process_id in parser.get_process_ids():
        try:
            spec = parser.get_spec(process_id)
            subprocess_specs = parser.get_subprocess_specs(process_id)
        except SpiffWorkflowException as err:
            problems.append(_from_spiff(err, getattr(err, "file_name", "") or "?"))
            continue
        specs[process_id] = (spec, subprocess_specs)
        names[process_id] = spec.description or process_id
        if len(process_id) > 128 or len(names[process_id]) > 255:
            problems.append(Problem(spec.file or "", process_id,
                                    "process id over 128 or name over 255 characters"))
        for each in [spec, *subprocess_specs.values()]:
            if each is not None:
                problems.extend(_check_human_tasks(each, {**forms, **ui_forms}))
                problems.extend(_check_ui_forms(each, forms, ui_forms, choices, ui_of))
    if not specs and not problems:
        problems.append(Problem("", "", "the package has no executable process"))
    if problems:
        raise DeployError(sorted(set(problems), key=lambda p: (p.file, p.element_id, p.reason)))
    return Compiled(package=package, specs=specs, names=names, forms=forms, ui_forms=ui_forms,
                    ui_of=ui_of)


def _from_spiff(err: SpiffWorkflowException, name: str) -> Problem:
    if isinstance(err, ValidationException):
        line = f" (line {err.line_number})" if getattr(err, "line_number", "") else ""
        return Problem(err.file_name or name, err.id or "", f"{err}{line}")
    return Problem(name, getattr(err, "id", "") or "", str(err))


def _is_date_time(instance: object) -> bool:
    """RFC 3339 date-time (jsonschema checks it only with an optional package installed)."""
    if not isinstance(instance, str):
        return True
    if not _DATE_TIME.fullmatch(instance):
        return False
    try:
        datetime.fromisoformat(instance.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                        r"([Zz]|[+-][0-9]{2}:[0-9]{2})")
# Forms are validated with their formats (date, date-time, email, ...): a date field takes
# 2026-12-03, never "2026年12月3日".
FORMAT_CHECKER = FormatChecker()
if "date-time" not in FORMAT_CHECKER.checkers:
    FORMAT_CHECKER.checks("date-time")(_is_date_time)


# A form field's name: a plain identifier starting with a letter. The page's own controls (its
# buttons, file input, CSRF token) live outside this namespace (`_action`, `_file`) or are named
# here, so a field can never be mistaken for the button pressed (a draft_reply field `action`
# once made 暂存 submit the draft).
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
RESERVED_FIELDS = frozenset({"csrf_token"})


def _field_problems(name: str, schema: Any, path: str = "", depth: int = 0) -> list[Problem]:
    """Field names, in nested objects, repeating rows and conditional branches too (a nested
    field is submitted as "address.city", a row's as "contacts.0.name")."""
    if not isinstance(schema, dict) or depth > 16:
        return []
    problems = []
    for field, prop in uischema.properties(schema).items():
        if not FIELD_NAME.fullmatch(field) or field in RESERVED_FIELDS:
            problems.append(Problem(name, f"{path}{field}", "form field name must be a letter "
                                    "followed by letters, digits or underscores (at most 64), "
                                    "and not csrf_token"))
            continue
        problems += _field_problems(name, prop, f"{path}{field}.", depth + 1)
        problems += _field_problems(name, prop.get("items"), f"{path}{field}.", depth + 1)
    return problems


def _load_forms(package: Package, problems: list[Problem]) -> dict[str, dict]:
    forms = {}
    for name, text in package.files.items():
        if not name.endswith(".json") or uischema.is_ui_schema(name):
            continue
        try:
            schema = json.loads(text)
            Draft202012Validator.check_schema(schema)
        except json.JSONDecodeError as err:
            problems.append(Problem(name, "", f"not valid JSON: {err}"))
            continue
        except SchemaError as err:
            problems.append(Problem(name, "", f"not a valid JSON Schema: {err.message}"))
            continue
        found = _field_problems(name, schema)
        if found:
            problems.extend(found)
            continue
        forms[name] = schema
    return forms


def task_properties(task_spec) -> dict[str, str]:
    """The spiffworkflow:properties of a task spec (form file names, dueAt, ...)."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {})


def is_human_task(task_spec) -> bool:
    """A task a person does: a user task (with or without a form) or a manual task."""
    return isinstance(task_spec, (UserTaskMixin, ManualTaskMixin))


def _check_human_tasks(spec, forms: dict[str, dict]) -> list[Problem]:
    problems = []
    for task_spec in spec.task_specs.values():
        if not is_human_task(task_spec):
            continue
        # A human task may be in no lane (it is then the initiator's) and may have no form.
        where = (spec.file or "", task_spec.bpmn_id)
        props = task_properties(task_spec)
        for key in (FORM, UI_FORM):
            form = props.get(key)
            if form and form not in forms:
                problems.append(Problem(*where, f"form file '{form}' is not in the package"))
        for key in (DUE_AT, SUBJECT):
            expression = props.get(key)
            if expression and (reason := unsafe_reason(expression)):
                problems.append(Problem(*where, f"{key} expression: {reason}"))
        problems += _too_wide(where, bpmn_id=task_spec.bpmn_id, name=task_spec.bpmn_name,
                              lane=task_spec.lane, form=props.get(FORM))
    return problems


def _check_ui_forms(spec, forms: dict[str, dict], ui_forms: dict[str, dict],
                    choices: Iterable[str] | None, ui_of: dict[tuple[str, str], str]
                    ) -> list[Problem]:
    """Each task's uiSchema fits its JSON Schema; a form file is a JSON Schema and a uiSchema
    file a uiSchema (told apart by name). Records which uiSchema each task shows in `ui_of`."""
    problems = []
    for task_spec in spec.task_specs.values():
        if not is_human_task(task_spec):
            continue
        where = (spec.file or "", task_spec.bpmn_id)
        props = task_properties(task_spec)
        form, ui = props.get(FORM), props.get(UI_FORM)
        if form and form in ui_forms:
            problems.append(Problem(*where, f"{FORM} '{form}' is a uiSchema file (named "
                                            f"*.uischema.json); name the JSON Schema"))
        if not ui or ui not in {**forms, **ui_forms}:
            continue  # no uiSchema, or a missing file (reported by _check_human_tasks)
        if ui not in ui_forms:
            problems.append(Problem(*where, f"{UI_FORM} '{ui}' must be named <form>.uischema.json"))
        elif form in forms:
            found = uischema.check(ui, task_spec.bpmn_id, ui_forms[ui], forms[form], choices)
            problems.extend(found)
            if not found:
                ui_of[(task_spec.bpmn_id, form)] = ui
    return problems


def _too_wide(where: tuple[str, str], **values: str | None) -> list[Problem]:
    """Values the task's inbox row keeps must fit its columns (PostgreSQL refuses, at run time,
    what does not)."""
    columns = HumanTask.__table__.c
    return [Problem(*where, f"{key} is longer than {columns[key].type.length} characters")
            for key, value in values.items()
            if value and len(value) > columns[key].type.length]


def _owner_id(element) -> str:
    """The id of the nearest BPMN/DMN element holding `element` (extension ids don't count)."""
    node = element
    while node is not None and (not node.get("id") or str(node.tag).startswith(f"{{{SPIFF}}}")):
        node = node.getparent()
    return node.get("id") if node is not None else ""


_EXPRESSIONS = [
    ("bpmn:script", "exec"), ("spiffworkflow:preScript", "exec"),
    ("spiffworkflow:postScript", "exec"), ("bpmn:conditionExpression", "eval"),
    ("bpmn:timeDate", "eval"), ("bpmn:timeDuration", "eval"), ("bpmn:timeCycle", "eval"),
    ("bpmn:loopCardinality", "eval"), ("bpmn:completionCondition", "eval"),
    ("bpmn:loopCondition", "eval"), ("bpmn:condition", "eval"),
    ("bpmn:correlationPropertyRetrievalExpression/bpmn:formalExpression", "eval"),
    ("spiffworkflow:messagePayload", "eval"), ("spiffworkflow:expression", "eval"),
    ("spiffworkflow:payloadExpression", "eval"),
]  # every text SpiffWorkflow 3.2 evaluates; the run-time guards hold for any text missed here


def _check_expressions(name: str, root) -> list[Problem]:
    """Scripts and expressions: no imports, no private/dunder names, no escaping builtins."""
    problems = []
    if name.endswith(".dmn"):
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag.endswith("}text") and element.text:
                if reason := unsafe_reason(element.text, "dmn"):
                    problems.append(Problem(name, _owner_id(element), reason))
        return problems
    for tag, mode in _EXPRESSIONS:
        for element in root.iterfind(f".//{tag}", NS):
            if reason := unsafe_reason(element.text or "", mode):
                problems.append(Problem(name, _owner_id(element), reason))
    for element in root.iterfind(".//spiffworkflow:parameter", NS):
        if reason := unsafe_reason(element.get("value", ""), "eval"):
            problems.append(Problem(name, _owner_id(element), reason))
    return problems


_NO_INCOMING = {"startEvent", "boundaryEvent"}
_NO_OUTGOING = {"endEvent"}
_FLOW_NODES = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "transaction", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway", "startEvent", "endEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
}


def _check_flows(name: str, root) -> list[Problem]:
    """Every sequence flow joins two existing nodes; every node is reachable and leads somewhere."""
    problems = []
    containers = [*root.iterfind(".//bpmn:process", NS), *root.iterfind(".//bpmn:subProcess", NS),
                  *root.iterfind(".//bpmn:transaction", NS)]
    for container in containers:
        nodes = {}
        for child in container:
            local = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
            if local in _FLOW_NODES:
                nodes[child.get("id")] = (local, child)
        flows = container.findall("bpmn:sequenceFlow", NS)
        incoming, outgoing = set(), set()
        for flow in flows:
            for attr, seen in (("sourceRef", outgoing), ("targetRef", incoming)):
                ref = flow.get(attr)
                if ref not in nodes:
                    problems.append(Problem(name, flow.get("id", ""),
                                            f"sequence flow {attr} '{ref}' is not an element here"))
                seen.add(ref)
        for node_id, (local, node) in nodes.items():
            triggered = local == "subProcess" and node.get("triggeredByEvent") == "true"
            if local not in _NO_INCOMING and node_id not in incoming and not triggered:
                problems.append(Problem(name, node_id, f"{local} has no incoming sequence flow"))
            if local not in _NO_OUTGOING and node_id not in outgoing and not triggered:
                problems.append(Problem(name, node_id, f"{local} has no outgoing sequence flow"))
    return problems


_EMBEDDED = ("subProcess", "transaction", "adHocSubProcess")


def _check_subprocess_lanes(name: str, root) -> list[Problem]:
    """An embedded subprocess in a lane gives that lane to every task inside it (SpiffWorkflow
    3.2), so an inner user task drawn in another lane would silently change hands: refuse it."""
    lanes = {}  # node id -> lane name, as SpiffWorkflow reads them (innermost lane wins)
    for ref in root.iterfind(".//bpmn:flowNodeRef", NS):
        if ref.text:
            lanes[ref.text.strip()] = ref.getparent().get("name")
    problems = []
    for local in _EMBEDDED:
        for sub in root.iterfind(f".//bpmn:{local}", NS):
            outer = lanes.get(sub.get("id"))
            if outer is None or any(lanes.get(a.get("id")) is not None
                                    for a in sub.iterancestors(*(f"{{{BPMN}}}{e}"
                                                                 for e in _EMBEDDED))):
                continue  # no lane, or an outer subprocess already decides (reported there)
            for task in [*sub.iterfind(".//bpmn:userTask", NS),
                         *sub.iterfind(".//bpmn:manualTask", NS)]:
                inner = lanes.get(task.get("id"))
                if inner is not None and inner != outer:
                    problems.append(Problem(name, task.get("id", ""), (
                        f"user task is in lane '{inner}' but its subprocess '{sub.get('id')}' "
                        f"is in lane '{outer}', which SpiffWorkflow would give it; take the "
                        f"subprocess out of the lane or move the task")))
    return problems


def _check_operators(name: str, root, operators: Iterable[str] | None) -> list[Problem]:
    if operators is None:
        return []
    known = set(operators)
    return [
        Problem(name, _owner_id(op), f"no service-task operator named '{op.get('id')}'")
        for op in root.iterfind(".//spiffworkflow:serviceTaskOperator", NS)
        if op.get("id") not in known
    ]


class SpecCache:
    """Compiled packages by content hash, least recently used dropped first (thread-safe).

    Shared by every engine of the process: a package compiles to the same specs whichever engine
    asks, as long as the operators it was checked against are the same.
    """

    _items: OrderedDict[tuple, Compiled] = OrderedDict()
    _lock = threading.Lock()

    def __init__(self, operators: Iterable[str] | None = None, size: int = 32,
                 choices: Iterable[str] | None = None):
        self.operators = None if operators is None else frozenset(operators)
        self.choices = None if choices is None else frozenset(choices)
        self.size = size

    def get(self, package: Package) -> Compiled:
        key = (package.content_hash, self.operators, self.choices)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        compiled = compile_package(package, self.operators, self.choices)
        with self._lock:
            self._items[key] = compiled
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return compiled
