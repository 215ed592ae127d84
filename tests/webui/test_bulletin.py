"""The bulletin's figures page and its .xlsx (issue 17 item 5): two sessions shaped like the seed
bulletin's, bulk-inserted, read back from the page and from the workbook's cells."""
from __future__ import annotations

import io
import re

import openpyxl

from ..workflows.bulletin_data import build


def _row(html: str, name: str) -> list[str]:
    """The cells of the figures table's row named `name`."""
    row = re.search(r"<tr><td>" + re.escape(name) + r"</td>(.*?)</tr>", html).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


def test_the_page_shows_both_sessions_side_by_side(db, org, login_as):
    ids = build(db, org)
    html = login_as("commission").get(f"/supervision/bulletin?session={ids['current']}") \
        .get_data(as_text=True)
    assert "<th>省十四届人大二次会议</th><th>省十四届人大三次会议</th>" in html
    assert _row(html, "建议总数（件）") == ["1457", "1027", "-430", "-29.5%"]
    assert _row(html, "通过专题调研形成的建议（件）")[:3] == ["1134", "915", "-219"]
    assert _row(html, "专题调研建议占比（%）")[:3] == ["77.8%", "89.1%", "+11.3"]
    assert _row(html, "承办单位数（家）")[:2] == ["100", "98"]
    assert _row(html, "重点处理建议（件）")[:2] == ["9", "12"]
    assert _row(html, "领办省领导（位）")[:2] == ["2", "2"]
    assert _row(html, "主办件面商率（%）")[1] == "100.0%"
    assert _row(html, "首次反馈满意率（%）")[1] == "98.5%"
    assert _row(html, "非常满意和满意占比（%）")[:3] == ["73.4%", "92.7%", "+19.3"]
    assert "建议总数1027件，同比减少430件，降幅29.5%" in html
    assert "其中非常满意和满意占比达92.7%，同比提高19.3个百分点" in html
    assert "省领导甲" in html and "省领导乙" in html  # the leaders who lead key suggestions


def test_the_latest_session_is_shown_when_none_is_chosen(db, org, login_as):
    build(db, org)
    html = login_as("leader").get("/supervision/bulletin").get_data(as_text=True)
    assert _row(html, "建议总数（件）")[:2] == ["1457", "1027"]


def test_the_xlsx_holds_both_sessions_in_cells(db, org, login_as):
    ids = build(db, org)
    response = login_as("commission").get(f"/supervision/bulletin.xlsx?session={ids['current']}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["公报数据"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["指标"][:2] == ("省十四届人大二次会议", "省十四届人大三次会议")
    assert rows["建议总数（件）"] == (1457, 1027, -430, -29.5)
    assert rows["通过专题调研形成的建议（件）"][:2] == (1134, 915)
    assert rows["专题调研建议占比（%）"][:3] == (77.8, 89.1, 11.3)
    assert rows["承办单位数（家）"][:2] == (100, 98)
    assert rows["首次反馈满意率（%）"][1] == 98.5
    assert rows["非常满意和满意占比（%）"][:3] == (73.4, 92.7, 19.3)
    assert rows["概述"][0].startswith("建议总数1027件，同比减少430件")
    keys = list(book["重点处理建议"].iter_rows(values_only=True))
    assert len(keys) == 1 + 9 + 12 and {r[1] for r in keys[1:]} == {"省领导甲", "省领导乙"}


def test_the_english_page_and_xlsx(db, org, login_as):
    ids = build(db, org)
    c = login_as("commission")
    c.http.set_cookie("lang", "en")
    html = c.get(f"/supervision/bulletin?session={ids['current']}").get_data(as_text=True)
    assert _row(html, "Suggestions") == ["1457", "1027", "-430", "-29.5%"]
    assert "up 19.3 percentage points" in html and "建议总数" not in html
    book = openpyxl.load_workbook(io.BytesIO(c.get(
        f"/supervision/bulletin.xlsx?session={ids['current']}").data))
    rows = {r[0]: r[1:] for r in book["Bulletin figures"].iter_rows(values_only=True) if r[0]}
    assert rows["Suggestions"] == (1457, 1027, -430, -29.5)


def test_hostile_parameters_are_refused(db, org, login_as):
    c = login_as("commission")
    for url in ("/supervision/bulletin", "/supervision/bulletin.xlsx"):
        assert c.get(url + "?session=abc").status_code == 400
        assert c.get(url + "?session=99999999999").status_code == 400
        assert c.get(url + "?session=0").status_code == 400
        assert c.get(url + "?session=4242").status_code == 404
    assert c.get("/supervision/bulletin.xlsx?session=" + "9" * 5000).status_code == 400
    page = c.get("/supervision/bulletin").get_data(as_text=True)  # one session, nothing before
    assert "没有上次会议的数据，不作比较。" in page
