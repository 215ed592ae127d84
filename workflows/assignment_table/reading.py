"""Opening an assignment table safely and walking its rows: the parser's entry point.

The file is the user's: an old .xls, a zip that is not a workbook, a zip bomb or an XML part with
a DTD are refused before openpyxl reads it (``_safe_package``). The header row maps the columns;
each data row is then checked on its own (``checking``) and all rows together (``cross_rows``).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, Iterable

from openpyxl import load_workbook

from .cells import Parsed
from .checking import Checker
from .columns import (COLUMNS, HEADER_ALIASES, MAX_ROWS, CellError, ImportRow, Lookups, display,
                      norm)
from .cross_rows import check_file


def _file_error(message: str, english: str) -> tuple[list[ImportRow], list[CellError]]:
    return [], [CellError(0, "", "", message, english)]


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

