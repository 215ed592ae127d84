"""The ledger export follows the user's language: headers and code labels in English for an
English user, the Chinese ledger otherwise."""
from __future__ import annotations

import csv
import io

import openpyxl

from workflows import ledger

from .test_supervision import cases  # noqa: F401  (the fixture)


def test_an_english_user_downloads_the_english_ledger(cases, login_as):  # noqa: F811
    c = login_as("commission")
    c.get("/lang/en")
    rows = list(openpyxl.load_workbook(io.BytesIO(c.get("/supervision/ledger.xlsx").data))
                .active.iter_rows(values_only=True))
    assert list(rows[0]) == ledger.headers(english=True)
    record = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert [r["Mode"] for r in record] == ["Lead + co-handling", "Sole handling"]
    assert record[1]["Satisfaction"].endswith(": Dissatisfied")
    text = c.get("/supervision/ledger.csv").get_data(as_text=True)
    parsed = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["Mode"] for r in parsed] == ["Lead + co-handling", "Sole handling"]
    c.get("/lang/zh")
    rows = list(openpyxl.load_workbook(io.BytesIO(c.get("/supervision/ledger.xlsx").data))
                .active.iter_rows(values_only=True))
    assert rows[0][0] == "建议号" and [r[rows[0].index("办理方式")] for r in rows[1:]] == \
        ["主办+会办", "独办"]
