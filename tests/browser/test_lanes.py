"""Lanes as data in a real browser: a designer renames a lane, validation names it with a form
to add its rule right there, the rule is added, the package deploys, and a case's task of that
lane goes to the role the rule names (a role the administrator added)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import HumanTask, LaneRule, ProcessInstance, ProcessVersion
from workflows.roles import add_role
from workflows.users import create_user

from ..conftest import START
from ..workflows.helpers import Cases
from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_a_renamed_lane_gets_its_rule_in_the_designer_and_its_task_goes_by_it(
        server, browser, shots, db, domain_engine, org):
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
        add_role(s, "inspection_office", "政府办公厅督查室", "Inspection office", actor="admin",
                 now=START)
        create_user(s, "inspector", "督查员", "inspection_office", "pw")
    designer = Person(browser, server, "designer", shots)
    page = designer.page
    errors = designer.open_editor()
    page.click("button.tab[data-file='unit_handling.bpmn']")
    page.wait_for_selector(".djs-element[data-element-id=lane_Reviewer]")

    # Rename the lane in the properties panel.
    page.evaluate("""() => { const m = window.designer.modeler;
        m.get('selection').select(m.get('elementRegistry').get('lane_Reviewer')); }""")
    page.wait_for_selector("#prop-name")
    assert page.input_value("#prop-name") == "Reviewer"
    page.fill("#prop-name", "Inspection")
    page.press("#prop-name", "Tab")

    # Validation names the lane and its elements, with a form to add the rule.
    page.click("#validate")
    problem = page.locator("#problems li[data-element=lane_Reviewer]")
    problem.locator("form.lane-rule").wait_for()
    text = problem.inner_text()
    assert "流程 unit_handling 的泳道“Inspection”没有分派规则" in text
    assert "review, review_gw, review_again, review_again_gw" in text
    assert "为此泳道添加分派规则：Inspection" in text
    problem.locator("select[name=kind]").select_option("role")
    problem.locator("select[name=role]").select_option("inspection_office")
    designer.shot("01-lane-without-rule")
    problem.locator("button[type=submit]").click()
    page.wait_for_selector("#designer[data-validated=ok]")
    designer.shot("02-rule-added-valid")
    with db.session() as s:
        rule = s.scalar(select(LaneRule).where(LaneRule.lane == "Inspection"))
        assert (rule.process_id, rule.kind, rule.role, rule.updated_by) == (
            "unit_handling", "role", "inspection_office", "designer")

    page.click("#deploy")
    page.wait_for_selector("#designer[data-deployed]")
    deployed = page.get_attribute("#designer", "data-deployed")
    assert deployed != "refused"
    with db.session() as s:
        assert s.scalar(select(ProcessVersion.id).order_by(ProcessVersion.id.desc())) == \
            int(deployed)

    # A new case reaches the review step, which is now the inspection office's.
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE, title="关于泳道规则的建议")
    cases.drive(case, stop_at={"review"})
    inspector = Person(browser, server, "inspector", shots)
    assert "政府办公厅督查室" in inspector.page.inner_text("header")
    inspector.open_task("审核", title="关于泳道规则的建议")
    inspector.choose("review_decision", "approve")
    inspector.shot("03-inspector-reviews")
    inspector.submit()
    with db.session() as s:
        review = s.scalar(select(HumanTask).where(HumanTask.instance_id == case,
                                                  HumanTask.bpmn_id == "review"))
        assert (review.lane, review.candidate_role, review.completed_by) == (
            "Inspection", "inspection_office", "inspector")
    assert "sign_off" in cases.tasks(case)
    assert cases.drive(case) == set()  # and on to its end
    with db.session() as s:
        assert s.get(ProcessInstance, case).status == "completed"
    assert errors == []
    designer.close()
    inspector.close()
