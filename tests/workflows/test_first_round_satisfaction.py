"""首次反馈满意率 beside the final 满意率: a re-handled case counts 不满意 in the first round and
its final rating in the other; the ledger shows both ratings."""
from __future__ import annotations

import io

import openpyxl
import pytest

from workflows import ledger
from workflows.reports import FIGURE_COLUMNS, midyear_report
from workflows.statistics import Filters, unit_figures

from .helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def rehandled(db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE)
    cases.drive(case, answers={"feedback": {"satisfaction": "dissatisfied", "comment": "未解决"},
                               "feedback_again": {"satisfaction": "very_satisfied",
                                                  "comment": ""}})
    _sid2, case2 = cases.new(SOLE, title="关于公交线路的建议")
    cases.drive(case2)  # satisfied in the first round
    return cases


def test_figures_keep_the_first_round_and_the_final_round(rehandled, db, clock):
    with db.session() as s:
        [transport] = unit_figures(s, Filters(), now=clock())
    assert transport.satisfaction_rate == 1.0  # final: very satisfied + satisfied
    assert transport.first_satisfaction_rate == 0.5  # first: dissatisfied + satisfied
    with db.session() as s:
        sheet = openpyxl.load_workbook(io.BytesIO(midyear_report(s, Filters(), clock()))).active
    header = [c.value for c in sheet[1]]
    assert "首次反馈满意率" in header and "满意率" in header
    assert [t for _k, t in FIGURE_COLUMNS].index("首次反馈满意率") >= 0
    row = [c.value for c in sheet[2]]
    assert row[header.index("首次反馈满意率")] == 50.0 and row[header.index("满意率")] == 100.0


def test_the_ledger_shows_the_first_and_final_ratings(rehandled, db, clock):
    with db.session() as s:
        data = ledger.to_xlsx(ledger.rows(s, ledger.LedgerFilters(), clock()))
    table = [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(
        values_only=True)]
    head = {name: i for i, name in enumerate(table[0])}
    assert table[1][head["满意度"]] == "省交通运输厅：非常满意"
    assert table[1][head["首次反馈满意度"]] == "省交通运输厅：不满意"
    assert table[2][head["首次反馈满意度"]] == "省交通运输厅：满意"
    assert "First-round satisfaction" in ledger.headers(english=True)

