"""The English ledger writes its codes (mode, key flag, satisfaction, status, consultation) in
English, not only its headers; the Chinese ledger is unchanged (models.vocabulary)."""
from __future__ import annotations

import csv
import io
import re

import openpyxl

from models import vocabulary
from workflows import ledger

from .test_ledger import build

CODE_COLUMNS = ("mode", "key", "answer_class", "consulted", "satisfaction",
                "first_satisfaction", "status")
# Every Chinese word the ledger writes for a code.
CHINESE_LABELS = ({t.zh for codes in vocabulary.ALL for t in codes}
                  | {vocabulary.NOT_CONSULTED[0], *(zh for zh, _en in vocabulary.YES_NO.values())})
HAN = re.compile(r"[\u4e00-\u9fff]")


def _table(data: bytes) -> list[dict]:
    rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active
            .iter_rows(values_only=True)]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _without_units(value, units: set[str]) -> str:
    """The cell without the unit names it quotes (data, not codes)."""
    text = str(value or "")
    for unit in units:
        text = text.replace(unit, "")
    return text


def test_the_english_ledger_has_no_chinese_code_labels(db, domain_engine, org, clock):
    build(db, domain_engine, org)
    with db.session() as s:
        data = ledger.to_xlsx(ledger.rows(s, ledger.LedgerFilters(), clock(), english=True),
                              english=True)
        text = "".join(ledger.to_csv(ledger.rows(s, ledger.LedgerFilters(), clock(),
                                                 english=True), english=True))
    table = _table(data)
    headers = dict((key, en) for key, _zh, en in ledger.COLUMNS)
    units = {name for r in table for key in ("lead_unit", "co_units")
             for name in re.split(r", ", r[headers[key]] or "") if name}
    assert table and units
    for row in table:
        for key in CODE_COLUMNS:
            left = _without_units(row[headers[key]], units)
            assert not HAN.search(left), (key, row[headers[key]])
    first, second = table
    assert first[headers["mode"]] == "Lead + co-handling" and first[headers["key"]] == "Yes"
    assert first[headers["satisfaction"]] == \
        f"{first[headers['lead_unit']]}: Very satisfied; {first[headers['co_units']]}: " \
        "Basically satisfied"
    assert (second[headers["mode"]], second[headers["status"]], second[headers["consulted"]]) \
        == ("Sole handling", "Assigned", "Not consulted")
    parsed = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[headers["status"]] for r in parsed] == [r[headers["status"]] for r in table]


def test_the_chinese_ledger_keeps_its_chinese_labels(db, domain_engine, org, clock):
    build(db, domain_engine, org)
    with db.session() as s:
        default = ledger.to_xlsx(ledger.rows(s, ledger.LedgerFilters(), clock()))
        chinese = ledger.to_xlsx(ledger.rows(s, ledger.LedgerFilters(), clock(), english=False))
    assert _table(default) == _table(chinese)
    first, second = _table(chinese)
    assert (first["办理方式"], first["重点建议"], first["状态"]) == ("主办+会办", "是", "已答复")
    assert first["满意度"] == "省交通运输厅：非常满意；省财政厅：基本满意"
    assert (second["办理方式"], second["状态"], second["面商情况"]) == ("独办", "已交办", "未面商")
    for row in (first, second):
        for key in ("mode", "key", "status"):
            assert row[dict((k, zh) for k, zh, _en in ledger.COLUMNS)[key]] in CHINESE_LABELS
