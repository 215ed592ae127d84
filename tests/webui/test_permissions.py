"""Who reaches what: every role against every page and action (allowed, 403 or redirect).

`inspector` has a role an administrator added (inspection_office, 政府办公厅督查室): an inbox
and the tasks of lanes given to it, nothing of the commission, designer, admin or supervision."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Reply
from workflows.roles import add_role
from workflows.users import create_user

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
USERS = ["commission", "transport_unit_handler", "transport_reviewer", "finance_unit_handler",
         "dep_1", "dep_2", "leader", "designer", "admin", "inspector"]
OK, NO = 200, 403
# page -> expected status per user (same order as USERS)
PAGES = {
    "/inbox":                 [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "/cases":                 [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "/notifications":         [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "/password":              [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "/register":              [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO],
    "/cases/{sid}":           [OK, OK, OK, NO, OK, NO, OK, NO, OK, NO],
    "/cases/{sid}/diagram/unit_handling.bpmn": [OK, OK, OK, NO, OK, NO, OK, NO, OK, NO],
    "/replies/{reply}/letter": [OK, OK, OK, NO, OK, NO, OK, NO, OK, NO],
    "/tasks/{task}":          [NO, OK, NO, NO, NO, NO, NO, NO, NO, NO],
    "/supervision":           [OK, OK, OK, OK, NO, NO, OK, NO, OK, NO],
    "/supervision/lists/dissatisfied": [OK, OK, OK, OK, NO, NO, OK, NO, OK, NO],
    "/supervision/ledger.xlsx": [OK, OK, OK, OK, NO, NO, OK, NO, OK, NO],
    "/supervision/midyear.xlsx": [OK, NO, NO, NO, NO, NO, OK, NO, OK, NO],
    "/designer":              [NO, NO, NO, NO, NO, NO, NO, OK, OK, NO],
    "/designer/versions/1/edit": [NO, NO, NO, NO, NO, NO, NO, OK, OK, NO],
    "/designer/versions/1/files/suggestion.bpmn": [NO, NO, NO, NO, NO, NO, NO, OK, OK, NO],
    "/designer/diff?old=1&new=1": [NO, NO, NO, NO, NO, NO, NO, OK, OK, NO],
    "/designer/migrate":      [NO, NO, NO, NO, NO, NO, NO, OK, OK, NO],
    "/designer/lanes":        [NO, NO, NO, NO, NO, NO, NO, OK, OK, NO],
    "/admin/roles":           [NO, NO, NO, NO, NO, NO, NO, NO, OK, NO],
}
DESIGNER_ACTIONS = {"/designer/validate": {}, "/designer/deploy": {},
                    "/designer/preview": {"schema": "{}"},
                    "/designer/migrate": {"action": "migrate", "process_id": "suggestion",
                                          "to_version": "1"},
                    "/designer/lanes/rules": {"process_id": "suggestion", "lane": "Commission",
                                              "kind": "initiator"},
                    "/designer/lanes/start": {"process_id": "suggestion", "role": "deputy"}}
ADMIN_ACTIONS = {"/admin/roles": {"code": "sneaky", "name_zh": "偷偷", "name_en": "Sneaky"},
                 "/admin/roles/user": {"username": "dep_1", "role": "admin"}}


@pytest.fixture
def world(db, domain_engine, org, login_as):
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
        create_user(s, "admin", "管理员", "admin", "pw")
        add_role(s, "inspection_office", "政府办公厅督查室", "Inspection office", actor="admin",
                 now=domain_engine.clock())
        create_user(s, "inspector", "督查员", "inspection_office", "pw")
    cases = Cases(db, domain_engine, org)
    done_sid, done_case = cases.new(SOLE, deputy="王芳")
    cases.drive(done_case, stop_at={"feedback"})
    sid, case = cases.new(SOLE, deputy="王芳", title="关于另一件事的建议")
    [task] = cases.tasks(case)["acknowledge"]
    with db.session() as s:
        reply = s.scalars(select(Reply.id)).first()
    return {"sid": done_sid, "task": task.id, "reply": reply, "case": case}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_matrix(world, login_as, page):
    url = page.format(**world)
    for user, expected in zip(USERS, PAGES[page]):
        status = login_as(user).get(url).status_code
        assert status == expected, f"{user} GET {url}: {status} != {expected}"


@pytest.mark.parametrize("action", ["complete", "claim", "handover", "upload"])
def test_action_matrix(world, login_as, db, action):
    url = {"complete": "/tasks/{task}", "claim": "/tasks/{task}/claim",
           "handover": "/tasks/{task}/handover", "upload": "/tasks/{task}/attachments"}[action]
    url = url.format(**world)
    data = {"complete": {"action": "complete", "decision": "acknowledge"},
            "claim": {}, "handover": {"to": "transport_reviewer"}, "upload": {}}[action]
    for user in USERS:
        if user == "transport_unit_handler":
            continue
        c = login_as(user)
        response = c.post(url, data)
        assert response.status_code in (302, 403), (user, action, response.status_code)
        from models import HumanTask
        with db.session() as s:
            task = s.get(HumanTask, world["task"])
            assert (task.state, task.assignee) == ("ready", None), (user, action)


@pytest.mark.parametrize("url", list(DESIGNER_ACTIONS))
def test_designer_actions_matrix(world, login_as, client, db, url):
    """Only designers and administrators validate, deploy, preview or migrate; nobody else
    changes anything, and anonymous visitors are sent to the login page."""
    from models import AuditEvent, ProcessVersion
    for user in USERS:
        if user in ("designer", "admin"):
            continue
        response = login_as(user).post(url, DESIGNER_ACTIONS[url])
        assert response.status_code == 403, (user, url, response.status_code)
    anonymous = client.http.get(url.replace("/validate", "").replace("/deploy", "")
                                .replace("/preview", "").replace("/rules", "")
                                .replace("/start", ""))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    with db.session() as s:
        assert s.query(ProcessVersion).count() == 1
        assert s.query(AuditEvent).filter(AuditEvent.action.like("migrate%")).count() == 0
        assert s.query(AuditEvent).filter(AuditEvent.action.in_(
            ["lane_rule", "start_permission"])).count() == 0
    assert login_as("admin").post(url, DESIGNER_ACTIONS[url]).status_code in (200, 302, 400)


@pytest.mark.parametrize("url", list(ADMIN_ACTIONS))
def test_admin_actions_matrix(world, login_as, db, url):
    """Only administrators add roles or change a user's role."""
    from models import Role, User
    for user in USERS:
        if user == "admin":
            continue
        assert login_as(user).post(url, ADMIN_ACTIONS[url]).status_code == 403, (user, url)
    with db.session() as s:
        assert s.scalar(select(Role.id).where(Role.code == "sneaky")) is None
        assert s.scalar(select(User.role).where(User.username == "dep_1")) == "deputy"
