"""Bulk import for the assignment meeting (交办会): parsing and validation of the .xlsx sheet.

One row of the first worksheet is one suggestion with its assignment (交办). This module only
reads and checks the file: it never touches the database. Every lookup it needs (units,
deputies, leaders, numbers already registered) is passed in as a :class:`Lookups`.

Columns (header in row 1, Chinese header or English key, case/whitespace-insensitive, any order):

============  ==================  ========  ==================================================
Chinese        English             required  content
============  ==================  ========  ==================================================
建议号          number              yes       positive integer, unique in the file and session
标题            title               yes       at most 255 characters
领衔代表        lead_deputy         yes       a known deputy
联名代表        co_signers          no        known deputies, separated by 、 , ， ; ；
选举单位        electoral_unit      yes       must be the lead deputy's electoral unit
领域            field               yes       free text (交通, 教育 …), at most 64 characters
办理方式        mode                yes       主办+会办 / 主办会办 / 分办 / 独办 / 并案 or
                                              lead_co / separate / sole / merged
主办单位        lead_unit           yes       a unit name or code (see the modes below)
会办单位        co_units            no        unit names or codes, separated like 联名代表
重点建议        key                 no        是/否/yes/no/true/false/1/0; empty means no
督办领导        supervising_leader  no        required for a key suggestion, empty otherwise
专门委员会      special_committee   no        free text, at most 64 characters
并案建议号      merged_with         no        numbers of suggestions in this file (并案 only)
建议内容        body                no        text of at most 20,000 characters; empty means
                                              "use the title"
============  ==================  ========  ==================================================

Modes:

* ``lead_co`` (主办+会办): one lead unit and at least one co-handling unit.
* ``separate`` (分办): every unit replies on its own. The first unit is the 主办单位 cell (which may
  itself list several units); the others are the 会办单位 cell. ``ImportRow.lead_unit`` is the
  first unit, ``ImportRow.co_units`` the others; there must be at least two units in all.
* ``sole`` (独办): one lead unit, no co-handling units.
* ``merged`` (并案): identical suggestions handled together. The main row lists in 并案建议号 the
  numbers of the other rows of this file merged into it; each of those rows must also have the
  mode 并案, the same lead unit, and no 并案建议号 of its own (no chains); a row can be merged
  into one main row only. A 并案 row that neither lists numbers nor is listed is an error.

Title, field, committee and text follow the text rules (``workflows.text``): no control or
bidirectional-control characters, not blank, no line break except in the text.

A unit may not appear twice in one suggestion (in particular not as both lead and co-handling
unit). Files are limited to :data:`MAX_ROWS` data rows.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from models.text import clean

from . import labels
from .text import SUGGESTION as TEXT_RULES
from .xlsx import fit_cell

__all__ = [
    "MAX_ROWS", "MODES", "COLUMNS", "TEMPLATE_EXAMPLE",
    "ImportRow", "CellError", "Lookups",
    "parse_workbook", "error_report", "template_workbook",
]

MAX_ROWS = 5000
MAX_TITLE = TEXT_RULES["title"].limit
MAX_SHORT = TEXT_RULES["field"].limit  # field, special committee (database column widths)
MAX_NUMBER = 2**31 - 1  # suggestion numbers are PostgreSQL integers

MODES = ("lead_co", "separate", "sole", "merged")
MODE_LABELS = {"lead_co": "主办+会办", "separate": "分办", "sole": "独办", "merged": "并案"}
_MODE_ALIASES = {
    "主办+会办": "lead_co", "主办会办": "lead_co", "分办": "separate", "独办": "sole",
    "并案": "merged", "lead_co": "lead_co", "separate": "separate", "sole": "sole",
    "merged": "merged",
}
_TRUE = {"是", "yes", "y", "true", "1"}
_FALSE = {"否", "no", "n", "false", "0", ""}
_LIST_SPLIT = re.compile(r"[、,，;；\r\n]+")


@dataclass(frozen=True)
class _Column:
    key: str
    zh: str
    required: bool


#: Every column in template order: English key → (Chinese header, required column).
COLUMNS: tuple[_Column, ...] = (
    _Column("number", "建议号", True),
    _Column("title", "标题", True),
    _Column("lead_deputy", "领衔代表", True),
    _Column("co_signers", "联名代表", False),
    _Column("electoral_unit", "选举单位", True),
    _Column("field", "领域", True),
    _Column("mode", "办理方式", True),
    _Column("lead_unit", "主办单位", True),
    _Column("co_units", "会办单位", False),
    _Column("key", "重点建议", False),
    _Column("supervising_leader", "督办领导", False),
    _Column("special_committee", "专门委员会", False),
    _Column("merged_with", "并案建议号", False),
    _Column("body", "建议内容", False),
)
_BY_KEY = {c.key: c for c in COLUMNS}

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


# --------------------------------------------------------------------------- helpers

def _norm(text: str) -> str:
    """Header/code normalisation: NFKC, lower case, no whitespace, underscores or hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s_\-]+", "", text)


_MODE_ALIASES = {_norm(alias): mode for alias, mode in _MODE_ALIASES.items()}
_HEADER_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    _HEADER_ALIASES[_norm(_c.zh)] = _c.key
    _HEADER_ALIASES[_norm(_c.key)] = _c.key


def _display(value: Any) -> str:
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


def _split(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


def _parse_int(value: Any) -> Optional[int]:
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


def _cached(func: Callable[[str], Any]) -> Callable[[str], Any]:
    cache: dict[str, Any] = {}

    def wrapper(name: str) -> Any:
        if name not in cache:
            cache[name] = func(name)
        return cache[name]
    return wrapper


def _file_error(message: str, english: str) -> tuple[list[ImportRow], list[CellError]]:
    return [], [CellError(0, "", "", message, english)]


# --------------------------------------------------------------------------- row state

@dataclass
class _Parsed:
    """One data row while it is being checked (before the cross-row checks)."""

    row: int
    raw: dict[str, Any]
    errors: dict[str, CellError] = field(default_factory=dict)
    number: Optional[int] = None
    mode: Optional[str] = None
    lead_code: Optional[str] = None
    lead_ok: bool = False  # lead unit cell valid and known
    merged_with: list[int] = field(default_factory=list)
    merged_ok: bool = True
    values: dict[str, Any] = field(default_factory=dict)


class _Checker:
    def __init__(self, headers: dict[str, str], lookups: Lookups):
        self.headers = headers  # key → header as written
        self.unit_code = _cached(lookups.unit_code)
        self.deputy_unit = _cached(lookups.deputy_electoral_unit)
        self.leader_known = _cached(lookups.leader_known)
        self.existing = set(lookups.existing_numbers)

    def column(self, key: str) -> str:
        return self.headers.get(key, _BY_KEY[key].zh)

    def error(self, p: _Parsed, key: str, message: str, english: str) -> None:
        """Record a problem; several problems in one cell become one CellError."""
        found = p.errors.get(key)
        if found:
            found.message += "；" + message
            found.english += "; " + english
            return
        p.errors[key] = CellError(p.row, self.column(key), _display(p.raw.get(key)),
                                  message, english)

    def text(self, p: _Parsed, key: str) -> Optional[str]:
        """The cell's text; None when a required column is missing (value unknown)."""
        if key not in self.headers:
            return None if _BY_KEY[key].required else ""
        return _display(p.raw.get(key))

    # ---- single-row checks

    def check_row(self, p: _Parsed) -> None:
        self._number(p)
        title = self.text(p, "title")
        if title == "":
            self.error(p, "title", "标题不能为空", "title is required")
        elif title is not None:
            self._follows_rule(p, "title", title)
        p.values["title"] = title
        body = self.text(p, "body")
        if body:
            self._follows_rule(p, "body", body)
        p.values["body"] = body or title
        self._deputies(p)
        fld = self.text(p, "field")
        if fld == "":
            self.error(p, "field", "领域不能为空", "field is required")
        elif fld is not None:
            self._follows_rule(p, "field", fld)
        p.values["field"] = fld
        self._mode(p)
        self._units(p)
        self._key(p)
        committee = self.text(p, "special_committee")
        if committee:
            self._follows_rule(p, "special_committee", committee)
        p.values["special_committee"] = committee or None
        self._merged_with(p)

    def _follows_rule(self, p: _Parsed, key: str, value: str) -> None:
        """The text rules of the suggestion's field (length, characters, blank)."""
        why = TEXT_RULES[key].problem(value)
        if why:
            zh, en = labels.split(why)
            self.error(p, key, f"{_BY_KEY[key].zh}{zh}", f"{key}: {en}")

    def _number(self, p: _Parsed) -> None:
        if "number" not in self.headers:
            return
        raw = p.raw.get("number")
        shown = _display(raw)
        if shown == "":
            self.error(p, "number", "建议号不能为空", "number is required")
            return
        number = _parse_int(raw)
        if number is None:
            self.error(p, "number", f"建议号必须是整数：{shown}",
                       f"number must be an integer: {shown}")
            return
        if number <= 0:
            self.error(p, "number", f"建议号必须是正整数：{shown}",
                       f"number must be a positive integer: {shown}")
            return
        if number > MAX_NUMBER:
            self.error(p, "number", f"建议号不能大于{MAX_NUMBER}：{shown}",
                       f"number may not exceed {MAX_NUMBER}: {shown}")
            return
        p.number = number
        if number in self.existing:
            self.error(p, "number", f"第{number}号建议已在本次会议登记",
                       f"suggestion number {number} is already registered in this session")

    def _deputies(self, p: _Parsed) -> None:
        lead = self.text(p, "lead_deputy")
        lead_unit: Optional[str] = None
        if lead == "":
            self.error(p, "lead_deputy", "领衔代表不能为空", "lead deputy is required")
        elif lead is not None:
            lead_unit = self.deputy_unit(lead)
            if lead_unit is None:
                self.error(p, "lead_deputy", f"未知的代表：{lead}", f"unknown deputy: {lead}")
        p.values["lead_deputy"] = lead

        electoral = self.text(p, "electoral_unit")
        if electoral == "":
            self.error(p, "electoral_unit", "选举单位不能为空", "electoral unit is required")
        elif electoral is not None and lead_unit is not None \
                and _norm(electoral) != _norm(lead_unit):
            self.error(p, "electoral_unit",
                       f"选举单位与领衔代表{lead}的选举单位（{lead_unit}）不一致：{electoral}",
                       f"electoral unit {electoral} does not match lead deputy {lead}'s "
                       f"electoral unit ({lead_unit})")
        p.values["electoral_unit"] = electoral

        names = _split(self.text(p, "co_signers") or "")
        unknown = [n for n in names if self.deputy_unit(n) is None]
        if unknown:
            self.error(p, "co_signers", f"未知的代表：{'、'.join(unknown)}",
                       f"unknown deputy: {', '.join(unknown)}")
        if lead and lead in names:
            self.error(p, "co_signers", f"联名代表不能包含领衔代表：{lead}",
                       f"co-signers may not include the lead deputy: {lead}")
        dups = sorted({n for n in names if names.count(n) > 1}, key=names.index)
        if dups:
            self.error(p, "co_signers", f"联名代表重复：{'、'.join(dups)}",
                       f"co-signer listed twice: {', '.join(dups)}")
        p.values["co_signers"] = names

    def _mode(self, p: _Parsed) -> None:
        text = self.text(p, "mode")
        if text is None:
            return
        if text == "":
            self.error(p, "mode", "办理方式不能为空", "handling mode is required")
            return
        mode = _MODE_ALIASES.get(_norm(text))
        if mode is None:
            self.error(p, "mode",
                       f"未知的办理方式：{text}（应为主办+会办、分办、独办或并案）",
                       f"unknown handling mode: {text} (expected lead_co, separate, sole "
                       f"or merged)")
            return
        p.mode = mode

    def _resolve(self, names: list[str]) -> tuple[list[str], list[str]]:
        """Unit names/codes → (codes of the known ones, the unknown names)."""
        codes, unknown = [], []
        for name in names:
            code = self.unit_code(name)
            if code is None:
                unknown.append(name)
            else:
                codes.append(code)
        return codes, unknown

    def _units(self, p: _Parsed) -> None:
        lead_text = self.text(p, "lead_unit")
        co_names = _split(self.text(p, "co_units") or "")
        lead_names = _split(lead_text) if lead_text else []
        mode = p.mode

        lead_codes, lead_unknown = self._resolve(lead_names)
        co_codes, co_unknown = self._resolve(co_names)
        if lead_unknown:
            self.error(p, "lead_unit", f"未知的承办单位：{'、'.join(lead_unknown)}",
                       f"unknown handling unit: {', '.join(lead_unknown)}")
        if co_unknown:
            self.error(p, "co_units", f"未知的承办单位：{'、'.join(co_unknown)}",
                       f"unknown handling unit: {', '.join(co_unknown)}")

        if lead_text == "":
            if mode == "separate":
                self.error(p, "lead_unit", "分办须在主办单位列填写第一个承办单位",
                           "separate handling: put the first unit in the lead unit column")
            else:
                self.error(p, "lead_unit", "主办单位不能为空", "lead unit is required")
        elif len(lead_names) > 1 and mode is not None and mode != "separate":
            self.error(p, "lead_unit",
                       f"{MODE_LABELS[mode]}只能填写一个主办单位：{lead_text}",
                       f"{mode}: only one lead unit allowed: {lead_text}")

        # duplicates: lead-cell duplicates on the lead cell, the rest on the co cell
        seen: dict[str, str] = {}
        for name, cell in [(n, "lead_unit") for n in lead_names] + \
                          [(n, "co_units") for n in co_names]:
            code = self.unit_code(name)
            if code is None:
                continue
            if code in seen:
                first = seen[code]
                if cell == "co_units" and first == "lead" and mode != "separate":
                    self.error(p, cell, f"{name}不能同时是主办单位和会办单位",
                               f"{name} cannot be both lead and co-handling unit")
                else:
                    self.error(p, cell, f"承办单位重复：{name}",
                               f"handling unit listed twice: {name}")
            else:
                seen[code] = "lead" if cell == "lead_unit" else "co"

        if mode == "sole" and co_names:
            self.error(p, "co_units", "独办不能填写会办单位",
                       "sole handling takes no co-handling units")
        if mode == "lead_co" and not co_names:
            self.error(p, "co_units", "主办+会办须至少填写一个会办单位",
                       "lead + co-handling needs at least one co-handling unit")
        if mode == "separate" and lead_text is not None and len(lead_names) + len(co_names) < 2:
            self.error(p, "co_units", "分办须至少填写两个承办单位",
                       "separate handling needs at least two units")

        all_codes = list(dict.fromkeys(lead_codes + co_codes))
        if mode == "separate":
            p.lead_code = all_codes[0] if all_codes else None
            p.values["co_units"] = all_codes[1:]
        else:
            p.lead_code = lead_codes[0] if lead_codes else None
            p.values["co_units"] = [c for c in dict.fromkeys(co_codes) if c != p.lead_code]
        p.lead_ok = p.lead_code is not None and "lead_unit" not in p.errors

    def _key(self, p: _Parsed) -> None:
        raw = p.raw.get("key") if "key" in self.headers else None
        if isinstance(raw, bool):
            key: Optional[bool] = raw
        else:
            token = _norm(_display(raw))
            key = True if token in _TRUE else False if token in _FALSE else None
        if key is None:
            self.error(p, "key", f"重点建议应填“是”或“否”：{_display(raw)}",
                       f"key suggestion must be yes or no: {_display(raw)}")
        p.values["key"] = bool(key)
        leader = self.text(p, "supervising_leader")
        if key is True:
            if not leader:
                self.error(p, "supervising_leader", "重点建议须填写督办领导",
                           "a key suggestion needs a supervising leader")
            elif not self.leader_known(leader):
                self.error(p, "supervising_leader", f"未知的督办领导：{leader}",
                           f"unknown supervising leader: {leader}")
        elif key is False and leader:
            self.error(p, "supervising_leader", "非重点建议不能填写督办领导",
                       "only key suggestions have a supervising leader")
        p.values["supervising_leader"] = leader or None

    def _merged_with(self, p: _Parsed) -> None:
        text = self.text(p, "merged_with") or ""
        tokens = _split(text)
        bad = []
        for token in tokens:
            number = _parse_int(token)
            if number is None or not 0 < number <= MAX_NUMBER:
                bad.append(token)
            elif number not in p.merged_with:
                p.merged_with.append(number)
        if bad:
            p.merged_ok = False
            self.error(p, "merged_with", f"并案建议号必须是正整数：{'、'.join(bad)}",
                       f"merged suggestion numbers must be positive integers: "
                       f"{', '.join(bad)}")
        if tokens and p.mode is not None and p.mode != "merged":
            p.merged_ok = False
            self.error(p, "merged_with", "只有办理方式为并案的建议才能填写并案建议号",
                       "only merged suggestions may list merged suggestion numbers")

    # ---- cross-row checks

    def check_file(self, parsed: list[_Parsed]) -> None:
        by_number: dict[int, _Parsed] = {}
        for p in parsed:
            if p.number is None:
                continue
            first = by_number.get(p.number)
            if first is None:
                by_number[p.number] = p
            elif "number" not in p.errors:
                self.error(p, "number", f"建议号{p.number}与第{first.row}行重复",
                           f"number {p.number} duplicates row {first.row}")

        mentioned = {n for p in parsed for n in p.merged_with}
        claimed: dict[int, _Parsed] = {}
        for p in parsed:
            if not p.merged_with or not p.merged_ok or p.mode != "merged":
                continue
            for n in p.merged_with:
                q = by_number.get(n)
                if n == p.number:
                    self.error(p, "merged_with", f"不能与自身并案：{n}",
                               f"a suggestion cannot be merged with itself: {n}")
                elif q is None:
                    self.error(p, "merged_with", f"并案建议号不在本文件中：{n}",
                               f"merged suggestion number not in this file: {n}")
                elif q.mode is not None and q.mode != "merged":
                    self.error(p, "merged_with", f"第{n}号建议的办理方式不是并案",
                               f"suggestion {n} does not have the merged handling mode")
                elif q.merged_with:
                    self.error(p, "merged_with",
                               f"第{n}号建议本身填写了并案建议号，不能多级并案",
                               f"suggestion {n} lists merged suggestions itself "
                               f"(no chains)")
                elif n in claimed:
                    self.error(p, "merged_with",
                               f"第{n}号建议已并入第{claimed[n].number}号建议",
                               f"suggestion {n} is already merged into "
                               f"{claimed[n].number}")
                else:
                    claimed[n] = p
                    if p.lead_ok and q.lead_ok and p.lead_code != q.lead_code:
                        self.error(q, "lead_unit",
                                   f"主办单位与并案主建议第{p.number}号不一致",
                                   f"lead unit differs from the main merged suggestion "
                                   f"{p.number}")
        for p in parsed:
            if p.mode == "merged" and not p.merged_with and "merged_with" not in p.errors \
                    and (p.number is None or p.number not in mentioned):
                self.error(p, "merged_with",
                           "并案建议须填写并案建议号，或被其他并案建议列入",
                           "a merged suggestion must list merged suggestion numbers or be "
                           "listed by another merged suggestion")

    def build(self, p: _Parsed) -> ImportRow:
        v = p.values
        return ImportRow(
            row=p.row, number=p.number, title=v["title"], body=v["body"],
            lead_deputy=v["lead_deputy"], co_signers=v["co_signers"],
            electoral_unit=v["electoral_unit"], field=v["field"], mode=p.mode,
            lead_unit=p.lead_code, co_units=v["co_units"], key=v["key"],
            supervising_leader=v["supervising_leader"],
            special_committee=v["special_committee"], merged_with=list(p.merged_with))


# --------------------------------------------------------------------------- public API

def _read_bytes(data: bytes | str | Path) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    return Path(data).read_bytes()


def parse_workbook(data: bytes | str | Path,
                   lookups: Lookups) -> tuple[list[ImportRow], list[CellError]]:
    """Read and validate an assignment-meeting sheet (the first worksheet of an .xlsx file).

    ``data`` is the file's content, or a path to it (read from disk; an unreadable path raises
    ``OSError``). Fully empty rows are skipped. Returns ``(rows, errors)``:

    * ``errors`` lists EVERY problem found — one :class:`CellError` per bad cell (several
      problems in one cell are joined in its message), in row order; a missing required column
      is reported once, on row 1; a file that is not an .xlsx workbook gives one error on row 0.
    * ``rows`` are the rows that had no problem of their own, for preview.

    **If ``errors`` is not empty the caller must import nothing** (the import is all or
    nothing); show the errors, or offer :func:`error_report` for download, and let the user fix
    the file and upload it again.
    """
    content = _read_bytes(data)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _file_error("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后再上传",
                           "old Excel (.xls) files are not supported: save as .xlsx")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return _file_error("文件不是 Excel 工作簿（.xlsx），请使用导入模板",
                           "the file is not an Excel workbook (.xlsx): use the template")
    if not _safe_package(content):
        return _file_error("文件含有不允许的内容（DTD/实体声明或解压后过大），请使用导入模板",
                           "the file has forbidden content (DTD/entities or too large unpacked)")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any zip that openpyxl cannot read is the user's file
        return _file_error("无法读取该文件：不是有效的 Excel 工作簿（.xlsx）",
                           "cannot read the file: not a valid Excel workbook (.xlsx)")
    try:
        return _parse_sheet(workbook.worksheets[0].iter_rows(values_only=True), lookups)
    finally:
        workbook.close()


MAX_UNPACKED = 100 * 1024 * 1024


def _safe_package(content: bytes) -> bool:
    """No XML part declares a DTD or entity (XXE, entity bombs) and the parts unpack to at most
    MAX_UNPACKED bytes (zip bombs). zipfile never reads past a member's declared size."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        members = package.infolist()
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            return False
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")):
                head = package.read(member).upper()
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    return False
    return True


def _is_empty(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _parse_sheet(rows: Iterable[tuple], lookups: Lookups
                 ) -> tuple[list[ImportRow], list[CellError]]:
    errors: list[CellError] = []
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or _is_empty(header):
        return [], [CellError(1, "", "", "第一行应为表头，但文件为空或第一行为空",
                              "row 1 must hold the headers, but it is empty")]

    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header):
        written = _display(cell)
        if not written:
            continue
        key = _HEADER_ALIASES.get(_norm(written))
        if key is None:
            continue  # extra columns (notes, serial numbers …) are ignored
        if key in positions:
            errors.append(CellError(1, written, written,
                                    f"重复的列：{written}（与“{headers[key]}”相同）",
                                    f"duplicate column: {written} (same as {headers[key]})"))
            continue
        positions[key] = index
        headers[key] = written
    for column in COLUMNS:
        if column.required and column.key not in positions:
            errors.append(CellError(1, column.zh, "", f"缺少必填列：{column.zh}",
                                    f"missing required column: {column.key}"))

    header_failed = bool(errors)
    checker = _Checker(headers, lookups)
    parsed: list[_Parsed] = []
    for row_number, values in enumerate(iterator, start=2):
        if _is_empty(values):
            continue
        if len(parsed) >= MAX_ROWS:
            errors.append(CellError(row_number, "", "",
                                    f"数据行超过{MAX_ROWS}行的上限，请分批导入",
                                    f"more than {MAX_ROWS} data rows: split the file"))
            break
        raw = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        p = _Parsed(row=row_number, raw=raw)
        checker.check_row(p)
        parsed.append(p)

    if not parsed:
        errors.append(CellError(2, "", "", "文件中没有建议数据",
                                "the file contains no suggestion rows"))
        return [], errors

    checker.check_file(parsed)
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    result: list[ImportRow] = []
    for p in parsed:
        if p.errors:
            errors.extend(error for _, error in
                          sorted(p.errors.items(), key=lambda item: order[item[0]]))
        elif not header_failed:  # with a column missing no row is complete
            result.append(checker.build(p))
    return result, errors


def _text_cell(ws, row: int, column: int, value: Any) -> None:
    """Write a value that must stay text (never a formula, even if it starts with '=')."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = fit_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
    else:
        cell.value = value


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report(errors: Iterable[CellError]) -> bytes:
    """An .xlsx listing the errors (行号, 列, 值, 问题, Problem) for the user to download."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "错误报告"
    for col, title in enumerate(("行号", "列", "值", "问题", "Problem"), start=1):
        _text_cell(ws, 1, col, title)
        ws.cell(row=1, column=col).font = Font(bold=True)
    for r, error in enumerate(errors, start=2):
        _text_cell(ws, r, 1, error.row)
        _text_cell(ws, r, 2, error.column)
        _text_cell(ws, r, 3, error.value)
        _text_cell(ws, r, 4, error.message)
        _text_cell(ws, r, 5, error.english)
    for letter, width in zip("ABCDE", (8, 14, 30, 60, 60)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    return _save(workbook)


_HELP = {
    "number": "必填。正整数，本文件及本次会议内不得重复",
    "title": f"必填。不超过{MAX_TITLE}个字",
    "lead_deputy": "必填。代表姓名",
    "co_signers": "选填。多个代表用“、”或逗号分隔",
    "electoral_unit": "必填。须与领衔代表的选举单位一致",
    "field": "必填。如交通、教育",
    "mode": "必填。主办+会办、分办、独办或并案",
    "lead_unit": "必填。单位名称或代码；分办时填第一个承办单位",
    "co_units": "选填。多个单位用“、”分隔；主办+会办至少一个；独办不填；分办填其余承办单位",
    "key": "选填。是/否，空白为否",
    "supervising_leader": "重点建议必填，非重点建议不填",
    "special_committee": "选填。对口督办的专门委员会",
    "merged_with": "仅并案：填写并入本建议的其他建议号（须在本文件中，办理方式均为并案）",
    "body": f"选填。不超过{TEXT_RULES['body'].limit}个字；空白时以标题为内容",
}


def template_workbook() -> bytes:
    """An import template: the Chinese headers and one example row (sheet 1), help (sheet 2)."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "交办建议"
    for col, column in enumerate(COLUMNS, start=1):
        _text_cell(ws, 1, col, column.zh)
        ws.cell(row=1, column=col).font = Font(bold=True, color="C00000" if column.required
                                               else "000000")
        value = TEMPLATE_EXAMPLE[column.key]
        if value not in ("", None):
            _text_cell(ws, 2, col, value)
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = \
            40 if column.key in ("title", "body") else 16
    ws.freeze_panes = "A2"
    letters = {c.key: ws.cell(row=1, column=i).column_letter for i, c in enumerate(COLUMNS, 1)}
    last = MAX_ROWS + 1
    mode_list = DataValidation(type="list", formula1='"主办+会办,分办,独办,并案"',
                               allow_blank=True)
    key_list = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(mode_list)
    ws.add_data_validation(key_list)
    mode_list.add(f"{letters['mode']}2:{letters['mode']}{last}")
    key_list.add(f"{letters['key']}2:{letters['key']}{last}")

    help_ws = workbook.create_sheet("填写说明")
    for col, title in enumerate(("列", "英文列名", "说明"), start=1):
        _text_cell(help_ws, 1, col, title)
        help_ws.cell(row=1, column=col).font = Font(bold=True)
    for r, column in enumerate(COLUMNS, start=2):
        _text_cell(help_ws, r, 1, column.zh)
        _text_cell(help_ws, r, 2, column.key)
        _text_cell(help_ws, r, 3, _HELP[column.key])
    help_ws.column_dimensions["A"].width = 14
    help_ws.column_dimensions["B"].width = 20
    help_ws.column_dimensions["C"].width = 80
    _text_cell(help_ws, len(COLUMNS) + 3, 1,
               f"每行一条建议，最多{MAX_ROWS}行；只读取第一个工作表；有任何错误时整个文件不导入。")
    return _save(workbook)
