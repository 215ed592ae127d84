"""A process that is not the suggestion's, in Chromium: started from 新建案件, its form, its
manual task and its form-less user task done with their instructions shown, and its case page
with the diagram and the timeline."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import ProcessInstance

from .. import human_tasks

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def test_a_case_of_another_process_from_start_to_its_case_page(cast, db, domain_engine,
                                                                 monkeypatch):
    human_tasks.deploy(db, domain_engine, monkeypatch)
    commission = cast["commission"]
    page = commission.page
    page.click("#new-case-link")
    page.wait_for_selector("#processes")
    assert page.locator("tr[data-process=equipment]").count() == 1
    assert page.locator("#register-link").count() == 1
    page.fill("#start-equipment input[name=subject]", "三楼会议室")
    commission.shot("01-new-case")
    page.click("tr[data-process=equipment] button")
    page.wait_for_selector("#task-form")
    assert "已新建案件" in page.inner_text(".flash")
    assert page.inner_text("#instructions strong") == "物品"
    page.fill("#f-item", "笔记本电脑")
    page.fill("#f-quantity", "2")
    commission.shot("02-first-step-form")
    commission.submit()

    commission.open_task("到库房领取")
    instructions = page.locator("#instructions .markdown")
    assert instructions.locator("strong").inner_text() == "请到库房领取：笔记本电脑"
    assert instructions.locator("li").all_inner_texts() == ["数量：2", "带上工作证"]
    assert page.locator("#save-draft").count() == 0
    assert page.inner_text("#complete") == "完成"
    assert "设备申领" in page.inner_text("#case-card")
    commission.shot("03-manual-task")
    commission.submit()

    commission.open_task("确认签收")
    assert page.inner_text("#instructions em") == "2"
    assert "件笔记本电脑" in page.inner_text("#instructions")
    commission.shot("04-formless-user-task")
    commission.submit()

    with db.session() as s:
        instance = s.scalar(select(ProcessInstance).where(
            ProcessInstance.process_id == "equipment"))
        assert instance.status == "completed"
    page.goto(f"{commission.base}/instances/{instance.id}")
    page.wait_for_selector(".diagram[data-ready=true]")
    assert page.locator(".diagram .djs-element.done").count() >= 3
    assert "已结束" in page.inner_text("#case-status")
    timeline = page.inner_text("#timeline")
    assert "新建案件" in timeline and "完成「到库房领取」" in timeline and "案件办结" in timeline
    assert "笔记本电脑" in page.inner_text("#entered")
    commission.shot("05-case-page")
