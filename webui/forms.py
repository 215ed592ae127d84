"""Forms from JSON Schema: fields to render, and submitted text turned back into typed data.

The same `fields()` serve the inbox task page and the designer's live preview. Validation is the
engine's (jsonschema); this module only converts types and reports what it cannot convert.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from werkzeug.datastructures import MultiDict

LONG_TEXT = {"answer_text", "body", "opinion", "deputy_view", "progress", "follow_up_report",
             "return_reason", "ruling_note", "extension_reason", "coordination_reason",
             "supervision_note", "coordination_note", "comment", "review_reason", "sign_reason",
             "leader_note", "extension_note", "participants"}


@dataclass
class Field:
    """One input of a form."""

    name: str
    kind: str  # text | textarea | select | radio | checkbox | checkboxes | number | date | list
    title: str
    description: str = ""
    required: bool = False
    options: list[tuple[Any, str]] = field(default_factory=list)
    item_type: str = "string"


OptionSource = Callable[[str], list[tuple[Any, str]] | None]


def _options(schema: dict) -> list[tuple[Any, str]]:
    if "oneOf" in schema:
        return [(o.get("const"), o.get("title", str(o.get("const")))) for o in schema["oneOf"]
                if "const" in o]
    if "enum" in schema:
        return [(v, str(v)) for v in schema["enum"]]
    return []


def fields(schema: dict | None, options: OptionSource | None = None) -> list[Field]:
    """The inputs of a form schema, in property order."""
    if not schema:
        return []
    required = set(schema.get("required", []))
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        kind, choices, item_type = "text", _options(prop), "string"
        extra = options(name) if options else None
        typ = prop.get("type")
        if typ == "boolean":
            kind = "checkbox"
        elif typ in ("integer", "number"):
            kind = "number"
        elif typ == "array":
            items = prop.get("items") or {}
            item_type = items.get("type", "string")
            choices = _options(items) or extra or []
            kind = "checkboxes" if choices else "list"
        elif choices:
            kind = "radio" if len(choices) <= 4 else "select"
        elif extra:
            kind, choices = "select", extra
        elif prop.get("format") == "date":
            kind = "date"
        elif name in LONG_TEXT or (prop.get("maxLength") or 0) > 200:
            kind = "textarea"
        out.append(Field(name, kind, prop.get("title", name), prop.get("description", ""),
                         name in required, choices, item_type))
    return out


def _convert(value: str, typ: str) -> Any:
    if typ == "integer":
        return int(value)
    if typ == "number":
        return float(value)
    return value


def parse(schema: dict | None, form: MultiDict) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed data from submitted form text, and the fields whose text could not be converted."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields(schema):
        prop = schema["properties"][f.name]
        typ = prop.get("type", "string")
        try:
            if f.kind == "checkbox":
                data[f.name] = form.get(f.name) in ("on", "true", "1", "yes")
            elif f.kind == "checkboxes":
                data[f.name] = [_convert(v, f.item_type) for v in form.getlist(f.name) if v != ""]
            elif f.kind == "list":
                raw = form.get(f.name, "").replace("，", ",").replace("、", ",").replace("\n", ",")
                data[f.name] = [_convert(v.strip(), f.item_type) for v in raw.split(",")
                                if v.strip()]
            else:
                raw = form.get(f.name, "")
                if typ in ("integer", "number"):
                    if raw.strip():
                        data[f.name] = _convert(raw.strip(), typ)
                elif raw != "" or f.required:
                    data[f.name] = raw
        except ValueError:
            errors[f.name] = "请输入数字 (enter a number)"
    return data, errors
