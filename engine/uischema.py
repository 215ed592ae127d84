"""uiSchema files: how a form is shown, in react-jsonschema-form's (SpiffArena's) conventions.

A package's `.json` files are JSON Schemas, except those named `<form>.uischema.json` (ours) or
`<form>-uischema.json` (SpiffArena's): those are uiSchemas, referenced from a user task with the
`formUiSchemaFilename` property beside its `formJsonSchemaFilename`. A uiSchema is checked at
deploy against the task's JSON Schema: every field it names must be in the form, every widget and
option must be one the task page can show, every named choice source one the domain offers.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from .errors import Problem

UI_SUFFIXES = (".uischema.json", "-uischema.json")
WIDGETS = frozenset({"text", "textarea", "radio", "checkbox", "checkboxes", "select", "date",
                     "email", "updown", "hidden"})
KEYS = frozenset({"ui:order", "ui:widget", "ui:help", "ui:placeholder", "ui:title",
                  "ui:options", "ui:description"})
OPTIONS = frozenset({"rows", "choices", "addable", "removable"})
MAX_TEXT = 500  # a title, help text or placeholder
MAX_ROWS = 50   # lines of a textarea


def is_ui_schema(name: str) -> bool:
    """Whether a package file is a uiSchema (by its name)."""
    return name.endswith(UI_SUFFIXES)


def load(package_files: dict[str, str], problems: list[Problem]) -> dict[str, dict]:
    """The package's uiSchemas by file name; a file that is not a JSON object is a problem."""
    found = {}
    for name, text in package_files.items():
        if not is_ui_schema(name):
            continue
        try:
            ui = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as err:
            problems.append(Problem(name, "", f"not valid JSON: {err}"))
            continue
        if not isinstance(ui, dict):
            problems.append(Problem(name, "", "a uiSchema must be a JSON object"))
            continue
        found[name] = ui
    return found


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def properties(schema: dict) -> dict[str, dict]:
    """Every property an object schema may show: its own, then those its conditional branches
    add (`if`/`then`/`else`, in `allOf` too, and schema `dependencies`, with their `oneOf`)."""
    out = {k: _dict(v) for k, v in _dict(schema.get("properties")).items()}
    for branch in branches(schema):
        for name, prop in _dict(branch.get("properties")).items():
            out.setdefault(name, _dict(prop))
    return out


def branches(schema: dict) -> list[dict]:
    """The conditional subschemas of an object schema that may add fields."""
    out = []
    for rule in [schema, *[_dict(r) for r in schema.get("allOf") or [] if isinstance(r, dict)]]:
        if "if" in rule:
            out += [_dict(rule.get(k)) for k in ("then", "else") if isinstance(rule.get(k), dict)]
    for dep in _dict(schema.get("dependencies")).values():
        if isinstance(dep, dict):
            out.append(dep)
            out += [_dict(o) for o in dep.get("oneOf") or [] if isinstance(o, dict)]
    return out


def check(file: str, element_id: str, ui: dict, schema: dict,
          choices: Iterable[str] | None) -> list[Problem]:
    """Why a uiSchema does not fit its form's JSON Schema (file, task id, reason)."""
    known = None if choices is None else frozenset(choices)
    problems: list[str] = []
    _check(ui, _dict(schema), "", known, problems)
    return [Problem(file, element_id, reason) for reason in problems]


def _check(ui: dict, schema: dict, path: str, choices, problems: list[str]) -> None:
    where = f" at '{path}'" if path else ""
    typ = schema.get("type")
    props = properties(schema) if typ == "object" or "properties" in schema else {}
    for key, value in ui.items():
        if key.startswith("ui:"):
            _check_key(key, value, props, schema, where, choices, problems)
        elif key == "items" and typ == "array":
            if isinstance(value, dict):
                _check(value, _dict(schema.get("items")), f"{path}.items" if path else "items",
                       choices, problems)
            else:
                problems.append(f"'items'{where} must be an object")
        elif key in props:
            if isinstance(value, dict):
                _check(value, props[key], f"{path}.{key}" if path else key, choices, problems)
            else:
                problems.append(f"uiSchema of field '{key}'{where} must be an object")
        else:
            problems.append(f"uiSchema names field '{key}'{where}, which the form does not have")


def _check_key(key, value, props, schema, where, choices, problems) -> None:
    if key not in KEYS:
        problems.append(f"unknown uiSchema key '{key}'{where}; known: " + ", ".join(sorted(KEYS)))
    elif key == "ui:widget":
        if value not in WIDGETS:
            problems.append(f"unknown widget '{value}'{where}; known: " + ", ".join(sorted(WIDGETS)))
    elif key == "ui:order":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"ui:order{where} must be a list of field names")
        else:
            unknown = [v for v in value if v != "*" and v not in props]
            if unknown:
                problems.append(f"ui:order{where} names unknown fields: " + ", ".join(unknown))
            if len(set(value)) != len(value):
                problems.append(f"ui:order{where} names a field twice")
    elif key in ("ui:help", "ui:placeholder", "ui:title", "ui:description"):
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            problems.append(f"{key}{where} must be a text of at most {MAX_TEXT} characters")
    elif key == "ui:options":
        if not isinstance(value, dict):
            problems.append(f"ui:options{where} must be an object")
            return
        for option, given in value.items():
            if option not in OPTIONS:
                problems.append(f"unknown ui:options '{option}'{where}; known: "
                                + ", ".join(sorted(OPTIONS)))
            elif option == "rows" and not (isinstance(given, int) and not isinstance(given, bool)
                                           and 1 <= given <= MAX_ROWS):
                problems.append(f"ui:options rows{where} must be a whole number 1-{MAX_ROWS}")
            elif option == "choices" and (not isinstance(given, str)
                                          or (choices is not None and given not in choices)):
                problems.append(f"unknown choices source '{given}'{where}; known: "
                                + ", ".join(sorted(choices or ())))
            elif option in ("addable", "removable") and not isinstance(given, bool):
                problems.append(f"ui:options {option}{where} must be true or false")
