"""Key suggestions' progress reports (进展报告) on the case page, the key list and the mid-year
report for the supervision meeting (督办推进会)."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import openpyxl
import pytest

from ..workflows.helpers import Cases

MIDYEAR = datetime(2026, 6, 21, 2, 0, tzinfo=timezone.utc)  # the mid-year task is open
NOVEMBER = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
KEY = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": True,
       "supervising_leader": "leader", "special_committee": "财政经济委员会"}


@pytest.fixture
def reported(db, domain_engine, org, clock):
    """A key suggestion whose unit filed its mid-year and November reports; returns its id."""
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(KEY)
    cases.drive(case, stop_at={"draft_reply"})
    clock.now = MIDYEAR
    cases.fire()
    cases.complete("transport_unit_handler", case, "midyear_report",
                   {"progress": "实施方案已报省政府审定"})
    clock.now = NOVEMBER
    cases.fire()
    cases.complete("transport_unit_handler", case, "november_report",
                   {"progress": "一期工程已开工"})
    return sid


def test_the_case_page_shows_the_reports(reported, login_as):
    html = login_as("commission").get(f"/cases/{reported}").get_data(as_text=True)
    assert 'id="progress-reports"' in html
    assert "实施方案已报省政府审定" in html and "一期工程已开工" in html
    assert "年中（督办推进会）" in html and "2026-06-21" in html


def test_the_key_list_shows_the_reports(reported, login_as):
    html = login_as("leader").get("/supervision/lists/key").get_data(as_text=True)
    assert "实施方案已报省政府审定" in html and "一期工程已开工" in html
    # another unit's staff: the case is not theirs, nor are its reports
    other = login_as("education_unit_handler").get("/supervision/lists/key").get_data(as_text=True)
    assert "实施方案已报省政府审定" not in other


def test_the_mid_year_report_carries_the_reports(reported, login_as):
    book = openpyxl.load_workbook(io.BytesIO(
        login_as("commission").get("/supervision/midyear.xlsx").data))
    header, row = list(book["重点建议"].iter_rows(values_only=True))
    assert header[5:] == ("年中进展报告（督办推进会）", "11月进展报告")
    assert row[5] == "省交通运输厅（2026-06-21）：实施方案已报省政府审定"
    assert row[6] == "省交通运输厅（2026-11-21）：一期工程已开工"
