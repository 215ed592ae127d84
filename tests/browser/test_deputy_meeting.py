"""A second process from the seed's world built without Python: 代表约见承办单位 (a deputy asks to
meet a unit; the unit schedules, meets and records; the deputy rates). The designer imports its
files into the package in the browser, adds a step there (with its instructions), validation
names the three lanes without a rule, the rules are added beside each problem, the package
deploys, the process settings let deputies start it, and the people its lanes name run a case to
its end in Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from models import HumanTask, LaneRule, ProcessInstance, StartPermission
from workflows import process_settings
from workflows.users import create_user

from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
FOLDER = Path(__file__).resolve().parents[2] / "examples" / "deputy_meeting"
# lane -> (kind, role, data path) as the designer enters them: its settings file's
RULES = {lane: (kind, role or "", path or "") for lane, (kind, role, path) in process_settings.parse(
    (FOLDER / "deputy_meeting.settings.toml").read_text(encoding="utf-8")).rules.items()}


def _designer_deploys_the_meeting_process(designer: Person) -> None:
    page = designer.page
    errors = designer.open_editor()
    page.set_input_files("#import-files", sorted(str(p) for p in FOLDER.iterdir()
                                                if p.suffix in (".bpmn", ".json")))
    page.wait_for_selector("#designer[data-file='deputy_meeting.bpmn'] "
                           ".djs-element[data-element-id=schedule_meeting]")
    assert "已导入" in page.inner_text("#status")
    assert page.locator("button.tab[data-file='meeting-record-uischema.json']").count() == 1
    designer.shot("01-imported")

    # A step designed here: after 记录约见情况, the unit's handler reads the minutes back.
    page.click(".djs-element[data-element-id=record_meeting]")
    page.click("#insert-user-task")
    page.wait_for_function("document.getElementById('prop-id').value !== 'record_meeting'")
    assert "承办单位" in page.inner_text("#prop-lane")
    page.fill("#prop-id", "review_record")
    page.press("#prop-id", "Tab")
    page.fill("#prop-name", "审阅约见记录")
    page.press("#prop-name", "Tab")
    page.fill("#prop-instructions", "请审阅约见纪要：\n\n> {{ minutes }}\n\n共 **{{ commitments|length }}** 项承诺。")
    page.press("#prop-instructions", "Tab")
    designer.shot("01b-step-designed")

    page.click("#validate")
    page.wait_for_selector("#problems li form.lane-rule")
    problems = page.locator("#problems li")
    assert sorted(problems.evaluate_all("els => els.map(e => e.dataset.element)")) == [
        "lane_commission", "lane_deputy", "lane_unit"]
    unit_problem = page.locator("#problems li[data-element=lane_unit]").inner_text()
    assert "流程 deputy_meeting 的泳道“承办单位”没有分派规则" in unit_problem
    assert "schedule_meeting" in unit_problem and "record_meeting" in unit_problem
    designer.shot("02-lanes-without-rules")
    for lane in ("代表", "承办单位", "代表工委"):
        designer.add_lane_rule(lane, *RULES[lane])
    page.wait_for_selector("#designer[data-validated=ok]")
    page.click("#deploy")
    page.wait_for_selector("#designer[data-deployed]")
    assert page.get_attribute("#designer", "data-deployed") != "refused"
    designer.shot("03-deployed")

    # Process settings: deputies may start it.
    page.goto(f"{designer.base}/designer/lanes")
    section = page.locator("#process-deputy_meeting")
    section.locator("form.allow-start select[name=role]").select_option("deputy")
    section.locator("form.allow-start button[value=allow]").click()
    page.wait_for_selector("#process-deputy_meeting li")
    designer.shot("04-process-settings")
    assert errors == []


def test_deputy_meeting_designed_in_the_browser_runs_to_its_end(server, browser, shots, db,
                                                                  domain_engine, org):
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    designer = Person(browser, server, "designer", shots)
    _designer_deploys_the_meeting_process(designer)
    with db.session() as s:
        rules = {r.lane: (r.kind, r.role or "", r.path or "") for r in s.scalars(
            select(LaneRule).where(LaneRule.process_id == "deputy_meeting"))}
        assert rules == RULES
        assert s.scalar(select(StartPermission.role).where(
            StartPermission.process_id == "deputy_meeting")) == "deputy"

    # The deputy asks to meet the transport department.
    deputy = Person(browser, server, f"dep_{org.deputies['王芳']}", shots)
    page = deputy.page
    page.click("#new-case-link")
    page.wait_for_selector("tr[data-process=deputy_meeting]")
    page.fill("#start-deputy_meeting input[name=subject]", "城乡公交一体化")
    page.click("tr[data-process=deputy_meeting] button")
    page.wait_for_selector("#task-form")  # 提出约见 is the initiator's: it opens at once
    page.select_option("[name=meeting_unit]", "transport")
    page.fill("[name=topic]", "城乡公交一体化建议的办理")
    page.fill("[name=reason]", "希望当面了解线路调整安排。")
    page.click("fieldset.rows .add-row")
    page.fill('[name="preferred_times.0.day"]', "2026-03-10")
    page.check('input[name="preferred_times.0.part"][value="am"]')
    deputy.shot("05-request")
    deputy.submit()
    with db.session() as s:
        instance = s.scalar(select(ProcessInstance).where(
            ProcessInstance.process_id == "deputy_meeting"))
        assert (instance.started_by, instance.business_key) == (deputy.username, "城乡公交一体化")
        schedule = s.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                    HumanTask.bpmn_id == "schedule_meeting"))
        assert (schedule.candidate_role, schedule.candidate_unit) == ("unit_handler", "transport")

    # The unit schedules: the decline reason shows only while 建议不面谈 is chosen.
    unit = Person(browser, server, "transport_unit_handler", shots)
    unit.open_task("安排约见")
    upage = unit.page
    reason, when = (upage.locator('[data-field="decline_reason"]'),
                    upage.locator('[data-field="meeting_date"]'))
    unit.choose("decision", "decline")
    assert reason.is_visible() and when.is_hidden()
    unit.choose("decision", "meet")
    assert when.is_visible() and reason.is_hidden()
    upage.fill("[name=meeting_date]", "2026-03-10")
    upage.fill("[name=place]", "省交通运输厅 3 楼会议室")
    upage.fill("[name=unit_attendees]", "综合规划处负责同志")
    unit.shot("06-schedule")
    unit.submit()

    # The deputy sees the arrangement in the manual task's instructions and confirms.
    deputy.open_task("确认约见安排")
    instructions = page.locator("#instructions .markdown")
    deputy.shot("07-confirm")
    assert "约见安排" in instructions.locator("h2").inner_text()
    assert instructions.locator("strong").all_inner_texts() == ["2026-03-10",
                                                                 "省交通运输厅 3 楼会议室"]
    deputy.shot("07-confirm")
    deputy.submit()

    # The unit records the meeting with two commitments.
    unit.open_task("记录约见情况")
    upage.fill("[name=minutes]", "双方就线路调整交换意见。")
    upage.click("fieldset.rows .add-row")
    upage.click("fieldset.rows .add-row")
    upage.fill('[name="commitments.0.matter"]', "年内开通 3 条城乡公交线路")
    upage.fill('[name="commitments.0.due"]', "2026-12-31")
    upage.fill('[name="commitments.1.matter"]', "每季度向代表通报进展")
    unit.shot("08-record")
    unit.submit()
    unit.open_task("审阅约见记录")  # the step added in the designer, with its instructions
    review = upage.locator("#instructions .markdown")
    assert review.locator("blockquote").inner_text() == "双方就线路调整交换意见。"
    assert review.locator("strong").inner_text() == "2"
    unit.submit()

    deputy.open_task("代表评价")
    deputy.choose("satisfaction", "satisfied")
    deputy.submit()

    with db.session() as s:
        instance = s.get(ProcessInstance, instance.id)
        assert instance.status == "completed"
        data = domain_engine.instance_data(s, instance)
    assert data["commitment_count"] == 2
    assert data["decision"] == "meet" and "decline_reason" not in data
    assert [c["matter"] for c in data["commitments"]] == ["年内开通 3 条城乡公交线路",
                                                         "每季度向代表通报进展"]

    # Its case page: the diagram, the timeline and what each step entered.
    page.goto(f"{deputy.base}/instances/{instance.id}")
    page.wait_for_selector(".diagram[data-ready=true]")
    assert page.locator(".diagram .djs-element.done").count() >= 5
    timeline = page.inner_text("#timeline")
    for step in ("提出约见", "安排约见", "确认约见安排", "记录约见情况", "审阅约见记录", "代表评价"):
        assert step in timeline
    assert "省交通运输厅 3 楼会议室" in page.inner_text("body")
    deputy.shot("09-case-page")
    for person in (designer, deputy, unit):
        person.close()
