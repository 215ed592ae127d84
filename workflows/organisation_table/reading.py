"""Reading the organisation workbook: which worksheet is which, its headers and its rows.

The file is opened by ``workflows.workbook_files`` (old .xls, non-workbooks, zip bombs and DTDs
refused). Nothing here looks at the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..assignment_table.columns import display, norm
from ..workbook_files import is_empty, open_workbook
from .columns import HEADERS, MAX_ROWS, SHEET_ALIASES, OrgCellError, Sheet, error


@dataclass
class Row:
    """One data row: its number in the worksheet, raw values and text by column key."""

    sheet: Sheet
    number: int
    raw: dict[str, Any]
    headers: dict[str, str]  # column key -> header as written
    errors: dict[str, OrgCellError] = field(default_factory=dict)

    def text(self, key: str) -> str:
        return display(self.raw.get(key))

    def header(self, key: str) -> str:
        return self.headers.get(key, self.sheet.column(key).zh)

    def fail(self, key: str, message: str, english: str) -> None:
        """Record a problem of a cell; several in one cell become one error."""
        found = self.errors.get(key)
        if found:
            found.message += "；" + message
            found.english += "; " + english
            return
        self.errors[key] = error(self.sheet, self.number, self.header(key), self.text(key),
                                 message, english)


def read(data: bytes | str | Path) -> tuple[dict[str, list[Row]], list[OrgCellError]]:
    """The rows of each known worksheet (by sheet key) and the file's or headers' errors."""
    workbook, refused = open_workbook(data)
    if workbook is None:
        return {}, [OrgCellError(0, "", "", *refused)]
    try:
        found: dict[str, list[Row]] = {}
        errors: list[OrgCellError] = []
        for ws in workbook.worksheets:
            sheet = SHEET_ALIASES.get(norm(ws.title))
            if sheet is None:
                continue  # help sheets, notes
            if sheet.key in found:
                errors.append(error(sheet, 0, "", ws.title, f"重复的工作表：{ws.title}",
                                    f"duplicate worksheet: {ws.title}"))
                continue
            found[sheet.key] = _rows(sheet, ws.iter_rows(values_only=True), errors)
    finally:
        workbook.close()
    if not errors and not any(found.values()):
        names = "、".join(s.zh for s in SHEET_ALIASES.values())
        errors.append(OrgCellError(0, "", "", f"文件中没有可导入的数据（工作表应为：{names}）",
                                   "the file holds no rows to import (worksheets: units, "
                                   "divisions, deputies, sessions, users)"))
    return found, errors


def _rows(sheet: Sheet, rows, errors: list[OrgCellError]) -> list[Row]:
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or is_empty(header):
        errors.append(error(sheet, 1, "", "", "第一行应为表头，但为空",
                            "row 1 must hold the headers, but it is empty"))
        return []
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header):
        written = display(cell)
        key = HEADERS[sheet.key].get(norm(written)) if written else None
        if key is None:
            continue
        if key in positions:
            errors.append(error(sheet, 1, written, written, f"重复的列：{written}",
                                f"duplicate column: {written}"))
            continue
        positions[key], headers[key] = index, written
    missing = [c for c in sheet.columns if c.required and c.key not in positions]
    for column in missing:
        errors.append(error(sheet, 1, column.zh, "", f"缺少必填列：{column.zh}",
                            f"missing required column: {column.key}"))
    if missing:
        return []
    result = []
    for number, values in enumerate(iterator, start=2):
        if is_empty(values):
            continue
        if len(result) >= MAX_ROWS:
            errors.append(error(sheet, number, "", "", f"数据行超过{MAX_ROWS}行的上限",
                                f"more than {MAX_ROWS} data rows"))
            break
        raw = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        result.append(Row(sheet, number, raw, headers))
    return result
