"""A streaming .xlsx writer: rows go straight into the zip, so 100,000 rows take seconds.

openpyxl (even write-only) spends ~15 s on a 100,000-row ledger; this writes the minimal
Office Open XML package (workbook, one or more sheets of inline strings and numbers) itself.
Files open in Excel, WPS, LibreOffice and openpyxl.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import Iterable, Sequence
# Security review: escape() quotes the text we write; nothing is parsed here.
from xml.sax.saxutils import escape  # nosec B406

from models.text import EXCEL_CELL

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '{sheets}</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType='
               '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CUT = "…"


def fit_cell(text: str) -> str:
    """`text` cut to what one Excel cell holds (32,767 UTF-16 units; Excel refuses to open a
    file with a longer cell), marked with "…" where it was cut."""
    if len(text) <= EXCEL_CELL // 2 or len(text.encode("utf-16-le")) // 2 <= EXCEL_CELL:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1  # beyond the BMP: a surrogate pair
        if units > EXCEL_CELL - len(CUT):
            return text[:index] + CUT
    return text


def _cell(value, style: str) -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        value = "是" if value else "否"
    if isinstance(value, (int, float)):
        return f'<c{style}><v>{value}</v></c>'
    text = escape(fit_cell(_NOT_XML.sub("", str(value))))
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


def write(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook from (sheet name, header row, rows); the header is bold and frozen."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        names = []
        for number, (name, header, rows) in enumerate(sheets, start=1):
            names.append(name)
            with package.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                part.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                           b'2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
                           b'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView>'
                           b'</sheetViews><sheetData>')
                part.write(("<row>" + "".join(_cell(h, ' s="1"') for h in header)
                            + "</row>").encode())
                buffer = []
                for row in rows:
                    buffer.append("<row>" + "".join(_cell(v, "") for v in row) + "</row>")
                    if len(buffer) >= 1000:
                        part.write("".join(buffer).encode())
                        buffer.clear()
                part.write("".join(buffer).encode())
                part.write(b"</sheetData></worksheet>")
        package.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets="".join(
            _SHEET_TYPE.format(n=n) for n in range(1, len(names) + 1))))
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        package.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{escape(n[:31])}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, n in enumerate(names, start=1)) + "</sheets></workbook>"))
        package.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                      f'officeDocument/2006/relationships/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
            + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'))
    return out.getvalue()
