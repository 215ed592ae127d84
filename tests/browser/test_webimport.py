"""Issue 17 in Chromium: the commission imports the assignment table at the assignment meeting
(one bad cell named, the fixed file confirmed, the cases assigned), and the administrator enters
next year's holidays, which clears the missing-year warning."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update

from models import Assignment, Suggestion
from workflows.calendar import known_to_package
from workflows.users import create_user

from ..workflows.helpers import Cases
from ..workflows.test_bulk_import import GOOD, workbook

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def test_the_commission_imports_the_assignment_table(cast, db, tmp_path):
    bad = [list(r) for r in GOOD]
    bad[2][7] = "省林业厅"  # row 4, 主办单位: no such unit
    (tmp_path / "bad").mkdir()
    (tmp_path / "fixed").mkdir()
    (tmp_path / "bad" / "交办表.xlsx").write_bytes(workbook(bad))
    (tmp_path / "fixed" / "交办表.xlsx").write_bytes(workbook(GOOD))
    commission = cast["commission"]
    page = commission.page
    page.click("#import-link")
    page.wait_for_selector("#upload-form")
    commission.shot("01-upload")

    page.set_input_files("#table", str(tmp_path / "bad" / "交办表.xlsx"))
    page.click("#check")
    page.wait_for_selector("#cell-errors")
    named = page.locator("#cell-errors tr[data-row='4'][data-column='主办单位']")
    assert "未知的承办单位：省林业厅" in named.inner_text()
    assert page.locator("#cell-errors tbody tr").count() == 1
    assert page.locator("#confirm").count() == 0
    with page.expect_download() as download:
        page.click("#error-report")
    assert download.value.suggested_filename == "交办表错误报告.xlsx"
    commission.shot("02-bad-cell-named")

    page.click("#upload-again")
    page.set_input_files("#table", str(tmp_path / "fixed" / "交办表.xlsx"))
    page.click("#check")
    page.wait_for_selector("#preview")
    assert "3 条建议将登记" in page.inner_text("#check-passed")
    assert page.locator("#preview tbody tr").count() == 3
    commission.shot("03-dry-run")
    with db.session() as s:
        assert s.scalars(select(Suggestion)).all() == []

    page.click("#confirm")
    page.wait_for_selector("#imported")
    assert "已导入并交办 3 条建议" in page.inner_text(".flash")
    rows = page.locator("#imported tbody tr")
    assert rows.count() == 3
    assert "省交通运输厅（主办）" in page.inner_text("#imported tr[data-number='101']")
    assert "省教育厅（独办）" in page.inner_text("#imported tr[data-number='103']")
    commission.shot("04-imported")
    with db.session() as s:
        assert len(s.scalars(select(Suggestion)).all()) == 3


def test_entering_next_years_holidays_clears_the_warning(cast, db, domain_engine, org, clock):
    next_year = clock().year + 1
    assert not known_to_package(next_year)
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
    sid, _case = Cases(db, domain_engine, org).new(
        {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False})
    with db.write() as s:  # an extension granted long ahead: the deadline is next year
        s.execute(update(Assignment).where(Assignment.suggestion_id == sid).values(
            reply_due=datetime(next_year, 2, 20, 1, 0, tzinfo=timezone.utc)))
    admin = cast["admin"]
    page = admin.page
    assert f"{next_year}年" in page.inner_text("#calendar-warning")
    page.click("#admin-link")
    page.click("#settings-link")
    page.wait_for_selector("#missing-years")
    assert "至少录入一天节假日" in page.inner_text("#how-to-clear")
    admin.shot("01-missing-year")

    page.fill("#day-first", f"{next_year}-02-30")  # a day that does not exist: kept, explained
    page.fill("#day-note", "春节")
    page.click("#add-days")
    page.wait_for_selector("#day-error-first")
    assert page.input_value("#day-first") == f"{next_year}-02-30"
    assert page.input_value("#day-note") == "春节"
    admin.shot("02-bad-day-kept")

    page.fill("#day-first", f"{next_year}-02-06")
    page.fill("#day-last", f"{next_year}-02-12")
    page.click("#add-days")
    page.wait_for_selector(f"#year-{next_year}")
    assert page.locator("#calendar-warning").count() == 0
    assert page.locator("#missing-years").count() == 0
    assert page.locator(f"tr[data-day='{next_year}-02-12']").count() == 1
    page.fill("#day-first", f"{next_year}-02-20")
    page.check("input[name=kind][value=workday]")
    page.fill("#day-note", "春节调休")
    page.click("#add-days")
    page.wait_for_selector(f"tr[data-day='{next_year}-02-20']")
    assert "调休工作日" in page.inner_text(f"tr[data-day='{next_year}-02-20']")
    admin.shot("03-holidays-entered")
    page.click(f"tr[data-day='{next_year}-02-12'] button.remove-day")
    page.wait_for_selector(f"tr[data-day='{next_year}-02-12']", state="detached")
    assert page.locator(f"#year-{next_year} ~ table tbody tr").count() == 7
