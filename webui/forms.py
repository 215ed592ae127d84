"""Forms from JSON Schema: fields to render, and submitted text turned back into typed data.

The same `fields()` serve the inbox task page and the designer's live preview. Validation is the
engine's (jsonschema); this module converts types, holds text to the text rules (the schema's
`maxLength`, `models.text`'s characters and blanks) and reports what it cannot take, so a draft
is checked as a submission is and the message stands beside its field.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from werkzeug.datastructures import MultiDict

from models.text import LONG_TEXT, clean, problem

# The form's own controls (the buttons, the file input) are named in a namespace no schema field
# can take: deploy refuses a field name that is not a plain identifier starting with a letter
# (engine.package.FIELD_NAME), so a field called `action` never answers which button was pressed.
BUTTON = "_action"
FILE = "_file"

LONG_TEXT_FIELDS = {
    "answer_text", "body", "opinion", "deputy_view", "progress", "follow_up_report",
    "return_reason", "ruling_note", "extension_reason", "coordination_reason", "supervision_note",
    "coordination_note", "comment", "review_reason", "sign_reason", "leader_note",
    "extension_note", "participants"}


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
    if isinstance(schema.get("oneOf"), list):
        return [(o.get("const"), str(o.get("title", o.get("const")))) for o in schema["oneOf"]
                if isinstance(o, dict) and "const" in o]
    if isinstance(schema.get("enum"), list):
        return [(v, str(v)) for v in schema["enum"]]
    return []


def _dict(value: Any) -> dict:
    """A subschema as a dict: a schema being edited in the designer may hold anything
    (`true`, a number) where a property or item is expected."""
    return value if isinstance(value, dict) else {}


def fields(schema: dict | None, options: OptionSource | None = None) -> list[Field]:
    """The inputs of a form schema, in property order."""
    if not schema:
        return []
    required = schema.get("required")
    required = set(r for r in required if isinstance(r, str)) if isinstance(required, list) \
        else set()
    out = []
    for name, prop in _dict(schema.get("properties")).items():
        prop = _dict(prop)
        kind, choices, item_type = "text", _options(prop), "string"
        extra = options(name) if options else None
        typ = prop.get("type")
        if typ == "boolean":
            kind = "checkbox"
        elif typ in ("integer", "number"):
            kind = "number"
        elif typ == "array":
            items = _dict(prop.get("items"))
            item_type = items.get("type") if items.get("type") in ("integer", "number") \
                else "string"
            choices = _options(items) or extra or []
            kind = "checkboxes" if choices else "list"
        elif choices:
            kind = "radio" if len(choices) <= 4 else "select"
        elif extra:
            kind, choices = "select", extra
        elif prop.get("format") == "date":
            kind = "date"
        elif name in LONG_TEXT_FIELDS or _int(prop.get("maxLength")) > 200:
            kind = "textarea"
        out.append(Field(name, kind, str(prop.get("title", name)),
                         str(prop.get("description", "")), name in required, choices, item_type))
    return out


# Numbers a form may hold: whole numbers name rows (ids, suggestion numbers), which are
# PostgreSQL integers; other numbers must be finite (JSON and PostgreSQL have no NaN).
MAX_INTEGER = 2**31 - 1
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NOT_A_NUMBER = "请输入数字 (enter a number)"
OUT_OF_RANGE = "数值超出范围 (number out of range)"
NOT_A_DATE = "请按 YYYY-MM-DD 输入日期 (enter a date as YYYY-MM-DD)"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _limit(prop: dict) -> int:
    """Most characters of a text: the schema's maxLength, never more than LONG_TEXT."""
    given = prop.get("maxLength")
    if isinstance(given, int) and not isinstance(given, bool) and given >= 0:
        return min(given, LONG_TEXT)
    return LONG_TEXT


class _Refused(ValueError):
    """A value the form cannot take; the message says why ("中文 (English)")."""


def _convert(value: str, typ: str) -> Any:
    if typ == "integer":
        if not re.fullmatch(r"[+-]?[0-9]{1,10}", value):
            raise _Refused(NOT_A_NUMBER)
        number = int(value)
        if abs(number) > MAX_INTEGER:
            raise _Refused(OUT_OF_RANGE)
        return number
    if typ == "number":
        try:
            number = float(value)
        except ValueError:
            raise _Refused(NOT_A_NUMBER) from None
        if not math.isfinite(number):
            raise _Refused(NOT_A_NUMBER)
        return number
    return value


def _text(value: str, prop: dict, multiline: bool) -> str:
    """Typed text checked by the text rules."""
    found = problem(value, limit=_limit(prop), required=False, multiline=multiline)
    if found:
        raise _Refused(found)
    return value


def _items(form: MultiDict, f: Field) -> list[str]:
    """Every value sent for an array field, in order: each ticked checkbox, or each entry of a
    comma-separated list."""
    given = []
    for value in form.getlist(f.name):
        value = clean(value)
        if f.kind == "list":
            given.extend(value.replace("，", ",").replace("、", ",").replace("\n", ",").split(","))
        else:
            given.append(value)
    return [v.strip() for v in given if v.strip() != ""]


def _unique(values: list[Any]) -> list[Any]:
    seen, out = set(), []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


NOT_AN_OPTION = "请选择列表中的一项 (choose one of the options)"


def parse(schema: dict | None, form: MultiDict, options: OptionSource | None = None
          ) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed data from submitted form text, and the fields whose text could not be converted
    or breaks the text rules (length, characters, blank), with the reason. A field in error
    keeps what was typed in the data, to be shown again.

    An array field takes every value sent (all ticked checkboxes), in order, once each; where
    the form offers choices (`options`, the schema's enum/oneOf), a value outside them is
    refused."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields(schema, options):
        prop = schema["properties"][f.name]
        typ = prop.get("type", "string")
        try:
            if f.kind == "checkbox":
                data[f.name] = form.get(f.name) in ("on", "true", "1", "yes")
            elif f.kind in ("checkboxes", "list"):
                items = _dict(prop.get("items"))
                data[f.name] = _unique(_items(form, f))
                data[f.name] = _unique([_convert(_text(v, items, False), f.item_type)
                                        for v in data[f.name]])
                allowed = {v for v, _title in f.options}
                if f.kind == "checkboxes" and any(v not in allowed for v in data[f.name]):
                    raise _Refused(NOT_AN_OPTION)
            else:
                data[f.name] = raw = clean(form.get(f.name, ""))
                if typ in ("integer", "number"):
                    if raw:
                        data[f.name] = _convert(raw, typ)
                    else:
                        del data[f.name]
                elif raw == "" and not f.required:
                    del data[f.name]
                else:
                    _text(raw, prop, f.kind == "textarea")
                    if f.kind == "date" and raw and not _is_date(raw):
                        raise _Refused(NOT_A_DATE)
        except _Refused as err:
            errors[f.name] = str(err)
    return data, errors


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
