"""Length and character rules for text that people type: the one place every form, task form,
import and restore asks.

A character is let in by an allow-list of Unicode categories: letters, marks, numbers,
punctuation, symbols, spaces and private-use characters (rare Chinese characters in names live
there), plus tab and newline. Everything else is refused with its position and code point:
control characters (NUL breaks PostgreSQL and SQLite's `length()`), the bidirectional controls
that make text display in another order than it is stored, surrogates, line separators and
unassigned code points. Text that holds nothing visible (spaces, zero-width characters,
fillers) is refused as blank.

Maximum lengths count characters, as PostgreSQL's `varchar(n)` does: a column's own width, or
one of the limits below for `Text` columns. Messages are "中文 (English)", shown in the reader's
language by the web app.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterator

EXCEL_CELL = 32_767  # the most characters an Excel cell holds
LONG_TEXT = 20_000  # a suggestion's text, a reply's answer, an opinion, a report
NOTE = 2_000  # reasons, notes, comments, participants

NEWLINES = "\n\r"
# The Unicode Bidi_Control characters: ALM, LRM, RLM, LRE..RLO, LRI..PDI.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Format characters that join or keep apart what is around them (emoji sequences, some
# scripts): allowed inside text, but they alone are not content.
JOINERS = frozenset("\u200b\u200c\u200d\u2060")
# Characters that show nothing although Unicode gives them a visible category (Hangul fillers,
# the blank Braille pattern): text of these and spaces alone is blank.
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800") | JOINERS
ALLOWED_CATEGORIES = ("L", "M", "N", "P", "S")
# Code points Unicode keeps for CJK ideographs (planes 2 and 3): characters newer than this
# Python's Unicode tables (new extensions of rare characters) are let in there.
_IDEOGRAPH_PLANES = range(0x20000, 0x40000)
# Most text is ASCII, CJK and their punctuation: checked by one regular expression.
_COMMON = re.compile(r"[\t\n\r\x20-\x7e\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e"
                     r"\u2010-\u2027\u2030-\u205e]*")


def limit_of(column) -> int | None:
    """The width of a `String(n)` column (an ORM attribute or a table column), else None."""
    if hasattr(column, "property"):  # an ORM attribute such as Suggestion.title
        column = column.property.columns[0]
    return getattr(column.type, "length", None)


def clean(value: str) -> str:
    """Typed text as it is kept: line ends as "\\n" (browsers send "\\r\\n"), no surrounding
    spaces."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _refused(char: str, multiline: bool) -> str | None:
    """Why one character is refused, or None."""
    if char in NEWLINES:
        return None if multiline else "newline"
    if char == "\t" or char in JOINERS:
        return None
    if char in BIDI:
        return "bidi"
    category = unicodedata.category(char)
    if category[0] in ALLOWED_CATEGORIES or category in ("Zs", "Co"):
        return None
    if category == "Cn" and ord(char) in _IDEOGRAPH_PLANES:
        return None
    return "control" if category == "Cc" else "other"


def is_blank(value: str) -> bool:
    """Nothing visible: only spaces, line ends, zero-width characters and fillers."""
    return all(ch.isspace() or ch in FILLERS for ch in value)


def problem(value: Any, *, limit: int | None, required: bool = True,
            multiline: bool = False) -> str | None:
    """Why `value` may not be kept as typed text, as "中文 (English)"; None if it may.

    `limit`: most characters (None: no limit of its own); `required`: empty is refused;
    `multiline`: line breaks allowed. Pass text through `clean` first.
    """
    if not isinstance(value, str):
        return "应为文本 (must be text)"
    if value == "":
        return "必填 (required)" if required else None
    if limit is not None and len(value) > limit:
        return (f"不能超过 {limit} 个字符，现有 {len(value)} 个 "
                f"(at most {limit} characters, {len(value)} given)")
    if not _COMMON.fullmatch(value) or (not multiline and any(c in value for c in NEWLINES)):
        # Each distinct character is judged once; the first refused one is reported.
        refused = {char: why for char in set(value)
                   if (why := _refused(char, multiline)) is not None}
        if refused:
            position, char = next((i, c) for i, c in enumerate(value, 1) if c in refused)
            return _message(refused[char], position, f"U+{ord(char):04X}")
    if is_blank(value):
        return "不能只有空白 (must not be blank)"
    return None


def _message(why: str, position: int, code: str) -> str:
    if why == "newline":
        return "不能换行 (must be a single line)"
    if why == "bidi":
        return (f"第 {position} 个字符 {code} 是改变文字显示顺序的控制符，不允许 "
                f"(character {position}, {code}, reorders how text is shown: not allowed)")
    if why == "control":
        return (f"第 {position} 个字符 {code} 是控制字符，不允许 "
                f"(character {position}, {code}, is a control character: not allowed)")
    return f"第 {position} 个字符 {code} 不允许 (character {position}, {code}, is not allowed)"


def strings(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in nested JSON-like data, with its path ("field", "field.0", ...)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, (list, tuple)):
        for index, value in enumerate(data):
            yield from strings(value, f"{path}.{index}" if path else str(index))


def storable(value: str) -> str | None:
    """Why a database could not hold `value` as text (NUL, lone surrogates), or None."""
    if "\x00" in value:
        return "contains NUL (U+0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        return f"contains {value[err.start]!r}, which is not valid Unicode text"
    return None


__all__ = ["BIDI", "EXCEL_CELL", "LONG_TEXT", "NOTE", "clean", "is_blank", "limit_of", "problem",
           "storable", "strings"]
