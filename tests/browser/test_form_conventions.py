"""Forms in SpiffArena's conventions in Chromium: a nested object, repeating rows added and
removed, fields that appear on a choice, and what the server keeps of them; and 答复拟稿's
reasons shown only for their 下一步 on the real process."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Package
from models import HumanTask, ProcessInstance

from workflows.lanes import set_rule

from ..conftest import START
from ..workflows.helpers import Cases

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def _ready(db, instance_id, bpmn_id):
    with db.session() as s:
        return s.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                HumanTask.bpmn_id == bpmn_id,
                                                HumanTask.state == "ready"))


def test_nested_object_repeating_rows_and_a_field_shown_on_a_choice(cast, server, db,
                                                                    domain_engine, org):
    with db.write() as s:
        domain_engine.deploy(s, Package.from_folder(FIXTURE), "designer")
        set_rule(s, process_id="form_demo", lane="Commission", kind="role", role="commission",
                 actor="designer", now=START)
        instance_id = domain_engine.start(s, "form_demo", {}, actor="commission").instance_id
    task = _ready(db, instance_id, "fill_in")
    person = cast["commission"]
    page = person.page
    page.goto(f"{server}/tasks/{task.id}")
    page.wait_for_selector("#task-form")
    org_name = page.locator('[data-field="org_name"]')
    reason = page.locator('[data-field="urgent_reason"]')
    assert org_name.is_hidden() and reason.is_hidden()
    assert page.get_attribute('[name="name"]', "placeholder") == "如：王芳"
    assert page.locator('textarea[name="note"]').get_attribute("rows") == "3"
    assert "附注" in page.inner_text('[data-field="note"] label')
    assert page.locator('input[type="hidden"][name="source"]').count() == 1

    page.fill('[name="name"]', "王芳")
    page.check('input[name="kind"][value="org"]')  # 单位: its name appears
    assert org_name.is_visible() and reason.is_hidden()
    page.fill('[name="org_name"]', "长沙某公司")
    page.check('input[name="urgent"]')
    page.fill('[name="urgent_reason"]', "代表急需")
    page.uncheck('input[name="urgent"]')  # typed, then hidden again: not kept
    assert reason.is_hidden()
    page.fill('[name="address.city"]', "长沙")
    page.fill('[name="address.street"]', "五一大道 1 号")

    rows = page.locator('[data-rows="contacts"] > .row')
    assert rows.count() == 1  # without a row yet, one empty row
    page.click('fieldset.rows .add-row')
    page.click('fieldset.rows .add-row')
    assert rows.count() == 3
    for i, name in enumerate(["张三", "李四", "王五"]):
        page.fill(f'[name="contacts.{i}.person"]', name)
    page.fill('[name="contacts.2.email"]', "wang-at-example")
    rows.nth(1).locator(".remove-row").click()  # 李四 goes; 王五 becomes row 1
    assert rows.count() == 2
    assert page.input_value('[name="contacts.1.person"]') == "王五"
    person.shot("01-form-filled")

    page.click("#complete")  # the email is refused beside its row, everything typed kept
    page.wait_for_selector("#form-errors")
    error = page.locator('[data-field="contacts.1.email"] .error')
    assert "电子邮箱" in error.inner_text()
    assert page.input_value('[name="contacts.0.person"]') == "张三"
    assert page.input_value('[name="address.city"]') == "长沙"
    assert org_name.is_visible() and page.input_value('[name="org_name"]') == "长沙某公司"
    person.shot("02-email-refused")
    page.fill('[name="contacts.1.email"]', "wang@example.cn")
    person.submit()

    with db.session() as s:
        data = domain_engine.instance_data(s, s.get(ProcessInstance, instance_id))
    assert data["address"] == {"city": "长沙", "street": "五一大道 1 号"}
    assert data["contacts"] == [{"person": "张三"}, {"person": "王五", "email": "wang@example.cn"}]
    assert data["org_name"] == "长沙某公司" and data["kind"] == "org"
    assert data["urgent"] is False and "urgent_reason" not in data


def test_draft_reply_shows_each_reason_only_for_its_next_step(cast, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    handler = cast["transport_unit_handler"]
    handler.open_task("答复拟稿")
    page = handler.page
    extension = page.locator('[data-field="extension_reason"]')
    coordination = page.locator('[data-field="coordination_reason"]')
    assert extension.is_hidden() and coordination.is_hidden()
    handler.choose("answer_class", "B")
    page.fill("#f-doc_number", "湘交函〔2026〕41号")
    page.fill("#f-answer_text", "一、需跨年度安排资金。")
    page.fill("#f-contact_person", "刘芳")
    page.fill("#f-contact_phone", "0731-88880000")
    handler.choose("action", "request_coordination")
    assert coordination.is_visible() and extension.is_hidden()
    page.fill("#f-coordination_reason", "涉及多部门")  # typed, then another 下一步 chosen
    handler.choose("action", "request_extension")
    assert extension.is_visible() and coordination.is_hidden()
    assert "*" in extension.locator("label").inner_text()  # required now
    handler.shot("01-extension-chosen")
    page.click("#complete")  # no reason: refused beside the reason, which stays shown
    page.wait_for_selector("#form-errors")
    assert extension.is_visible() and "理由" in extension.locator(".error").inner_text()
    assert coordination.is_hidden()
    handler.shot("02-extension-reason-missing")
    page.fill("#f-extension_reason", "需跨年度安排资金")
    [drafted] = cases.tasks(case)["draft_reply"]
    handler.submit()
    with db.session() as s:
        data = domain_engine.task_data(s, drafted.id)
    assert data["action"] == "request_extension"
    assert data["extension_reason"] == "需跨年度安排资金"
    assert "coordination_reason" not in data
