"""The deploy-time checks of a package (部署检查): each returns the problems it finds, with file and
element id, so a designer sees every reason at once. `package.compile_package` runs them."""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from models import HumanTask

from . import uischema
from .bpmn import BPMN, DUE_AT, FORM, NS, SPIFF, SUBJECT, UI_FORM, is_human_task, task_properties
from .errors import Problem
from .scripts import unsafe_reason


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


def load_forms(files: Mapping[str, str], problems: list[Problem]) -> dict[str, dict]:
    forms = {}
    for name, text in files.items():
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


def _human_tasks(spec):
    """(task spec, (file, element id), its spiffworkflow properties) of each human task."""
    for task_spec in spec.task_specs.values():
        if is_human_task(task_spec):
            yield task_spec, (spec.file or "", task_spec.bpmn_id), task_properties(task_spec)


def check_human_tasks(spec, forms: dict[str, dict]) -> list[Problem]:
    """Each human task's form files are in the package, its due date and subject expressions
    are safe, its names fit their columns. A human task may be in no lane (it is then the
    initiator's) and may have no form."""
    problems = []
    for task_spec, where, props in _human_tasks(spec):
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


def check_ui_forms(spec, forms: dict[str, dict], ui_forms: dict[str, dict],
                    choices: Iterable[str] | None, ui_of: dict[tuple[str, str], str]
                    ) -> list[Problem]:
    """Each task's uiSchema fits its JSON Schema; a form file is a JSON Schema and a uiSchema
    file a uiSchema (told apart by name). Records which uiSchema each task shows in `ui_of`."""
    problems = []
    for task_spec, where, props in _human_tasks(spec):
        form, ui = props.get(FORM), props.get(UI_FORM)
        if form and form in ui_forms:
            problems.append(Problem(*where, f"{FORM} '{form}' is a uiSchema file (named "
                                            f"*.uischema.json); name the JSON Schema"))
        if not ui or ui not in {**forms, **ui_forms}:
            continue  # no uiSchema, or a missing file (reported by check_human_tasks)
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


def check_expressions(name: str, root) -> list[Problem]:
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


def check_flows(name: str, root) -> list[Problem]:
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


def check_subprocess_lanes(name: str, root) -> list[Problem]:
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


def check_operators(name: str, root, operators: Iterable[str] | None) -> list[Problem]:
    if operators is None:
        return []
    known = set(operators)
    return [
        Problem(name, _owner_id(op), f"no service-task operator named '{op.get('id')}'")
        for op in root.iterfind(".//spiffworkflow:serviceTaskOperator", NS)
        if op.get("id") not in known
    ]

