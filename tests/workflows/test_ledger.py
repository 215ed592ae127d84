"""Ledger exports (台账): real .xlsx and .csv files with the commission's columns."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from workflows import ledger, simulate

from .helpers import Cases

LEAD_CO = {"mode": "lead_co", "lead_unit": "transport", "co_units": ["finance"],
           "key_suggestion": True, "supervising_leader": "leader",
           "special_committee": "财政经济委员会"}
SOLE = {"mode": "sole", "lead_unit": "education", "co_units": [], "key_suggestion": False}


def build(db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    key_sid, key_case = cases.new(LEAD_CO)
    draft = {**simulate.ANSWERS["draft_reply"], "answer_class": "B"}
    cases.drive(key_case, stop_at={"follow_up_report"}, answers={
        "draft_reply": draft, "feedback": {"satisfaction": "very_satisfied", "comment": ""},
        "co_feedback": {"satisfaction": "basically_satisfied", "comment": ""}})
    open_sid, open_case = cases.new(SOLE, deputy="李强", title="关于乡村教师待遇的建议")
    return cases


def test_xlsx_ledger_has_every_column_and_row(db, domain_engine, org, clock):
    build(db, domain_engine, org)
    with db.session() as s:
        data = ledger.to_xlsx(ledger.rows(s, ledger.LedgerFilters(), clock()))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == ledger.headers()
    head = {name: i for i, name in enumerate(table[0])}
    first, second = table[1], table[2]
    assert (first[head["建议号"]], first[head["主办单位"]], first[head["会办单位"]]) == (
        1, "省交通运输厅", "省财政厅")
    assert first[head["重点建议"]] == "是" and first[head["督办领导"]] == "省领导甲"
    assert first[head["专门委员会"]] == "财政经济委员会" and first[head["答复类别"]] == "B"
    assert first[head["满意度"]] == "省交通运输厅：非常满意；省财政厅：基本满意"
    assert first[head["面商情况"]].startswith("省交通运输厅 ")
    assert first[head["领衔代表"]] == "王芳" and first[head["选举单位"]] == "长沙市"
    assert (second[head["建议号"]], second[head["状态"]], second[head["答复日期"]]) == (
        2, "已交办", None)
    assert second[head["面商情况"]] == "未面商"


def test_filters_and_csv_and_key_table(db, domain_engine, org, clock):
    build(db, domain_engine, org)
    with db.session() as s:
        only_key = list(ledger.key_rows(s, ledger.LedgerFilters(), clock()))
        text = "".join(ledger.to_csv(ledger.rows(s, ledger.LedgerFilters(field="交通"),
                                                 clock()), english=True))
    assert [r["number"] for r in only_key] == [1]
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0] == ledger.headers(english=True) and len(parsed) == 3


def test_overdue_days_count_from_the_reply_deadline(db, domain_engine, org, clock):
    from datetime import timedelta
    build(db, domain_engine, org)
    with db.session() as s:
        later = clock() + timedelta(days=200)
        rows = {r["number"]: r for r in ledger.rows(s, ledger.LedgerFilters(), later)}
    assert rows[1]["overdue_days"] == 0  # replied in time
    assert rows[2]["overdue_days"] > 100  # never replied


def test_text_that_looks_like_a_formula_is_kept_as_text(db, domain_engine, org, clock):
    cases = Cases(db, domain_engine, org)
    cases.new(SOLE, title="=HYPERLINK(\"http://x\")")
    with db.session() as s:
        data = ledger.to_xlsx(ledger.rows(s, ledger.LedgerFilters(), clock()))
    cell = openpyxl.load_workbook(io.BytesIO(data)).active.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.startswith("'=")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_is_neutralised(start):
    """OWASP's list of characters that start a formula in a spreadsheet cell."""
    assert ledger._cell(f"{start}cmd|' /C calc'!A0").startswith("'")
