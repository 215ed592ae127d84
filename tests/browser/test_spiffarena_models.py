"""Models written in SpiffArena's conventions, in Chromium: the designer imports the folder's
files, gives each lane its rule beside the problem that names it and deploys; each model is then
started from 新建案件 and run to its end by the people its lanes and its initiator name."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import ProcessInstance
from workflows import starting
from workflows.users import create_user

from .. import spiffarena_models as models
from ..conftest import START
from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def _import_and_deploy(designer: Person, db) -> None:
    page = designer.page
    designer.open_editor()
    paths = [str(p) for model in models.MODELS for p in models.package_paths(model)]
    page.set_input_files("#import-files", paths)
    page.wait_for_selector("button.tab[data-file='timer-reminder.bpmn']")
    page.click("#validate")
    page.wait_for_selector("#problems li form.lane-rule")
    lanes = {lane: rule for pid in models.RULES for lane, rule in models.RULES[pid].items()}
    forms = page.locator("#problems li form.lane-rule")
    assert sorted(forms.evaluate_all("els => els.map(e => e.dataset.lane)")) == sorted(lanes)
    designer.shot("01-lanes-without-rules")
    for lane, rule in lanes.items():
        designer.add_lane_rule(lane, *rule)
    page.wait_for_selector("#designer[data-validated=ok]")
    page.click("#deploy")
    page.wait_for_selector("#designer[data-deployed]")
    assert page.get_attribute("#designer", "data-deployed") != "refused"
    with db.write() as s:  # start permissions (the process settings page is tested elsewhere)
        for process_id in models.MODELS.values():
            starting.allow(s, process_id, models.STARTER, actor="designer", now=START)


def _start(person: Person, process_id: str, subject: str) -> None:
    page = person.page
    page.goto(f"{person.base}/cases/new")
    page.fill(f"#start-{process_id} input[name=subject]", subject)
    page.click(f"tr[data-process={process_id}] button")
    page.wait_for_selector("#task-form")


def _status(db, subject: str) -> str:
    with db.session() as s:
        return s.scalar(select(ProcessInstance.status).where(
            ProcessInstance.business_key == subject))


def test_spiffarena_models_import_deploy_and_run_to_their_end(server, browser, shots, db,
                                                              domain_engine, org):
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    designer = Person(browser, server, "designer", shots)
    _import_and_deploy(designer, db)
    staff = Person(browser, server, "transport_unit_handler", shots)
    commission = Person(browser, server, "commission", shots)
    reviewer = Person(browser, server, "transport_reviewer", shots)
    page = staff.page

    # 请假申请: select, date, updown and hidden widgets; the approver must explain a refusal.
    _start(staff, "leave_request", "五天病假")
    assert page.locator("#f-kind option").all_inner_texts()[-3:] == ["年休假", "病假", "事假"]
    assert page.locator('input[type="hidden"][name="channel"]').count() == 1
    assert "超过 3 天须经审批" in page.inner_text('[data-field="days"]')
    page.select_option("[name=kind]", "sick")
    page.fill("[name=start_date]", "2026-03-09")
    page.fill("[name=days]", "5")
    page.fill("[name=reason]", "住院治疗")
    staff.shot("02-leave-request")
    staff.submit()
    commission.open_task("审批请假")
    commission.choose("decision", "reject")
    commission.page.click("#complete")  # a refusal without its reason is refused
    commission.page.wait_for_selector("#form-errors")
    commission.page.fill("[name=comment]", "年底工作集中，请调整时间")
    commission.shot("03-approver")
    commission.submit()
    staff.open_task("阅知审批结果")
    text = page.inner_text("#instructions .markdown")
    assert "5 天病假未获批准" in text and "年底工作集中" in text and "网上申请" in text
    staff.shot("04-result")
    staff.submit()
    assert _status(db, "五天病假") == "completed"

    # 文件会签: the lane-less first step is the initiator's; two lanes in parallel, then joined.
    _start(staff, "parallel_review", "采购方案会签")
    page.fill("[name=title]", "采购方案")
    page.fill("[name=amount]", "1200")
    page.fill("[name=contact]", "not-an-email")
    page.click("#complete")
    page.wait_for_selector("#form-errors")
    assert page.input_value("[name=title]") == "采购方案"
    page.fill("[name=contact]", "staff@example.gov.cn")
    staff.submit()
    commission.open_task("法规审查")
    assert "《采购方案》" in commission.page.inner_text("#instructions")
    commission.submit()
    reviewer.open_task("财务审查")
    assert reviewer.page.inner_text("#instructions strong") == "1200"
    reviewer.shot("05-formless-review")
    reviewer.submit()
    assert _status(db, "采购方案会签") == "completed"

    # 定时提醒: no lanes at all; the manual task comes once its timer has fired.
    _start(staff, "timer_reminder", "季度统计提醒")
    page.fill("[name=note]", "报送季度统计")
    staff.submit()
    with db.write() as s:
        domain_engine.fire_due_timers(s, START + timedelta(hours=2))
    staff.open_task("处理提醒事项")
    assert page.inner_text("#instructions h3") == "提醒"
    assert "报送季度统计" in page.inner_text("#instructions")
    staff.shot("06-reminder")
    staff.submit()
    assert _status(db, "季度统计提醒") == "completed"
    for person in (designer, staff, commission, reviewer):
        person.close()
