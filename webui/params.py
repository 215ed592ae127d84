"""Request parameters checked before use: ids, numbers, codes, text and cursors.

A parameter that cannot be right answers 400 with a message in the reader's language (an id
that cannot name a row answers 404), never 500: a value past PostgreSQL's integer range, or
text with a NUL, would otherwise reach the database and fail there.
"""
from __future__ import annotations

import re
from typing import NoReturn

from flask import abort, make_response, render_template
from werkzeug.datastructures import MultiDict

from models.text import clean, problem

from .i18n import gettext as _
from .i18n import label

MAX_ID = 2**31 - 1  # ids are PostgreSQL `integer`s: a larger one names nothing
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII digits only: int() also takes "٣" and "1_0"
# Codes stored by the system (statuses, BPMN ids of steps, process ids): letters, digits, _ . -
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,127}")
TASK_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def bad_request(message: str) -> NoReturn:
    """Stop the request with 400 and `message` on the error page."""
    abort(make_response(render_template("errors/error.html", code=400, message=message), 400))


def row_id(value: int) -> int:
    """An id from the path: 404 if no row can have it."""
    if not 1 <= value <= MAX_ID:
        abort(404)
    return value


def task_id(value: str) -> str:
    """A task id from the path (a SpiffWorkflow task UUID): 404 if it cannot be one."""
    if not TASK_ID.fullmatch(value):
        abort(404)
    return value


def integer(source: MultiDict, name: str, *, minimum: int = 1, maximum: int = MAX_ID,
            default: int | None = None) -> int | None:
    """A whole number parameter between `minimum` and `maximum`; `default` when absent or
    empty."""
    raw = source.get(name, "").strip()
    if raw == "":
        return default
    if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        bad_request(_("参数 {name} 应为 {low} 到 {high} 之间的整数。", name=name, low=minimum,
                      high=maximum))
    return int(raw)


def code(source: MultiDict, name: str, allowed=None) -> str:
    """A code the system stores (status, step, process id); "" when absent. `allowed`, if
    given, lists every valid code."""
    raw = source.get(name, "").strip()
    if raw and (not _CODE.fullmatch(raw) or (allowed is not None and raw not in allowed)):
        bad_request(_("参数 {name} 的值无效。", name=name))
    return raw


def one_of(source: MultiDict, name: str, allowed) -> str:
    """A value from a fixed list (a field of `vocabulary.FIELDS`, say); "" when absent."""
    raw = source.get(name, "").strip()
    if raw and raw not in allowed:
        bad_request(_("参数 {name} 的值无效。", name=name))
    return raw


def text(source: MultiDict, name: str, *, limit: int) -> str:
    """A line of free text (a filter, a name) checked by the text rules; "" when absent."""
    value = clean(source.get(name, ""))
    found = problem(value, limit=limit, required=False)
    if found:
        bad_request(_("参数 {name} 无效：{reason}", name=name, reason=label(found)))
    return value


__all__ = ["MAX_ID", "TASK_ID", "bad_request", "code", "integer", "one_of", "row_id", "task_id", "text"]
