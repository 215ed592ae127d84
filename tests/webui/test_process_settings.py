"""流程设置 (process settings) and 角色 (roles) pages: lane rules, start permissions, roles; and a
user of a role added by the administrator doing the tasks of a lane given to it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import Package
from models import AuditEvent, LaneRule, StartPermission, User
from workflows import designer as designer_rules
from workflows.users import create_user

from ..conftest import BPMN
from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def staff(db, login_as):
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
        create_user(s, "admin", "管理员", "admin", "pw")
    return login_as("designer"), login_as("admin")


def test_the_page_lists_every_lane_rule_of_each_process(staff):
    designer, _admin = staff
    html = designer.get("/designer/lanes").get_data(as_text=True)
    assert 'id="process-unit_handling"' in html and 'data-lane="CoUnit"' in html
    assert "单位中的角色" in html and "领衔代表" in html
    assert "代表工委" in html  # who may start the suggestion process


def test_a_rule_is_added_from_the_page_and_a_bad_one_is_shown_beside_its_field(staff, db):
    designer, _admin = staff
    designer.get("/designer/lanes")
    bad = designer.post("/designer/lanes/rules", {"process_id": "other", "lane": "Office",
                                                  "kind": "unit_role", "role": "reviewer",
                                                  "path": "branch.__class__"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="error-path"' in html
    assert 'value="branch.__class__"' in html and 'value="Office"' in html  # kept as typed
    good = designer.post("/designer/lanes/rules", {"process_id": "other", "lane": "Office",
                                                   "kind": "unit_role", "role": "reviewer",
                                                   "path": "branch.unit"})
    assert good.status_code == 302
    with db.session() as s:
        rule = s.scalar(select(LaneRule).where(LaneRule.process_id == "other"))
        assert (rule.kind, rule.role, rule.path, rule.updated_by) == (
            "unit_role", "reviewer", "branch.unit", "designer")
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "lane_rule")).one()
        assert event.actor == "designer" and event.detail["after"]["lane"] == "Office"


def test_deleting_a_rule_in_use_is_refused_with_the_reason(staff, db):
    designer, _admin = staff
    with db.session() as s:
        rule_id = s.scalar(select(LaneRule.id).where(LaneRule.process_id == "unit_handling",
                                                     LaneRule.lane == "Signer"))
    designer.get("/designer/lanes")
    response = designer.post(f"/designer/lanes/rules/{rule_id}/delete")
    assert response.status_code == 302
    html = designer.get("/designer/lanes").get_data(as_text=True)
    assert "不能删除" in html and "Signer" in html
    with db.session() as s:
        assert s.get(LaneRule, rule_id) is not None


def test_the_json_endpoint_adds_a_rule_with_csrf_only(staff, db):
    designer, _admin = staff
    designer.get("/designer/lanes")
    body = {"process_id": "unit_handling", "lane": "Inspection", "kind": "role",
            "role": "commission"}
    assert designer.http.post("/designer/lanes/rules.json", json=body).status_code == 400
    response = designer.http.post("/designer/lanes/rules.json", json=body,
                                  headers={"X-CSRFToken": designer.token})
    assert response.status_code == 200 and response.get_json()["ok"] is True
    refused = designer.http.post("/designer/lanes/rules.json", json=dict(body, kind="boss"),
                                 headers={"X-CSRFToken": designer.token})
    assert refused.status_code == 400 and "kind" in refused.get_json()["problems"]
    with db.session() as s:
        assert s.scalar(select(LaneRule.kind).where(LaneRule.lane == "Inspection")) == "role"


def test_start_permissions_are_given_and_taken_on_the_page(staff, db):
    designer, _admin = staff
    designer.get("/designer/lanes")
    designer.post("/designer/lanes/start", {"process_id": "unit_handling", "role": "committee",
                                            "action": "allow"})
    with db.session() as s:
        assert s.scalar(select(StartPermission.role).where(
            StartPermission.process_id == "unit_handling")) == "committee"
    designer.post("/designer/lanes/start", {"process_id": "unit_handling", "role": "committee",
                                            "action": "deny"})
    with db.session() as s:
        assert s.scalar(select(StartPermission.role).where(
            StartPermission.process_id == "unit_handling")) is None
        assert [e.detail["change"] for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "start_permission"))] == ["allow", "deny"]


def test_an_administrator_adds_a_role_and_gives_it_to_a_user(staff, db):
    _designer, admin = staff
    admin.get("/admin/roles")
    bad = admin.post("/admin/roles", {"code": "Bad Code", "name_zh": "督查室", "name_en": "x"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="error-code"' in html and 'value="Bad Code"' in html
    assert admin.post("/admin/roles", {"code": "inspection_office", "name_zh": "政府办公厅督查室",
                                       "name_en": "Inspection office"}).status_code == 302
    assert admin.post("/admin/roles/user", {"username": "leader2",
                                            "role": "inspection_office"}).status_code == 302
    refused = admin.post("/admin/roles/user", {"username": "nobody", "role": "commission"})
    assert refused.status_code == 400 and 'id="error-username"' in refused.get_data(as_text=True)
    with db.session() as s:
        assert s.scalar(select(User.role).where(User.username == "leader2")) == \
            "inspection_office"
    page = admin.get("/admin/roles").get_data(as_text=True)
    assert "政府办公厅督查室" in page
    admin.get("/lang/en")
    assert "Inspection office" in admin.get("/admin/roles").get_data(as_text=True)


def test_a_user_of_an_added_role_does_the_tasks_of_its_lane_and_nothing_else(
        staff, db, domain_engine, org, login_as):
    _designer, admin = staff
    admin.get("/admin/roles")
    admin.post("/admin/roles", {"code": "inspection_office", "name_zh": "政府办公厅督查室",
                                "name_en": "Inspection office"})
    with db.write() as s:
        create_user(s, "inspector", "督查员", "inspection_office", "pw")
        from workflows.lanes import set_rule
        set_rule(s, process_id="unit_handling", lane="Inspection", kind="role",
                 role="inspection_office", actor="designer", now=domain_engine.clock())
        files = dict(Package.from_folder(BPMN).files)
        files["unit_handling.bpmn"] = files["unit_handling.bpmn"].replace(
            'name="Reviewer"', 'name="Inspection"', 1)
        designer_rules.deploy(s, domain_engine, files, "designer")
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"review"})
    [review] = cases.tasks(case)["review"]
    inspector = login_as("inspector")
    inbox = inspector.get("/inbox?queue=queue").get_data(as_text=True)
    assert f"/tasks/{review.id}" in inbox and "政府办公厅督查室" in inbox  # its name, not its code
    assert inspector.get(f"/tasks/{review.id}").status_code == 200
    done = inspector.post(f"/tasks/{review.id}", {"action": "complete",
                                                  "review_decision": "approve"})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert "sign_off" in cases.tasks(case)
    for url in ("/register", "/designer", "/designer/lanes", "/admin/roles", "/supervision"):
        assert inspector.get(url).status_code == 403, url
