"""Supervision pages: dashboard, lists and exports; supervisors see all, unit staff their unit."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from models import Unit
from workflows import simulate

from ..workflows.helpers import Cases


@pytest.fixture
def cases(db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    lead_co = {"mode": "lead_co", "lead_unit": "transport", "co_units": ["finance"],
               "key_suggestion": True, "supervising_leader": "leader",
               "special_committee": "财政经济委员会"}
    sid, case = cases.new(lead_co)
    cases.drive(case, stop_at={"follow_up_report"}, answers={
        "draft_reply": {**simulate.ANSWERS["draft_reply"], "answer_class": "B"}})
    sole = {"mode": "sole", "lead_unit": "education", "co_units": [], "key_suggestion": False}
    sid2, case2 = cases.new(sole, title="关于乡村教师待遇的建议")
    cases.drive(case2, stop_at={"supervise_meeting"}, answers={
        "feedback": {"satisfaction": "dissatisfied", "comment": "不满意"},
        "feedback_again": {"satisfaction": "dissatisfied", "comment": "仍不满意"}})
    return cases


def test_dashboard_shows_figures_escalations_and_charts(cases, login_as):
    page = login_as("commission").get("/supervision")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "省交通运输厅" in html and "省教育厅" in html and "省财政厅" in html
    assert 'id="lead-figures"' in html and 'id="co-figures"' in html
    assert "两次不满意" in html  # the open supervision escalation with its reason
    assert "chart.umd.min.js" in html and '"satisfaction"' in html


def test_unit_staff_see_only_their_unit(cases, login_as, db):
    html = login_as("transport_unit_handler").get("/supervision").get_data(as_text=True)
    assert "省交通运输厅" in html and "省教育厅" not in html
    with db.session() as s:
        education = s.scalar(select(Unit.id).where(Unit.code == "education"))
    assert login_as("transport_unit_handler").get(
        f"/supervision/evaluation/{education}.xlsx").status_code == 403
    assert login_as("dep_1").get("/supervision").status_code == 403
    assert login_as("transport_unit_handler").get("/supervision/midyear.xlsx").status_code == 403


def test_tracking_lists(cases, login_as):
    c = login_as("commission")
    follow = c.get("/supervision/lists/follow_up").get_data(as_text=True)
    assert "关于加快城际铁路建设的建议" in follow and "乡村教师" not in follow
    unhappy = c.get("/supervision/lists/dissatisfied").get_data(as_text=True)
    assert "乡村教师" in unhappy and "城际铁路" not in unhappy
    key = c.get("/supervision/lists/key").get_data(as_text=True)
    assert "省领导甲" in key and "财政经济委员会" in key
    assert c.get("/supervision/lists/repeated").status_code == 200
    assert c.get("/supervision/lists/nothing").status_code == 404


def test_exports_open_with_openpyxl(cases, login_as, db):
    c = login_as("commission")
    book = openpyxl.load_workbook(io.BytesIO(c.get("/supervision/ledger.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("建议号", "标题", "领域") and len(rows) == 3
    filtered = openpyxl.load_workbook(io.BytesIO(c.get("/supervision/ledger.xlsx?key=1").data))
    assert len(list(filtered.active.iter_rows(values_only=True))) == 2
    key_table = openpyxl.load_workbook(io.BytesIO(
        c.get("/supervision/ledger.xlsx?table=key").data))
    assert list(key_table.active.iter_rows(values_only=True))[0][3] == "督办领导"
    text = c.get("/supervision/ledger.csv").get_data(as_text=True)
    assert text.startswith("\ufeff建议号") and text.count("\n") == 3
    with db.session() as s:
        transport = s.scalar(select(Unit.id).where(Unit.code == "transport"))
    report = openpyxl.load_workbook(io.BytesIO(
        c.get(f"/supervision/evaluation/{transport}.xlsx").data))
    assert report.sheetnames == ["办理情况", "不满意件", "逾期件"]
    midyear = openpyxl.load_workbook(io.BytesIO(c.get("/supervision/midyear.xlsx").data))
    assert midyear.sheetnames == ["主办单位", "会办单位", "重点建议"]
    totals = list(midyear["主办单位"].iter_rows(values_only=True))[-1]
    assert totals[0] == "合计" and totals[2] == 2


def test_the_congress_session_filter_keeps_its_choice(org, login_as):
    """The filter's parameter `session` is the congress session (届次): the page shows the
    chosen one selected, and an unknown one selects nothing."""
    commission = login_as("commission")
    chosen = f'<option value="{org.congress_session_id}" selected>'
    assert chosen in commission.get(
        f"/supervision?session={org.congress_session_id}").get_data(as_text=True)
    assert "selected>" not in commission.get("/supervision?session=999").get_data(
        as_text=True).split('name="session"', 1)[1].split("</select>", 1)[0]
