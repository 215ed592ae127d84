"""Opening an assignment table safely and walking its rows: the parser's entry point.

The file is opened safely by ``workflows.workbook_files`` (shared with the organisation import). The header row maps the columns;
each data row is then checked on its own (``checking``) and all rows together (``cross_rows``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..workbook_files import is_empty as _is_empty
from ..workbook_files import open_workbook
from .cells import Parsed
from .checking import Checker
from .columns import (COLUMNS, HEADER_ALIASES, MAX_ROWS, CellError, ImportRow, Lookups, display,
                      norm)
from .cross_rows import check_file


def _file_error(message: str, english: str) -> tuple[list[ImportRow], list[CellError]]:
    return [], [CellError(0, "", "", message, english)]


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
    workbook, refused = open_workbook(data)
    if workbook is None:
        return _file_error(*refused)
    try:
        return _parse_sheet(workbook.worksheets[0].iter_rows(values_only=True), lookups)
    finally:
        workbook.close()


def _parse_sheet(rows: Iterable[tuple], lookups: Lookups
                 ) -> tuple[list[ImportRow], list[CellError]]:
    """The header row, then every data row: the errors in row order, a row's in column order."""
    errors: list[CellError] = []
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or _is_empty(header):
        return [], [CellError(1, "", "", "第一行应为表头，但文件为空或第一行为空",
                              "row 1 must hold the headers, but it is empty")]

    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header):
        written = display(cell)
        if not written:
            continue
        key = HEADER_ALIASES.get(norm(written))
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
    checker = Checker(headers, lookups)
    parsed: list[Parsed] = []
    for row_number, values in enumerate(iterator, start=2):
        if _is_empty(values):
            continue
        if len(parsed) >= MAX_ROWS:
            errors.append(CellError(row_number, "", "",
                                    f"数据行超过{MAX_ROWS}行的上限，请分批导入",
                                    f"more than {MAX_ROWS} data rows: split the file"))
            break
        raw = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        p = Parsed(row=row_number, raw=raw)
        checker.check_row(p)
        parsed.append(p)

    if not parsed:
        errors.append(CellError(2, "", "", "文件中没有建议数据",
                                "the file contains no suggestion rows"))
        return [], errors

    check_file(checker, parsed)
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    result: list[ImportRow] = []
    for p in parsed:
        if p.errors:
            errors.extend(error for _, error in
                          sorted(p.errors.items(), key=lambda item: order[item[0]]))
        elif not header_failed:  # with a column missing no row is complete
            result.append(checker.build(p))
    return result, errors

