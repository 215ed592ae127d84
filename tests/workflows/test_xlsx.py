"""The streaming .xlsx writer produces files that openpyxl reads back exactly."""
from __future__ import annotations

import io
import warnings

import openpyxl

from workflows import xlsx


def test_sheets_headers_text_numbers_and_odd_characters_round_trip():
    data = xlsx.write([
        ("台账", ["建议号", "标题", "逾期天数"],
         [[1, "关于<城际>铁路 & 公交的建议", 0], [2, "控制字符\x01被去掉", 12.5], [3, None, True]]),
        ("第二页", ["a"], iter([["x"]])),
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a well-formed package raises no openpyxl warning
        book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["台账", "第二页"]
    rows = list(book["台账"].iter_rows(values_only=True))
    assert rows == [("建议号", "标题", "逾期天数"), (1, "关于<城际>铁路 & 公交的建议", 0),
                    (2, "控制字符被去掉", 12.5), (3, None, "是")]
    assert book["台账"]["A1"].font.b is True
    assert list(book["第二页"].iter_rows(values_only=True)) == [("a",), ("x",)]
