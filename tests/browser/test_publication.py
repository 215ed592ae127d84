"""办理结果公开 in Chromium: the commission reviews a reply holding a phone number, sees it
marked, approves; an anonymous visitor finds the reply by search and sees the number masked."""
from __future__ import annotations

import pytest

from workflows import simulate

from ..workflows.helpers import Cases
from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
PHONE = "13812345678"
TEXT = f"一、城际铁路项目已纳入省重点建设计划。\n二、经办人李强，手机{PHONE}，欢迎代表随时联系。"


def test_commission_publishes_and_a_visitor_finds_it_masked(db, domain_engine, org, server,
                                                            browser, shots):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"feedback"}, answers={"draft_reply": {
        **simulate.DRAFT, "answer_text": TEXT, "action": "submit"}})
    commission = Person(browser, server, "commission", shots)
    page = commission.page
    page.click("nav >> text=办理结果公开")
    page.click("#waiting a.button")
    marked = page.locator("#original mark.pii-mobile")
    assert marked.inner_text() == PHONE
    assert page.locator("#original mark.pii-name", has_text="李强").count() == 1
    assert page.locator("input[name=mask]:checked").count() >= 2  # ticked by default
    commission.shot("01-review")
    page.click("#approve")
    page.wait_for_selector("tr.publication-published")
    commission.shot("02-queue")

    visitor = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    public = visitor.new_page()
    public.goto(f"{server}/login")
    public.click("#public-link a")
    public.fill("input[name=q]", "城际铁路")
    public.click("#public-search button[type=submit]")
    public.wait_for_selector("article.public-reply")
    text = public.inner_text("article.public-reply")
    assert "138******78" in text and PHONE not in text and "李强" not in text
    assert "李某" in text and "关于加快城际铁路建设的建议" in text
    assert PHONE not in public.content()
    public.screenshot(path=str(shots / "03-public.png"), full_page=True)
    typed = "城际铁路" * 11  # over the 40 characters a query may have: refused, kept
    public.fill("input[name=q]", "")
    public.goto(f"{server}/public?q={typed}")
    assert "不超过 40 个字" in public.inner_text("#query-problem")
    assert public.input_value("input[name=q]") == typed[:40] or typed in public.content()
    public.screenshot(path=str(shots / "04-public-refused.png"), full_page=True)
    visitor.close()
    commission.context.close()
