"""Every kind of human task runs, and any deployed process is a case type (issue 15): the new-case
page, form-less tasks (a manual task, a user task without a form) done from the inbox with their
instructions, and the generic case page with its permissions."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from models import AuditEvent, HumanTask, Notification, ProcessInstance
from workflows.users import create_user

from ..human_tasks import deploy
from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def equipment(db, domain_engine, org, monkeypatch, app):
    deploy(db, domain_engine, monkeypatch)
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
        create_user(s, "admin", "管理员", "admin", "pw")
        create_user(s, "commission2", "代表工委乙", "commission", "pw")


def ready(db, instance_id, bpmn_id) -> HumanTask:
    with db.session() as s:
        return s.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                HumanTask.bpmn_id == bpmn_id,
                                                HumanTask.state == "ready"))


def start(person, **form) -> tuple[int, str]:
    """Start an equipment case from /cases/new; returns (case id, where it led)."""
    person.get("/cases/new")
    response = person.post("/cases/new", {"process": "equipment", **form})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def case_of(db, task_id) -> int:
    with db.session() as s:
        return s.get(HumanTask, task_id).instance_id


def through_form(db, person, instructions: bool = True) -> tuple[int, HumanTask]:
    """Start a case and fill in its first step's form: returns the case and its manual task."""
    location = start(person, subject="三楼会议室").headers["Location"]
    task_id = location.rsplit("/", 1)[1]
    page = person.get(location).get_data(as_text=True)
    if instructions:  # above a form too
        assert "请填写要领取的<strong>物品</strong>和数量。" in page
    assert person.post(location, {"item": "笔记本电脑", "quantity": "2",
                                  "_action": "complete"}).status_code == 302
    instance_id = case_of(db, task_id)
    return instance_id, ready(db, instance_id, "fetch")


def test_the_new_case_page_lists_what_the_user_may_start(equipment, login_as):
    commission = login_as("commission")
    page = commission.get("/cases/new").get_data(as_text=True)
    assert "设备申领" in page and 'data-process="equipment"' in page
    assert 'id="register-link"' in page  # the suggestion keeps its own registration page
    assert 'id="new-case-link"' in page  # and the header links here
    handler = login_as("transport_unit_handler")
    assert handler.get("/cases/new").status_code == 403
    assert 'id="new-case-link"' not in handler.get("/inbox").get_data(as_text=True)


def test_a_start_is_refused_to_whoever_may_not_start_it(equipment, db, login_as):
    handler = login_as("transport_unit_handler")
    handler.get("/inbox")
    assert handler.post("/cases/new", {"process": "equipment"}).status_code == 403
    commission = login_as("commission")
    commission.get("/cases/new")
    assert commission.post("/cases/new", {"process": "no_such_process"}).status_code == 403
    assert commission.post("/cases/new", {"process": "../equipment"}).status_code == 400
    assert commission.post("/cases/new", {}).status_code == 403
    assert commission.post("/cases/new", {"process": "equipment"}, csrf=False).status_code == 400
    with db.session() as s:
        assert s.scalar(select(ProcessInstance).where(
            ProcessInstance.process_id == "equipment")) is None


def test_a_start_is_audited_and_opens_the_first_task_if_it_is_mine(equipment, db, login_as):
    commission = login_as("commission")
    location = start(commission, subject="三楼会议室").headers["Location"]
    assert re.fullmatch(r"/tasks/[0-9a-f-]{36}", location)
    with db.session() as s:
        instance = s.scalar(select(ProcessInstance).where(
            ProcessInstance.process_id == "equipment"))
        assert (instance.started_by, instance.business_key) == ("commission", "三楼会议室")
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "start",
                                                 AuditEvent.instance_id == instance.id)
                        ).actor == "commission"


def test_a_subject_that_breaks_the_text_rules_is_refused_beside_it_and_kept(equipment,
                                                                             login_as):
    commission = login_as("commission")
    commission.get("/cases/new")
    response = commission.post("/cases/new", {"process": "equipment", "subject": "长" * 129})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "长" * 129 in page and 'class="error"' in page


def test_the_suggestion_process_is_registered_on_its_own_page(equipment, login_as):
    commission = login_as("commission")
    commission.get("/cases/new")
    response = commission.post("/cases/new", {"process": "suggestion"})
    assert response.status_code == 302 and response.headers["Location"] == "/register"


def test_form_less_tasks_are_done_from_the_inbox_with_their_instructions(equipment, db,
                                                                          login_as):
    commission = login_as("commission")
    instance_id, fetch = through_form(db, commission)
    assert fetch is not None and fetch.form is None
    inbox = commission.get("/inbox?queue=queue").get_data(as_text=True)
    assert fetch.id in inbox and "设备申领" in inbox and "三楼会议室" in inbox
    assert commission.post(f"/tasks/{fetch.id}/claim", {}).status_code == 302
    assert fetch.id in commission.get("/inbox").get_data(as_text=True)  # 我的任务
    page = commission.get(f"/tasks/{fetch.id}").get_data(as_text=True)
    assert "<strong>请到库房领取：笔记本电脑</strong>" in page  # the earlier form's value
    assert "<li>数量：2</li>" in page and "<li>带上工作证</li>" in page  # undefined: empty
    assert 'id="complete"' in page and ">完成<" in page and 'id="save-draft"' not in page
    done = commission.post(f"/tasks/{fetch.id}", {"_action": "complete"})
    confirm = ready(db, instance_id, "confirm")  # the case's next task, opened at once
    assert done.status_code == 302 and done.headers["Location"] == f"/tasks/{confirm.id}"
    assert confirm.form is None
    page = commission.get(f"/tasks/{confirm.id}").get_data(as_text=True)
    assert "请确认已收到 <em>2</em> 件笔记本电脑。" in page
    assert commission.post(f"/tasks/{confirm.id}", {"_action": "complete"}).status_code == 302
    with db.session() as s:
        assert s.get(ProcessInstance, instance_id).status == "completed"
        done = s.scalars(select(AuditEvent.bpmn_id).where(
            AuditEvent.instance_id == instance_id, AuditEvent.action == "complete")).all()
        assert done == ["enter", "fetch", "confirm"]
    # A finished task leads to its case's page.
    again = commission.get(f"/tasks/{fetch.id}")
    assert again.headers["Location"] == f"/instances/{instance_id}"


def test_two_people_completing_one_task_one_wins_the_other_is_told(equipment, db, login_as):
    first, second = login_as("commission"), login_as("commission2")
    instance_id, fetch = through_form(db, first)
    first.get(f"/tasks/{fetch.id}")
    second.get(f"/tasks/{fetch.id}")
    assert first.post(f"/tasks/{fetch.id}", {"_action": "complete"}).status_code == 302
    lost = second.post(f"/tasks/{fetch.id}", {"_action": "complete"})
    assert lost.status_code == 302 and lost.headers["Location"] == "/inbox"
    assert "该任务已被他人处理" in second.get("/inbox").get_data(as_text=True)
    with db.session() as s:
        assert s.scalars(select(AuditEvent.actor).where(
            AuditEvent.task_id == fetch.id, AuditEvent.action == "complete")).all() == \
            ["commission"]


def test_the_case_page_shows_diagram_timeline_and_what_each_step_entered(equipment, db,
                                                                         login_as):
    commission = login_as("commission")
    instance_id, fetch = through_form(db, commission)
    commission.post(f"/tasks/{fetch.id}", {"_action": "complete"})
    page = commission.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "设备申领 · 三楼会议室" in page
    assert f'data-url="/instances/{instance_id}/diagram/equipment.bpmn"' in page
    assert re.search(r'data-active="confirm"', page) and "enter fetch" in page
    assert "新建案件" in page and "完成「填写申领」" in page and "完成「到库房领取」" in page
    assert "<dt>物品</dt><dd>笔记本电脑</dd>" in page and "<dt>数量</dt><dd>2</dd>" in page
    diagram = commission.get(f"/instances/{instance_id}/diagram/equipment.bpmn")
    assert diagram.status_code == 200 and diagram.mimetype == "text/plain"
    assert commission.get(f"/instances/{instance_id}/diagram/x.bpmn").status_code == 404


def test_who_may_see_a_case_of_another_process(equipment, db, domain_engine, login_as):
    with db.write() as s:
        instance_id = domain_engine.start(s, "equipment", actor="transport_unit_handler",
                                          business_key="办公桌").instance_id
    url = f"/instances/{instance_id}"
    allowed = {"transport_unit_handler": True, "commission": True, "designer": True,
               "admin": True, "finance_unit_handler": False, "transport_reviewer": False,
               "leader": False, "dep_1": False}
    for username, sees in allowed.items():
        status = login_as(username).get(url).status_code
        assert status == (200 if sees else 403), (username, status)
    # Someone who completed one of its tasks, and someone who has one in their queue.
    task = ready(db, instance_id, "enter")
    with db.write() as s:
        s.execute(update(HumanTask).where(HumanTask.id == task.id).values(
            candidate_role="provincial_leader"))
    assert login_as("leader").get(url).status_code == 200
    with db.write() as s:
        s.execute(update(HumanTask).where(HumanTask.id == task.id).values(
            state="completed", completed_by="finance_unit_handler", candidate_role="commission"))
    assert login_as("finance_unit_handler").get(url).status_code == 200
    assert login_as("leader").get(url).status_code == 403
    assert login_as("commission").get("/instances/999999").status_code == 404
    assert login_as("commission").get("/instances/99999999999").status_code == 404


def test_a_suggestion_case_keeps_its_own_page(equipment, db, domain_engine, org, login_as):
    sid, instance_id = Cases(db, domain_engine, org).new(SOLE)
    response = login_as("commission").get(f"/instances/{instance_id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{sid}"


def test_the_inbox_lists_tasks_of_every_process_side_by_side(equipment, db, domain_engine,
                                                              org, login_as):
    Cases(db, domain_engine, org).register(title="关于修缮校舍的建议")
    commission = login_as("commission")
    through_form(db, commission)
    page = commission.get("/inbox?queue=queue").get_data(as_text=True)
    assert "关于修缮校舍的建议" in page and "到库房领取" in page and "设备申领" in page
    # A suggestion filter leaves the other processes' tasks out.
    filtered = rows(commission.get("/inbox?queue=queue&field=交通"))
    assert "关于修缮校舍的建议" in filtered and "到库房领取" not in filtered
    # The step filter offers the other process's steps by their names, and filters by them.
    assert '<option value="fetch" >到库房领取</option>' in page
    assert '<option value="assign" >交办</option>' in page
    by_step = rows(commission.get("/inbox?queue=queue&step=fetch"))
    assert "到库房领取" in by_step and "关于修缮校舍的建议" not in by_step


def rows(response) -> str:
    """The inbox table's rows (the filters above them name every step)."""
    return response.get_data(as_text=True).split("<tbody>", 1)[1]


def test_instructions_that_cannot_be_filled_in_are_named_so_and_the_step_still_done(
        equipment, db, login_as, monkeypatch):
    from engine import instructions
    monkeypatch.setattr(instructions, "of_spec",
                        lambda spec: "{% for i in range(9999) %}{{ 'x' * 99999 }}{% endfor %}")
    commission = login_as("commission")
    instance_id, fetch = through_form(db, commission, instructions=False)
    page = commission.get(f"/tasks/{fetch.id}").get_data(as_text=True)
    assert 'id="instructions-error"' in page and "办理说明无法显示" in page
    assert "xxxxxxxxxx" not in page
    assert commission.post(f"/tasks/{fetch.id}", {"_action": "complete"}).status_code == 302
    assert ready(db, instance_id, "confirm") is not None


def test_the_case_list_shows_cases_of_other_processes_to_those_who_may_see_them(
        equipment, db, domain_engine, login_as):
    with db.write() as s:
        instance_id = domain_engine.start(s, "equipment", actor="transport_unit_handler",
                                          business_key="办公桌").instance_id
    link = f'href="/instances/{instance_id}"'
    for username, sees in (("transport_unit_handler", True), ("commission", True),
                           ("finance_unit_handler", False), ("dep_1", False)):
        page = login_as(username).get("/cases").get_data(as_text=True)
        assert (link in page and "办公桌" in page) == sees, username


def test_notices_of_another_process_name_it_and_its_subject_not_a_suggestion(equipment, db,
                                                                              login_as):
    commission = login_as("commission")
    through_form(db, commission)
    with db.session() as s:
        notices = s.execute(select(Notification.message, Notification.message_en).where(
            Notification.username == "commission")).all()
    assert ("新任务：到库房领取（设备申领：三楼会议室）",
            "New task: Fetch from the store (Equipment request: 三楼会议室)") in notices
    assert not any("号建议" in zh or "suggestion" in en for zh, en in notices)
