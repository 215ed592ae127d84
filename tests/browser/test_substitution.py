"""Inbox conveniences and 我的代理 in Chromium: claiming several ticked tasks (one taken by a
colleague meanwhile), a submitted step landing on the case's next task or on where the case
waits, a saved filter, and a substitute finding the absent reviewer's task marked 代理."""
from __future__ import annotations

from datetime import timedelta

import pytest

from workflows import substitution
from workflows.users import create_user

from ..workflows.helpers import Cases

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def cases(db, domain_engine, org):
    with db.write() as s:
        create_user(s, "transport_unit_handler2", "承办乙", "unit_handler", "pw",
                    unit_code="transport")
        create_user(s, "transport_reviewer2", "审核乙", "reviewer", "pw", unit_code="transport")
    return Cases(db, domain_engine, org)


def test_claim_several_then_submit_lands_on_the_next_task(cases, cast):
    titles = ["关于增开城际列车的建议", "关于改造农村公路的建议", "关于治理货车超载的建议"]
    ids = [cases.tasks(cases.new(SOLE, title=t)[1])["acknowledge"][0].id for t in titles]
    handler = cast["transport_unit_handler"]
    page = handler.page
    page.goto(f"{handler.base}/inbox?queue=queue")
    for task_id in ids:
        page.check(f"tr[data-task='{task_id}'] input[name=task]")
    # Meanwhile a colleague claims the last one with its own row button.
    colleague = cast["transport_unit_handler2"]
    colleague.page.goto(f"{colleague.base}/inbox?queue=queue")
    colleague.page.click(f"tr[data-task='{ids[2]}'] form button")
    assert "已认领任务" in colleague.page.inner_text(".flash")
    handler.shot("01-queue-ticked")
    page.click("#claim-selected button")
    assert "认领 2 项，1 项已被他人认领" in page.inner_text(".flash")
    page.goto(f"{handler.base}/inbox")
    assert {page.get_attribute(f"tr[data-task='{i}']", "data-task") for i in ids[:2]} == \
        set(ids[:2])
    assert page.locator(f"tr[data-task='{ids[2]}']").count() == 0
    # A saved filter, listed above the inbox and used from there.
    page.fill("#save-filter input[name=name]", "我的签收")
    page.click("#save-filter button")
    assert "筛选已保存" in page.inner_text(".flash")
    assert page.locator("#saved-filters .saved-filter.active", has_text="我的签收").count() == 1
    handler.shot("02-inbox-claimed-and-saved-filter")
    # Submit one: the case's next step for the unit's handlers opens at once.
    page.click(f"tr[data-task='{ids[0]}'] a.task-link")
    page.wait_for_selector("#task-form")
    handler.choose("decision", "acknowledge")
    handler.submit()
    assert "/tasks/" in page.url and ids[0] not in page.url
    assert "下一项任务" in page.inner_text("main")
    handler.shot("03-next-task")


def test_a_substitute_does_the_absent_reviewers_task_and_sees_where_the_case_waits(
        cases, cast, domain_engine):
    sid, case = cases.new(SOLE, title="关于建设综合客运枢纽的建议")
    cases.drive(case, stop_at={"review"})
    [review] = cases.tasks(case)["review"]
    absent = cast["transport_reviewer"]
    page = absent.page
    page.goto(f"{absent.base}/inbox?queue=queue")
    page.click(f"tr[data-task='{review.id}'] form button")
    page.click("#my-substitutions")
    today = substitution.today(domain_engine.clock())
    page.select_option("#substitute", "transport_reviewer2")
    page.fill("#starts_on", (today + timedelta(days=3)).isoformat())
    page.fill("#ends_on", today.isoformat())
    page.fill("#reason", "赴京参加培训")
    page.click("#add-substitution button[type=submit]")
    assert "结束日期不能早于开始日期" in page.inner_text("#error-ends_on")
    assert page.input_value("#reason") == "赴京参加培训"  # what was typed is kept
    absent.shot("04-substitution-refused")
    page.fill("#starts_on", today.isoformat())
    page.fill("#ends_on", (today + timedelta(days=3)).isoformat())
    page.click("#add-substitution button[type=submit]")
    assert "已设置代理" in page.inner_text(".flash")
    assert "代理中" in page.inner_text("#named")
    absent.shot("05-my-substitutes")
    substitute = cast["transport_reviewer2"]
    sub_page = substitute.page
    sub_page.goto(f"{substitute.base}/inbox")
    row = sub_page.locator(f"tr[data-task='{review.id}']")
    assert "代理：transport reviewer" in row.inner_text()
    substitute.shot("06-substitute-inbox")
    row.locator("a.task-link").click()
    sub_page.wait_for_selector("#task-form")
    substitute.choose("review_decision", "approve")
    substitute.submit()
    assert sub_page.url.endswith(f"/cases/{sid}")
    assert "案件现在等待：签发（省交通运输厅 · 主要负责同志）" in sub_page.inner_text("main")
    assert "代 transport reviewer" in sub_page.inner_text("#timeline")
    substitute.shot("07-where-the-case-waits")
