"""The process designer in a real browser: add a user task with a new form to the suggestion
process, validate, deploy, and run a new case through the new step."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import HumanTask, ProcessInstance, ProcessVersion, Suggestion
from workflows.users import create_user

from .test_suggestion_flow import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def test_designer_adds_a_step_and_a_new_case_runs_through_it(server, browser, shots, db):
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    designer = Person(browser, server, "designer", shots)
    page = designer.page
    errors = designer.open_editor()
    page.click("button.tab[data-file='suggestion.bpmn']")
    page.wait_for_selector("#designer[data-file='suggestion.bpmn'] .djs-element[data-element-id=assign]")
    assert errors == []

    # A new form, written in the form editor with its live preview.
    page.fill("#new-form-name", "check_assignment.schema.json")
    page.click("#new-form")
    page.wait_for_selector("#form-preview [data-field=note]")
    page.fill("#schema-text", """{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "核对交办 (Check assignment)",
  "type": "object",
  "properties": {"checked_note": {"type": "string", "title": "核对意见 (Check note)"}},
  "required": []
}""")
    page.wait_for_selector("#form-preview [data-field=checked_note]")
    designer.shot("01-form-editor")

    # A user task after `assign`, in the Commission lane (one without a form is valid too: a
    # step a person marks done); its form is the one just written.
    page.click("button.tab[data-file='suggestion.bpmn']")
    page.click(".djs-element[data-element-id=assign]")
    page.click("#insert-user-task")
    page.wait_for_selector("#prop-id")
    assert "Commission" in page.inner_text("#prop-lane")
    page.fill("#prop-id", "check_assignment")
    page.press("#prop-id", "Tab")
    page.fill("#prop-name", "核对交办 (Check assignment)")
    page.press("#prop-name", "Tab")
    page.click("#validate")
    page.wait_for_selector("#designer[data-validated=ok]")
    designer.shot("02-formless-step-valid")

    page.fill("#prop-form", "check_assignment.schema.json")
    page.press("#prop-form", "Tab")
    page.click("#validate")
    page.wait_for_selector("#designer[data-validated=ok]")
    page.click("#deploy")
    page.wait_for_selector("#designer[data-deployed]")
    version_id = int(page.get_attribute("#designer", "data-deployed"))
    designer.shot("03-deployed")
    with db.session() as s:
        assert s.scalar(select(ProcessVersion.id).order_by(ProcessVersion.id.desc())) == version_id

    # A new case starts on the new version and stops at the new step after `assign`.
    commission = Person(browser, server, "commission", shots)
    p = commission.page
    commission.register_sole("关于新流程环节的建议", "测试新环节。")
    commission.submit()
    commission.open_task("核对交办")
    p.fill("#f-checked_note", "已核对")
    commission.shot("04-new-step")
    commission.submit()
    with db.session() as s:
        suggestion = s.scalar(select(Suggestion).where(Suggestion.title == "关于新流程环节的建议"))
        assert s.get(ProcessInstance, suggestion.instance_id).process_version_id == version_id
        steps = s.scalars(select(HumanTask.bpmn_id).where(
            HumanTask.instance_id == suggestion.instance_id).order_by(HumanTask.created_at)).all()
    assert steps[:3] == ["assign", "check_assignment", "acknowledge"]
    assert errors == []
    designer.close()
    commission.close()
