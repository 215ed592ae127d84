"""Every page and action over the Flask test client."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from models import Attachment, AuditEvent, HumanTask, Notification, Suggestion, TaskDraft
from workflows.users import create_user

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_login_page_and_failure(client):
    assert client.get("/login").status_code == 200
    response = client.post("/login", {"username": "commission", "password": "wrong"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_every_page_needs_a_login(client):
    for url in ("/", "/inbox", "/cases", "/notifications", "/password", "/register",
                "/tasks/x", "/cases/1", "/attachments/1", "/replies/1/letter"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_account_locks_after_repeated_failures(client, login_as):
    for _ in range(5):
        client.post("/login", {"username": "commission", "password": "nope"})
    response = client.post("/login", {"username": "commission", "password": "pw"})
    assert response.status_code == 401 and "锁定" in response.get_data(as_text=True)


def test_commission_registers_and_assigns_a_suggestion(login_as, db):
    c = login_as("commission")
    page = c.get("/register")
    assert page.status_code == 200
    bad = c.post("/register", {"number": "", "title": "关于公交优先的建议", "field": "交通"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "关于公交优先的建议" in html  # typed values kept
    deputy = "1"
    ok = c.post("/register", {"number": "8", "title": "关于公交优先的建议", "field": "交通",
                              "body": "建议设置公交专用道", "lead_deputy": deputy})
    assert ok.status_code == 302 and "/tasks/" in ok.headers["Location"]
    assign_url = ok.headers["Location"].split("?")[0]
    form = c.get(assign_url)
    assert form.status_code == 200 and "交办" in form.get_data(as_text=True)
    invalid = c.post(assign_url, {"action": "complete", "mode": "lead_co", "lead_unit": "transport",
                                  "co_units": ["transport"]})
    text = invalid.get_data(as_text=True)
    assert invalid.status_code == 400 and 'class="error"' in text
    done = c.post(assign_url, {"action": "complete", "mode": "lead_co", "lead_unit": "transport",
                               "co_units": ["finance"]})
    assert done.status_code == 302
    with db.session() as s:
        suggestion = s.scalar(select(Suggestion).where(Suggestion.number == 8))
        assert suggestion.status == "assigned" and suggestion.mode == "lead_co"


def test_inbox_shows_queues_claim_release_and_hand_over(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    handler = login_as("transport_unit_handler")
    page = handler.get("/inbox?queue=queue").get_data(as_text=True)
    with db.session() as s:
        [task_id] = s.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == case, HumanTask.state == "ready")).all()
    assert task_id in page
    assert handler.post(f"/tasks/{task_id}/claim").status_code == 302
    assert task_id in handler.get("/inbox?queue=mine").get_data(as_text=True)
    other = login_as("commission")
    assert task_id not in other.get("/inbox?queue=queue").get_data(as_text=True)
    assert handler.post(f"/tasks/{task_id}/release").status_code == 302
    with db.session() as s:
        assert s.get(HumanTask, task_id).assignee is None
    with db.write() as s:
        create_user(s, "transport_unit_handler2", "交通厅办事员乙", "unit_handler", "pw",
                    unit_code="transport")
    form = handler.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="hand-over"' in form and "transport_unit_handler2" in form
    assert "finance_unit_handler" not in form  # another unit's handler is no colleague
    assert handler.post(f"/tasks/{task_id}/handover",
                        {"to": "transport_unit_handler2"}).status_code == 302
    with db.session() as s:
        assert s.get(HumanTask, task_id).assignee == "transport_unit_handler2"
        [audit] = s.scalars(select(AuditEvent).where(AuditEvent.action == "hand_over")).all()
        assert (audit.actor, audit.detail) == ("transport_unit_handler",
                                               {"to": "transport_unit_handler2"})
    colleague = login_as("transport_unit_handler2")
    assert task_id in colleague.get("/inbox?queue=mine").get_data(as_text=True)
    refused = handler.post(f"/tasks/{task_id}/handover", {"to": "transport_unit_handler"},
                           follow_redirects=True)
    assert "这不是您的任务" in refused.get_data(as_text=True)  # it is no longer the handler's


def test_inbox_filters_sort_and_pages(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    for _ in range(5):
        cases.new(SOLE)
    handler = login_as("transport_unit_handler")
    first = handler.get("/inbox?queue=queue&size=2").get_data(as_text=True)
    assert first.count('class="task-link"') == 2 and 'id="next-page"' in first
    import re
    after = re.search(r'after=([^&"]+)', first).group(1)
    second = handler.get(f"/inbox?queue=queue&size=2&after={after}").get_data(as_text=True)
    ids = lambda html: set(re.findall(r'data-task="([^"]+)"', html))  # noqa: E731
    assert ids(first).isdisjoint(ids(second)) and len(ids(second)) == 2
    assert handler.get("/inbox?queue=queue&step=review").get_data(as_text=True).count(
        'class="task-link"') == 0
    assert handler.get("/inbox?queue=queue&due_within=30").get_data(as_text=True).count(
        'class="task-link"') == 5  # acknowledgement is due in 10 working days
    assert handler.get("/inbox?queue=queue&overdue=1").get_data(as_text=True).count(
        'class="task-link"') == 0


def test_task_page_keeps_typed_values_and_saves_drafts(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"consult"})
    [task] = cases.tasks(case)["consult"]
    handler = login_as("transport_unit_handler")
    page = handler.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "关于加快城际铁路建设的建议" in page  # the suggestion beside the form
    bad = handler.post(f"/tasks/{task.id}", {"action": "complete", "participants": "王处长",
                                             "consultation_form": "phone"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "王处长" in html and 'data-field="deputy_view"' in html
    saved = handler.post(f"/tasks/{task.id}", {"_action": "save", "participants": "李科长"})
    assert saved.status_code == 302
    with db.session() as s:
        assert s.get(TaskDraft, (task.id, "transport_unit_handler")).data["participants"] == "李科长"
    assert "李科长" in handler.get(f"/tasks/{task.id}").get_data(as_text=True)
    done = handler.post(f"/tasks/{task.id}", {
        "action": "complete", "consulted_on": "2026-03-10", "consultation_form": "face_to_face",
        "participants": "李科长", "deputy_view": "满意"})
    assert done.status_code == 302
    again = handler.post(f"/tasks/{task.id}", {"action": "complete", "deputy_view": "x"})
    assert again.status_code == 302  # told it is done, nothing changes
    assert "该任务已被他人处理" in handler.get("/inbox").get_data(as_text=True)


def test_attachments_have_size_and_type_limits(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    [task] = cases.tasks(case)["acknowledge"]
    handler = login_as("transport_unit_handler")
    handler.get(f"/tasks/{task.id}")
    ok = handler.post(f"/tasks/{task.id}/attachments",
                      {"file": (io.BytesIO(b"%PDF-1.4 test"), "report.pdf")},
                      content_type="multipart/form-data")
    assert ok.status_code == 302
    bad = handler.post(f"/tasks/{task.id}/attachments",
                       {"file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "不支持的文件类型" in bad.get_data(as_text=True)
    fake = handler.post(f"/tasks/{task.id}/attachments",
                        {"file": (io.BytesIO(b"not a pdf"), "fake.pdf")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "不符" in fake.get_data(as_text=True)
    with db.session() as s:
        [attachment] = s.scalars(select(Attachment)).all()
    assert handler.get(f"/attachments/{attachment.id}").data == b"%PDF-1.4 test"
    assert login_as("finance_unit_handler").get(f"/attachments/{attachment.id}").status_code == 403


def test_case_page_shows_timeline_diagram_and_letter(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"feedback"})
    c = login_as("commission")
    html = c.get(f"/cases/{sid}").get_data(as_text=True)
    assert "完成「交办」" in html and "完成「签发」" in html
    assert 'data-active="feedback' in html or "feedback" in html
    assert "unit_handling.bpmn" in html
    xml = c.get(f"/cases/{sid}/diagram/unit_handling.bpmn")
    assert xml.status_code == 200 and b"bpmn:definitions" in xml.data
    import re
    letter = re.search(r'href="(/replies/\d+/letter[^"]*)"', html).group(1).replace("&amp;", "&")
    docx = c.get(letter)
    assert docx.status_code == 200 and docx.data[:2] == b"PK"


def test_deputy_sees_only_their_suggestions_and_gives_feedback(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    mine, case = cases.new(SOLE, deputy="王芳")
    theirs, _ = cases.new(SOLE, deputy="李强", title="关于其他事项的建议")
    cases.drive(case, stop_at={"feedback"})
    deputy = login_as("dep_1")
    listing = deputy.get("/cases").get_data(as_text=True)
    assert "关于加快城际铁路建设的建议" in listing and "关于其他事项的建议" not in listing
    assert deputy.get(f"/cases/{theirs}").status_code == 403
    [task] = cases.tasks(case)["feedback"]
    assert task.id in deputy.get("/inbox").get_data(as_text=True)
    # The feedback is the lead deputy's own: no hand-over to another deputy, and no release.
    assert 'id="hand-over"' not in deputy.get(f"/tasks/{task.id}").get_data(as_text=True)
    refused = deputy.post(f"/tasks/{task.id}/handover", {"to": "dep_2"}, follow_redirects=True)
    assert "不能转交" in refused.get_data(as_text=True)
    deputy.post(f"/tasks/{task.id}/release")
    with db.session() as s:
        assert s.get(HumanTask, task.id).assignee == "dep_1"
    assert deputy.post(f"/tasks/{task.id}", {"action": "complete",
                                             "satisfaction": "very_satisfied"}).status_code == 302
    with db.session() as s:
        assert s.get(Suggestion, mine).status == "closed"


def test_deputy_sees_which_unit_each_feedback_task_rates(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new({"mode": "separate", "units": ["transport", "water"],
                           "key_suggestion": False}, deputy="王芳")
    cases.drive(case, stop_at={"feedback"})
    feedback = cases.tasks(case)["feedback"]
    assert {t.subject for t in feedback} == {"省交通运输厅", "省水利厅"}
    deputy = login_as("dep_1")
    inbox = deputy.get("/inbox").get_data(as_text=True)
    for task in feedback:  # each row names the unit the feedback is for
        row = inbox[inbox.index(f'data-task="{task.id}"'):]
        row = row[:row.index("</tr>")]
        assert f"· {task.subject}" in row
    page = deputy.get(f"/tasks/{feedback[0].id}").get_data(as_text=True)
    assert f'<span class="subject">· {feedback[0].subject}</span>' in page
    # both units' consultations and replies, each under its unit's name
    assert page.count("<strong>省交通运输厅</strong>") == 2 and page.count("<strong>省水利厅</strong>") == 2
    case_page = login_as("commission").get(f"/cases/{sid}").get_data(as_text=True)
    assert "· 省水利厅" in case_page and "· 省交通运输厅" in case_page  # the open feedback tasks
    replies = case_page[case_page.index('id="replies"'):]
    assert "<strong>省水利厅</strong>" in replies and "<strong>省交通运输厅</strong>" in replies
    with db.session() as s:
        notices = s.scalars(select(Notification.message).where(
            Notification.username == "dep_1")).all()
    assert "新任务：代表反馈 · 省水利厅（第1号建议）" in notices, notices


def test_deputy_sees_which_co_unit_they_rate(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new({"mode": "lead_co", "lead_unit": "transport",
                           "co_units": ["finance", "water"], "key_suggestion": False})
    cases.drive(case, stop_at={"feedback", "co_feedback"})
    open_tasks = cases.tasks(case)
    assert [t.subject for t in open_tasks["feedback"]] == ["省交通运输厅"]
    assert {t.subject for t in open_tasks["co_feedback"]} == {"省财政厅", "省水利厅"}
    inbox = login_as("dep_1").get("/inbox").get_data(as_text=True)
    assert "· 省财政厅" in inbox and "· 省水利厅" in inbox


def test_notifications_for_new_tasks_and_send_backs(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"review"})
    cases.complete("transport_reviewer", case, "review",
                   {"review_decision": "send_back", "review_reason": "补充数据"})
    with db.session() as s:
        kinds = [n.kind for n in s.scalars(select(Notification).where(
            Notification.username == "transport_unit_handler").order_by(Notification.id))]
    assert kinds[0] == "task" and kinds[-1] == "send_back"
    handler = login_as("transport_unit_handler")
    page = handler.get("/notifications").get_data(as_text=True)
    assert "退回修改：答复拟稿（第1号建议）" in page and "(Draft reply)" not in page
    handler.http.get("/lang/en")
    english = handler.get("/notifications").get_data(as_text=True)
    assert "Sent back: Draft reply (suggestion 1)" in english and "退回修改" not in english
    handler.http.get("/lang/zh")
    assert 'id="unread"' in handler.get("/inbox").get_data(as_text=True)
    handler.post("/notifications/read", {})
    assert 'id="unread"' not in handler.get("/inbox").get_data(as_text=True)


def test_english_switch(login_as):
    c = login_as("commission")
    assert "收件箱" in c.get("/inbox").get_data(as_text=True)
    c.http.get("/lang/en")
    html = c.get("/inbox").get_data(as_text=True)
    assert "Inbox" in html and "收件箱" not in html


def test_password_change(login_as, client):
    c = login_as("commission")
    short = c.post("/password", {"current": "pw", "new": "short", "confirm": "short"})
    assert short.status_code == 400
    ok = c.post("/password", {"current": "pw", "new": "a-much-longer-one", "confirm": "a-much-longer-one"})
    assert ok.status_code == 302
    assert client.login("commission", "a-much-longer-one").status_code == 302


def test_registration_offers_the_fixed_field_list_and_keeps_what_was_typed(login_as, db):
    c = login_as("commission")
    html = c.get("/register").get_data(as_text=True)
    assert '<select id="field" name="field">' in html and '<option value="交通"' in html
    response = c.post("/register", {"number": "5", "title": "关于某事的建议", "field": "民生",
                                    "body": "正文", "lead_deputy": "1"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "须从列表中选择" in html and "关于某事的建议" in html
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Suggestion)) == 0


def test_a_deputys_header_has_one_way_to_submit_and_no_substitution(login_as, db):
    """提出建议 is the deputy's entry; 新建案件 would start the same process a second way, and a
    deputy names no substitute (their tasks are their own)."""
    html = login_as("dep_1").get("/inbox").get_data(as_text=True)
    assert 'id="intake-link"' in html
    assert 'id="new-case-link"' not in html and 'id="my-substitutions"' not in html
    assert 'id="my-substitutions"' in login_as("transport_reviewer").get("/inbox").get_data(
        as_text=True)
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
    assert 'id="my-substitutions"' not in login_as("admin").get("/inbox").get_data(as_text=True)


def test_the_unread_badge_counts_to_99_then_says_99_plus(app, db, login_as):
    """The header's badge is read with the user and stops counting past 99 (a user who never
    reads their notifications does not make every page count thousands)."""
    from datetime import datetime, timezone

    def add(n):
        with db.write() as s:
            s.add_all(Notification(username="transport_unit_handler", kind="task", message="m",
                                   created_at=datetime.now(timezone.utc)) for _ in range(n))

    handler = login_as("transport_unit_handler")
    add(99)
    assert '<span class="badge" id="unread">99</span>' in handler.get("/inbox").get_data(
        as_text=True)
    add(1)
    page = handler.get("/inbox").get_data(as_text=True)
    assert '<span class="badge" id="unread">99+</span>' in page
    handler.post("/notifications/read", {})
    assert 'id="unread"' not in handler.get("/inbox").get_data(as_text=True)
