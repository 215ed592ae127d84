"""The organisation's administration pages: units, divisions, deputies, sessions and users;
the one-time link; the first-login change; deactivation."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Deputy, Division, HumanTask, PasswordLink, Unit, User
from workflows.users import create_user

from .conftest import Client

LINK = re.compile(r'id="link" value="http://localhost(/password-link/[^"]+)"')


@pytest.fixture
def admin(db, org, login_as):
    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
    return login_as("admin")


def ids(db, model, **where):
    with db.session() as s:
        return s.scalar(select(model.id).filter_by(**where))


def test_every_page_shows_in_chinese(admin, db):
    for url in ["/admin/units", f"/admin/units/{ids(db, Unit, code='transport')}",
                "/admin/deputies", f"/admin/deputies/{ids(db, Deputy, name='王芳')}",
                "/admin/sessions", "/admin/sessions/1", "/admin/users",
                f"/admin/users/{ids(db, User, username='dep_1')}", "/admin/organisation/import"]:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert "组织机构" in response.get_data(as_text=True)
    found = admin.get("/admin/units?q=交通").get_data(as_text=True)
    assert "省交通运输厅" in found and "省财政厅" not in found


def test_a_unit_is_created_with_its_kind_and_divisions_and_audited(admin, db):
    response = admin.post("/admin/units", {"code": "zzb", "name": "省委组织部", "kind": "party_mass"})
    assert response.status_code == 302
    unit_id = ids(db, Unit, code="zzb")
    assert admin.post(f"/admin/units/{unit_id}/divisions", {"name": "干部处"}).status_code == 302
    division_id = ids(db, Division, unit_id=unit_id)
    assert admin.post(f"/admin/units/{unit_id}/divisions/{division_id}",
                      {"name": "干部一处"}).status_code == 302
    with db.session() as s:
        assert s.get(Unit, unit_id).kind == "party_mass"
        assert s.get(Division, division_id).name == "干部一处"
        actions = [e.action for e in s.scalars(select(AuditEvent).where(
            AuditEvent.actor == "admin", AuditEvent.action != "login").order_by(AuditEvent.id))]
    assert actions == ["unit_created", "division_created", "division_changed"]


def test_a_refused_form_keeps_what_was_typed(admin, db):
    response = admin.post("/admin/units", {"code": "transport", "name": "新的单位<b>", "kind": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="新的单位&lt;b&gt;"' in page and "请从列表中选择" in page
    response = admin.post("/admin/units", {"code": "transport", "name": "新的单位",
                                           "kind": "government"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="transport"' in page and "该代码已被其他单位使用" in page
    assert '<option value="government" selected>' in page
    response = admin.post("/admin/sessions", {"congress": "十四", "meeting": "3", "year": "2026",
                                              "name": "会议", "opened_on": "2026-02-30"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="十四"' in page and "YYYY-MM-DD" in page
    unit_id = ids(db, Unit, code="transport")
    response = admin.post(f"/admin/units/{unit_id}/divisions", {"name": "省交通运输厅综合处"})
    assert response.status_code == 400 and "本单位已有同名处室" in response.get_data(as_text=True)


@pytest.mark.parametrize("url, data", [
    ("/admin/units", {"code": "x" * 5000, "name": "n", "kind": "other"}),
    ("/admin/units", {"code": "ok", "name": "a\x00b", "kind": "other"}),
    ("/admin/deputies", {"name": "张\u202e三", "electoral_unit": "长沙市", "email": "x@y"}),
    ("/admin/users", {"username": "new1", "name": "新", "role": "deputy", "deputy_id": "99999999999"}),
    ("/admin/users", {"username": "new1", "name": "新", "role": "root"}),
    ("/admin/users", {"username": "new1", "name": "新", "role": "unit_handler",
                      "unit_id": "1", "division_id": "9"}),
])
def test_hostile_values_are_refused_with_a_message(admin, db, url, data):
    response = admin.post(url, data)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/units/0", "/admin/units/99999999999",
                                 "/admin/users/424242", "/admin/deputies/-1",
                                 "/admin/units/abc", "/admin/sessions/3000000000"])
def test_bad_ids_answer_404(admin, url):
    assert admin.get(url).status_code == 404
    assert admin.post(url, {"name": "x"}).status_code == 404


def test_a_division_of_another_unit_cannot_be_renamed_through_this_one(admin, db):
    transport, finance = ids(db, Unit, code="transport"), ids(db, Unit, code="finance")
    foreign = ids(db, Division, unit_id=finance)
    assert admin.post(f"/admin/units/{transport}/divisions/{foreign}",
                      {"name": "偷改"}).status_code == 404


def test_posts_need_the_csrf_token(admin):
    assert admin.post("/admin/units", {"code": "c", "name": "n", "kind": "other"},
                      csrf=False).status_code == 400
    assert admin.post("/admin/users/1/active", {"active": "0"}, csrf=False).status_code == 400


def _create(admin, **extra) -> str:
    response = admin.post("/admin/users", {"username": "newbie", "name": "新同事",
                                           "role": "unit_handler", "unit_id": "1", **extra})
    assert response.status_code == 200, response.get_data(as_text=True)
    return LINK.search(response.get_data(as_text=True)).group(1)


def test_a_new_user_sets_a_password_through_the_link_once(admin, app, db):
    link = _create(admin)
    user = Client(app)
    assert user.login("newbie", "").status_code == 401  # no password yet
    assert user.get(link).status_code == 200
    response = user.post(link, {"new": "short", "confirm": "short"})
    assert response.status_code == 400 and "至少10个字符" in response.get_data(as_text=True)
    response = user.post(link, {"new": "a-long-password", "confirm": "a-long-password"})
    assert response.status_code == 302 and response.location.endswith("/inbox")
    assert user.get("/inbox").status_code == 200
    assert Client(app).get(link).status_code == 404  # used
    again = Client(app)
    assert again.login("newbie", "a-long-password").status_code == 302
    assert again.get("/inbox").status_code == 200  # no forced change after the link
    with db.session() as s:
        actions = {e.action for e in s.scalars(select(AuditEvent))}
    assert {"user_created", "password_link_issued", "password_set_by_link"} <= actions


def test_an_expired_or_wrong_link_opens_nothing(admin, app, db, clock):
    link = _create(admin)
    assert Client(app).get(link[:-3] + "abc").status_code == 404
    assert Client(app).get("/password-link/" + "x" * 500).status_code == 404
    with db.write() as s:
        for row in s.scalars(select(PasswordLink)):
            row.expires_at = clock() - timedelta(seconds=1)
    c = Client(app)
    assert c.get(link).status_code == 404
    c.get("/login")
    assert c.post(link, {"new": "a-long-password", "confirm": "a-long-password"}).status_code \
        == 404


def test_a_reset_ends_the_old_password_and_a_newer_link_ends_the_older(admin, app, db):
    first = _create(admin)
    user_id = ids(db, User, username="newbie")
    response = admin.post(f"/admin/users/{user_id}/reset")
    second = LINK.search(response.get_data(as_text=True)).group(1)
    assert Client(app).get(first).status_code == 404 and Client(app).get(second).status_code == 200
    dep = ids(db, User, username="dep_1")
    admin.post(f"/admin/users/{dep}/reset")
    assert Client(app).login("dep_1", "pw").status_code == 401


def test_login_leads_to_the_password_page_until_it_is_changed(app, db, org):
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == "commission"))
        user.must_change_password = True
    c = Client(app)
    assert c.login("commission").status_code == 302
    assert c.get("/inbox").location.endswith("/password")
    assert c.get("/cases").location.endswith("/password")
    assert c.get("/password").status_code == 200
    c.post("/password", {"current": "pw", "new": "a-long-password",
                         "confirm": "a-long-password"})
    assert c.get("/inbox").status_code == 200


def test_deactivation_stops_login_releases_tasks_and_is_audited(admin, app, db, org,
                                                                 domain_engine, login_as):
    from ..workflows.helpers import Cases
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "co_units": [],
                            "key_suggestion": False}, deputy="王芳")
    [task] = cases.tasks(case)["acknowledge"]
    handler = login_as("transport_unit_handler")
    assert handler.post(f"/tasks/{task.id}/claim").status_code in (302, 303)
    with db.session() as s:
        assert s.get(HumanTask, task.id).assignee == "transport_unit_handler"
    user_id = ids(db, User, username="transport_unit_handler")
    response = admin.post(f"/admin/users/{user_id}/active", {"active": "0"})
    assert response.status_code == 302
    assert handler.get("/inbox").status_code == 302  # the session ended
    assert Client(app).login("transport_unit_handler").status_code == 401
    with db.session() as s:
        assert s.get(HumanTask, task.id).assignee is None
        events = {e.action: e for e in s.scalars(select(AuditEvent))}
    assert events["user_deactivated"].actor == "admin"
    assert events["release"].detail["reason"] == "account_deactivated"
    assert admin.post(f"/admin/users/{user_id}/active", {"active": "maybe"}).status_code == 400
    assert admin.post(f"/admin/users/{user_id}/active", {"active": "1"}).status_code == 302
    assert Client(app).login("transport_unit_handler").status_code == 302
    me = ids(db, User, username="admin")
    admin.post(f"/admin/users/{me}/active", {"active": "0"})
    assert admin.get("/admin/units").status_code == 200  # one's own account stays active


def test_linking_an_account_to_a_paper_deputy_hands_over_the_feedback(admin, db, org,
                                                                       domain_engine):
    """张伟's account is deactivated: the feedback task goes to the commission (代录); a new
    account linked to 张伟 takes it back."""
    from ..workflows.helpers import Cases
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "co_units": [],
                            "key_suggestion": False}, deputy="张伟")
    cases.drive(case, stop_at={"feedback"})
    account = ids(db, User, username=f"dep_{org.deputies['张伟']}")
    admin.post(f"/admin/users/{account}/active", {"active": "0"})
    with db.session() as s:
        task = s.scalar(select(HumanTask).where(HumanTask.instance_id == case,
                                                HumanTask.state == "ready"))
        assert (task.candidate_role, task.assignee) == ("commission", None)
    _create(admin, role="deputy", unit_id="", deputy_id=str(org.deputies["张伟"]))
    with db.session() as s:
        task = s.get(HumanTask, task.id)
        assert (task.candidate_role, task.assignee) == ("deputy", "newbie")


def test_a_username_or_a_unit_code_cannot_be_changed(admin, db):
    """Tasks and the audit trail name people by username, cases name units by code."""
    user_id = ids(db, User, username="dep_1")
    response = admin.post(f"/admin/users/{user_id}", {"username": "dep_one", "name": "王芳",
                                                      "role": "deputy"})
    assert response.status_code == 400 and "用户名不能修改" in response.get_data(as_text=True)
    unit_id = ids(db, Unit, code="transport")
    response = admin.post(f"/admin/units/{unit_id}", {"code": "traffic", "name": "省交通运输厅",
                                                      "kind": "government"})
    assert response.status_code == 400 and "单位代码不能修改" in response.get_data(as_text=True)
    response = admin.post(f"/admin/units/{unit_id}", {"code": "transport", "name": "省交通厅",
                                                      "kind": "government"})
    assert response.status_code == 302
