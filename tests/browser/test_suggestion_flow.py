"""One suggestion from registration to closure, in a real browser, as the people who do it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Suggestion

from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def test_register_assign_handle_review_sign_feedback_close(server, browser, shots, db):
    commission = Person(browser, server, "commission", shots)
    page = commission.page
    commission.register_sole("关于优化城市公交线网的建议", "建议增开社区微循环公交。",
                             shot="01-register")
    commission.shot("02-assign")
    commission.submit()
    with db.session() as s:
        sid = s.scalar(select(Suggestion.id).where(
            Suggestion.title == "关于优化城市公交线网的建议"))

    handler = Person(browser, server, "transport_unit_handler", shots)
    handler.open_task("签收")
    handler.page.check("input[name=decision][value=acknowledge]")
    handler.submit()
    handler.open_task("分办")
    handler.page.select_option("#f-lead_division", index=1)
    handler.submit()
    handler.open_task("面商")
    p = handler.page
    p.fill("#f-consulted_on", "2026-03-20")
    p.check("input[name=consultation_form][value=face_to_face]")
    p.fill("#f-participants", "综合处处长、王芳代表")
    p.click("#complete")  # deputy_view missing: refused, typed values kept
    p.wait_for_selector("#form-errors")
    assert p.input_value("#f-participants") == "综合处处长、王芳代表"
    handler.shot("03-consult-error")
    p.fill("#f-deputy_view", "同意办理思路")
    handler.submit()
    handler.open_task("答复")
    p.check("input[name=answer_class][value=A]")
    p.fill("#f-doc_number", "湘交函〔2026〕15号")
    p.fill("#f-answer_text", "一、已新增三条微循环线路。\n\n二、年内完成站点优化。")
    p.fill("#f-contact_person", "刘芳")
    p.fill("#f-contact_phone", "0731-88880000")
    p.check("input[name=action][value=submit]")
    handler.shot("04-draft")
    handler.submit()

    # The case page shows the diagram with the current step highlighted.
    handler.page.goto(f"{server}/cases/{sid}")
    handler.page.wait_for_selector(".diagram[data-ready=true]")
    active = handler.page.eval_on_selector_all(".djs-element.active", "els => els.map(e => e.dataset.elementId)")
    done = handler.page.eval_on_selector_all(".djs-element.done", "els => els.map(e => e.dataset.elementId)")
    assert "review" in active and "draft_reply" in done and "consult" in done
    handler.shot("05-case-in-review")

    for username, step, field in [("transport_reviewer", "审核", "review_decision"),
                                  ("transport_signer", "签发", "sign_decision")]:
        person = Person(browser, server, username, shots)
        person.open_task(step)
        person.page.check(f"input[name={field}][value=approve]")
        person.shot(f"06-{username}")
        person.submit()
        person.close()

    deputy = Person(browser, server, "dep_1", shots)
    deputy.open_task("反馈")
    deputy.page.check("input[name=satisfaction][value=very_satisfied]")
    deputy.page.fill("#f-comment", "答复具体，感谢")
    deputy.shot("07-feedback")
    deputy.submit()
    deputy.page.goto(f"{server}/cases/{sid}")
    assert deputy.page.inner_text("#case-status") == "已办结"
    deputy.page.wait_for_selector(".diagram[data-ready=true]")
    assert deputy.page.locator(".djs-element.active").count() == 0
    assert deputy.page.locator(".djs-element.done").count() > 10
    deputy.shot("08-closed")
    with deputy.page.expect_download() as download:
        deputy.page.click("a.letter")
    assert download.value.suggested_filename.endswith(".docx")
    for person in (commission, handler, deputy):
        person.close()
