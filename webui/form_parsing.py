"""A posted form read back into typed data along the fields of `form_fields`.

Validation is the engine's (jsonschema); this module converts types, holds text to the text
rules (the schema's `maxLength`, `models.text`'s characters and blanks) and reports what it
cannot take, so a draft is checked as a submission is and the message stands beside its field.
"""
from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from models.text import LONG_TEXT, clean, problem

from .form_fields import Field, OptionSource, as_dict, fields

# Numbers a form may hold: whole numbers name rows (ids, suggestion numbers), which are
# PostgreSQL integers; other numbers must be finite (JSON and PostgreSQL have no NaN).
MAX_INTEGER = 2**31 - 1
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NOT_A_NUMBER = "请输入数字 (enter a number)"
OUT_OF_RANGE = "数值超出范围 (number out of range)"
NOT_A_DATE = "请按 YYYY-MM-DD 输入日期 (enter a date as YYYY-MM-DD)"
NOT_AN_EMAIL = "请输入有效的电子邮箱 (enter a valid email address)"
TOO_MANY_ROWS = "行数过多 (too many rows)"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


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
        if re.fullmatch(r"[+-]?[0-9]{1,15}", value):
            return int(value)  # 1200 stays 1200 (as JSON and the browser have it), not 1200.0
        return number
    return value


def _text(value: str, prop: dict, multiline: bool) -> str:
    """Typed text checked by the text rules."""
    found = problem(value, limit=_limit(prop), required=False, multiline=multiline)
    if found:
        raise _Refused(found)
    return value


def _items(form: MultiDict, name: str, kind: str) -> list[str]:
    """Every value sent for an array field, in order: each ticked checkbox, or each entry of a
    comma-separated list."""
    given = []
    for value in form.getlist(name):
        value = clean(value)
        if kind == "list":
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


def parse(schema: dict | None, form: MultiDict, options: OptionSource | None = None,
          ui: dict | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed data from submitted form text, and the fields whose text could not be converted
    or breaks the text rules (length, characters, blank), with the reason, keyed by the name
    submitted ("address.city", "contacts.0.name"). A field in error keeps what was typed in the
    data, to be shown again.

    Only names the schema gives are read. An array field takes every value sent (all ticked
    checkboxes), in order, once each; where the form offers choices (the uiSchema's choices
    source, the schema's enum/oneOf), a value outside them is refused. A nested object becomes
    a nested dict; repeating rows a list of dicts, blank rows left out. A conditional field
    whose condition does not hold is dropped with any error it had."""
    errors: dict[str, str] = {}
    data = _parse_object(fields(schema, options, ui), form, "", "", errors)
    return data, errors


def _parse_object(flds: list[Field], form: MultiDict, read: str, write: str,
                  errors: dict[str, str]) -> dict[str, Any]:
    """One object's fields: `read` is the prefix of the names in the form, `write` of the names
    errors are reported under (they differ for a row: blank rows are left out)."""
    data: dict[str, Any] = {}
    for f in flds:
        key = f.name
        try:
            if f.kind == "object":
                data[key] = _parse_object(f.children, form, f"{read}{key}.", f"{write}{key}.",
                                          errors)
            elif f.kind == "rows":
                data[key] = _parse_rows(f, form, f"{read}{key}.", f"{write}{key}.", errors)
            else:
                _parse_value(f, form, f"{read}{key}", data)
        except _Refused as err:
            errors[f"{write}{key}"] = str(err)
    # Conditional fields: drop those whose condition does not hold, until none changes (a
    # dropped field may be another's condition).
    hidden: set[str] = set()
    for _round in range(len(flds) + 1):
        shown = {k: v for k, v in data.items() if k not in hidden}
        now = {f.name for f in flds if f.condition is not None and not f.condition(shown)}
        if now == hidden:
            break
        hidden = now
    for name in hidden:
        data.pop(name, None)
        for error in [e for e in errors if e == f"{write}{name}" or
                      e.startswith(f"{write}{name}.")]:
            del errors[error]
    return data


_ROW = re.compile(r"([0-9]{1,3})\.")


def _parse_rows(f: Field, form: MultiDict, read: str, write: str, errors: dict[str, str]
                ) -> list[dict[str, Any]]:
    """Repeating rows, in the order of their numbers; a row left blank is not a row."""
    numbers = sorted({int(m.group(1)) for k in form.keys() if k.startswith(read)
                      for m in [_ROW.match(k, len(read))] if m})
    rows = []
    for number in numbers:
        prefix = f"{read}{number}."
        if all(clean(v).strip() == "" for k, v in form.items(multi=True) if k.startswith(prefix)):
            continue
        if len(rows) >= f.max_rows:
            raise _Refused(TOO_MANY_ROWS)
        rows.append(_parse_object(f.children, form, prefix, f"{write}{len(rows)}.", errors))
    return rows


def _parse_value(f: Field, form: MultiDict, name: str, data: dict[str, Any]) -> None:
    prop, key = f.prop, f.name
    typ = prop.get("type", "string")
    if f.kind == "checkbox":
        data[key] = form.get(name) in ("on", "true", "1", "yes")
    elif f.kind in ("checkboxes", "list"):
        items = as_dict(prop.get("items"))
        data[key] = _unique(_items(form, name, f.kind))
        data[key] = _unique([_convert(_text(v, items, False), f.item_type) for v in data[key]])
        allowed = {v for v, _title in f.options}
        if f.kind == "checkboxes" and any(v not in allowed for v in data[key]):
            raise _Refused(NOT_AN_OPTION)
    else:
        data[key] = raw = clean(form.get(name, ""))
        if typ in ("integer", "number"):
            if raw:
                data[key] = _convert(raw, typ)
            else:
                del data[key]
        elif raw == "" and not f.required:
            del data[key]
        else:
            _text(raw, prop, f.kind == "textarea")
            if raw and (f.kind == "date" or prop.get("format") == "date") and not _is_date(raw):
                raise _Refused(NOT_A_DATE)
            if raw and (f.kind == "email" or prop.get("format") == "email") \
                    and not _EMAIL.fullmatch(raw):
                raise _Refused(NOT_AN_EMAIL)


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
