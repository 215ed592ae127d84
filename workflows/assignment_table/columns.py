"""The assignment table's columns, the row and error types, and how a cell's value is read.

Everything here is shared by the reading, the checks and the template; the format itself is
described in the package docstring (``workflows.assignment_table``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Callable, Optional

from models import vocabulary
from models.text import clean

from ..text import SUGGESTION as TEXT_RULES

MAX_ROWS = 5000
MAX_TITLE = TEXT_RULES["title"].limit
MAX_SHORT = TEXT_RULES["field"].limit  # field, special committee (database column widths)
MAX_NUMBER = 2**31 - 1  # suggestion numbers are PostgreSQL integers

MODES = vocabulary.MODES.codes
MODE_LABELS = vocabulary.MODES.labels()
# What the 办理方式 cell may say: a mode's Chinese label, another spelling of it, or its code.
MODE_ALIASES = {**{name: t.code for t in vocabulary.MODES for name in (t.zh, *t.aliases)},
                **{t.code: t.code for t in vocabulary.MODES}}
# The list the template offers and the error names: 主办+会办、分办、独办、并案.
MODE_CHOICES = tuple(t.zh for t in vocabulary.MODES)
TRUE = {"是", "yes", "y", "true", "1"}
FALSE = {"否", "no", "n", "false", "0", ""}
_LIST_SPLIT = re.compile(r"[、,，;；\r\n]+")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    required: bool


#: Every column in template order: English key → (Chinese header, required column).
COLUMNS: tuple[Column, ...] = (
    Column("number", "建议号", True),
    Column("title", "标题", True),
    Column("lead_deputy", "领衔代表", True),
    Column("co_signers", "联名代表", False),
    Column("electoral_unit", "选举单位", True),
    Column("field", "领域", True),
    Column("mode", "办理方式", True),
    Column("lead_unit", "主办单位", True),
    Column("co_units", "会办单位", False),
    Column("key", "重点建议", False),
    Column("supervising_leader", "督办领导", False),
    Column("special_committee", "专门委员会", False),
    Column("merged_with", "并案建议号", False),
    Column("body", "建议内容", False),
)
BY_KEY = {c.key: c for c in COLUMNS}

#: The example row of :func:`template_workbook` (English key → cell value).
TEMPLATE_EXAMPLE: dict[str, Any] = {
    "number": 1,
    "title": "关于加快推进城乡公交一体化的建议",
    "lead_deputy": "张三",
    "co_signers": "李四、王五",
    "electoral_unit": "杭州市",
    "field": "交通",
    "mode": "主办+会办",
    "lead_unit": "省交通运输厅",
    "co_units": "省财政厅、省发展改革委",
    "key": "否",
    "supervising_leader": "",
    "special_committee": "",
    "merged_with": "",
    "body": "建议加快推进城乡公交一体化，提高农村客运服务水平。",
}


@dataclass
class ImportRow:
    """One valid suggestion row with its assignment; unit fields hold unit codes."""

    row: int
    number: int
    title: str
    body: str
    lead_deputy: str
    co_signers: list[str]
    electoral_unit: str
    field: str
    mode: str  # lead_co | separate | sole | merged
    lead_unit: str
    co_units: list[str]
    key: bool
    supervising_leader: Optional[str]
    special_committee: Optional[str]
    merged_with: list[int]


@dataclass
class CellError:
    """One problem in one cell: ``row`` 0 is the file itself, 1 the header row."""

    row: int
    column: str
    value: str
    message: str
    english: str = ""


@dataclass
class Lookups:
    """What the validation needs to know about the database, supplied by the caller.

    ``unit_code`` maps a unit name or code to its code (None if unknown);
    ``deputy_electoral_unit`` maps a deputy name to their electoral unit (None if unknown);
    ``leader_known`` tells whether a provincial leader of that name exists;
    ``existing_numbers`` are the suggestion numbers already registered in this session.
    """

    unit_code: Callable[[str], Optional[str]]
    deputy_electoral_unit: Callable[[str], Optional[str]]
    leader_known: Callable[[str], bool]
    existing_numbers: set[int] = field(default_factory=set)


# --------------------------------------------------------------------------- cell values

def norm(text: str) -> str:
    """Header/code normalisation: NFKC, lower case, no whitespace, underscores or hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s_\-]+", "", text)


def display(value: Any) -> str:
    """A cell value as the user sees it (used in error messages and as text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return clean(str(value))


def split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


def parse_int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"[+]?\d+", text):
            return int(text)
    return None


MODE_ALIASES = {norm(alias): mode for alias, mode in MODE_ALIASES.items()}
HEADER_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    HEADER_ALIASES[norm(_c.zh)] = _c.key
    HEADER_ALIASES[norm(_c.key)] = _c.key
