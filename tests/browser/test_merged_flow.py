"""并案 in a real browser: two suggestions registered on the web, the second assigned with the
first merged into it (a wrong number refused first, the input kept), handled, signed, and both
lead deputies downloading their own letter and rating the reply."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Feedback, ProcessInstance, Suggestion

from .test_suggestion_flow import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def _register(person, title, deputy_label):
    page = person.page
    page.goto(f"{person.base}/register")
    page.fill("#title", title)
    page.fill("#body", title + "，建议统筹规划。")
    page.select_option("#field", "交通")
    page.select_option("#lead_deputy", label=deputy_label)
    page.click("#register")
    page.wait_for_selector("#task-form")


def test_merged_case_from_registration_to_both_deputies_feedback(server, browser, shots, db):
    commission = Person(browser, server, "commission", shots)
    page = commission.page
    # 第1号 (李强) waits at its own assign; 第2号 (王芳) takes it in as 并案
    _register(commission, "关于城际铁路增设站点的建议", "李强（岳阳市）")
    _register(commission, "关于加快城际铁路建设的建议", "王芳（长沙市）")
    page.check("input[name=mode][value=merged]")
    page.select_option("#f-lead_unit", "transport")
    page.fill("#f-merged_numbers", "1, 999")
    page.click("#complete")
    page.wait_for_selector("#form-errors")
    assert "本次会议没有第999号建议" in page.inner_text("#task-form")
    assert page.input_value("#f-merged_numbers") == "1, 999"
    commission.shot("01-merged-number-refused")
    page.fill("#f-merged_numbers", "1")
    commission.submit()
    with db.session() as s:
        merged = s.scalar(select(Suggestion).where(Suggestion.number == 1))
        host = s.scalar(select(Suggestion).where(Suggestion.number == 2))
        assert s.get(ProcessInstance, merged.instance_id).status == "cancelled"
        merged_id, host_id = merged.id, host.id
    page.goto(f"{server}/cases/{merged_id}")
    assert "已并入第2号建议办理" in page.inner_text("#merged-into")
    page.click("#host-link")
    page.wait_for_url(f"{server}/cases/{host_id}")
    assert "第1号" in page.inner_text("#merged-suggestions")
    commission.shot("02-host-case")

    handler = Person(browser, server, "transport_unit_handler", shots)
    p = handler.page
    handler.open_task("签收")
    p.check("input[name=decision][value=acknowledge]")
    handler.submit()
    handler.open_task("分办")
    p.select_option("#f-lead_division", index=1)
    handler.submit()
    handler.open_task("面商")
    p.fill("#f-consulted_on", "2026-03-20")
    p.check("input[name=consultation_form][value=face_to_face]")
    p.fill("#f-participants", "综合处处长、王芳代表、李强代表")
    p.fill("#f-deputy_view", "同意办理思路")
    handler.submit()
    handler.open_task("答复")
    p.check("input[name=answer_class][value=B]")
    p.fill("#f-doc_number", "湘交函〔2026〕21号")
    p.fill("#f-answer_text", "一、城际铁路二期已列入规划。\n\n二、站点设置将征求沿线意见。")
    p.fill("#f-contact_person", "刘芳")
    p.fill("#f-contact_phone", "0731-88880000")
    p.check("input[name=action][value=submit]")
    handler.submit()
    for username, step, field in [("transport_reviewer", "审核", "review_decision"),
                                  ("transport_signer", "签发", "sign_decision")]:
        person = Person(browser, server, username, shots)
        person.open_task(step)
        person.page.check(f"input[name={field}][value=approve]")
        person.submit()
        person.close()

    # the merged suggestion's deputy: told, sees the reply, downloads their own letter, rates
    li = Person(browser, server, "dep_2", shots)
    li.page.goto(f"{server}/notifications")
    assert "已答复：第1号建议" in li.page.inner_text("body")
    li.page.goto(f"{server}/cases/{merged_id}")
    assert "省交通运输厅" in li.page.inner_text("#replies")
    assert li.page.locator("#host-link").count() == 0  # the host case is not theirs
    li.shot("03-merged-deputy-case")
    with li.page.expect_download() as download:
        li.page.click("a.letter")
    assert download.value.suggested_filename == "答复函-第001号.docx"
    li.open_task("并案代表反馈")
    assert "第1号建议（并案）" in li.page.inner_text("body")
    li.page.check("input[name=satisfaction][value=satisfied]")
    li.page.fill("#f-comment", "站点设置已回应")
    li.shot("04-merged-deputy-feedback")
    li.submit()

    wang = Person(browser, server, "dep_1", shots)
    wang.open_task("反馈")
    wang.page.check("input[name=satisfaction][value=very_satisfied]")
    wang.submit()
    wang.page.goto(f"{server}/cases/{host_id}")
    with wang.page.expect_download() as download:
        wang.page.click("a.letter")
    assert download.value.suggested_filename == "答复函-第002号.docx"

    # Class B: the unit reports until the promised work is done, then the case closes
    handler.open_task("跟踪")
    p.fill("#f-follow_up_report", "站点已完成设计。")
    p.check("input[name=follow_up_done]")
    handler.submit()
    li.page.goto(f"{server}/cases/{merged_id}")
    assert li.page.inner_text("#case-status") == "已办结"
    assert "站点设置已回应" in li.page.inner_text("#feedback")
    li.shot("05-merged-closed")
    with db.session() as s:
        ratings = {f.suggestion_id: f.satisfaction for f in s.scalars(select(Feedback))}
    assert ratings == {None: "very_satisfied", merged_id: "satisfied"}
    for person in (commission, handler, li, wang):
        person.close()
