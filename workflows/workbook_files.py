"""Opening a workbook someone uploaded, safely, and the report of its errors cell by cell.

Shared by the imports of `.xlsx` files (the assignment table, the organisation). The file is the
user's: an old .xls, a zip that is not a workbook, a zip bomb or an XML part with a DTD are
refused before openpyxl reads it. The error report and every workbook written back are written
cell by cell as text (never a formula, whatever the user typed), so a value that starts with
``=`` in an uploaded file cannot run in the report sent back.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .xlsx import fit_cell

MAX_UNPACKED = 100 * 1024 * 1024


def read_bytes(data: bytes | str | Path) -> bytes:
    """The file's content, given as bytes or as a path (an unreadable path raises OSError)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    return Path(data).read_bytes()


def open_workbook(data: bytes | str | Path):
    """(workbook, None) for a readable .xlsx (read-only, values only: close it when done), or
    (None, (Chinese, English)) saying why the file is refused."""
    content = read_bytes(data)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return None, ("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后再上传",
                      "old Excel (.xls) files are not supported: save as .xlsx")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return None, ("文件不是 Excel 工作簿（.xlsx），请使用导入模板",
                      "the file is not an Excel workbook (.xlsx): use the template")
    if not safe_package(content):
        return None, ("文件含有不允许的内容（DTD/实体声明或解压后过大），请使用导入模板",
                      "the file has forbidden content (DTD/entities or too large unpacked)")
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True), None
    except Exception:  # noqa: BLE001 - any zip that openpyxl cannot read is the user's file
        return None, ("无法读取该文件：不是有效的 Excel 工作簿（.xlsx）",
                      "cannot read the file: not a valid Excel workbook (.xlsx)")


def safe_package(content: bytes) -> bool:
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


def is_empty(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# ---- writing back ----
def text_cell(ws, row: int, column: int, value: Any) -> None:
    """Write a value that must stay text (never a formula, even if it starts with '=')."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = fit_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
    else:
        cell.value = value


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report(errors: Iterable[Any]) -> bytes:
    """An .xlsx listing the errors (行号, 列, 值, 问题, Problem) for the user to download; errors
    that name their worksheet (a `sheet` attribute) get a first column 工作表."""
    errors = list(errors)
    sheets = any(getattr(e, "sheet", None) is not None for e in errors)
    titles = (("工作表",) if sheets else ()) + ("行号", "列", "值", "问题", "Problem")
    workbook = Workbook()
    ws = workbook.active
    ws.title = "错误报告"
    for col, title in enumerate(titles, start=1):
        text_cell(ws, 1, col, title)
        ws.cell(row=1, column=col).font = Font(bold=True)
    for r, error in enumerate(errors, start=2):
        values = ((error.sheet or "",) if sheets else ()) + (
            error.row, error.column, error.value, error.message, error.english)
        for col, value in enumerate(values, start=1):
            text_cell(ws, r, col, value)
    widths = ((14,) if sheets else ()) + (8, 14, 30, 60, 60)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = width
    ws.freeze_panes = "A2"
    return save(workbook)


__all__ = ["MAX_UNPACKED", "error_report", "is_empty", "open_workbook", "read_bytes", "save",
           "safe_package", "text_cell"]
