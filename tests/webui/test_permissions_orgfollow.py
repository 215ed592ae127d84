"""Who reaches the administrator's home (管理), the committees tab (专门委员会) and the
organisation import's confirmation and error report: administrators only; everyone else 403,
anonymous visitors to the login page; nothing changes when they try."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Committee, CommitteeField, User
from workflows.committees import create_committee
from workflows.users import create_user

from .test_permissions import NO, OK, USERS, world  # noqa: F401 - the fixture is used by name

ADMIN_ONLY = [OK if user == "admin" else NO for user in USERS]
PAGES = ["/admin", "/admin/committees", "/admin/committees/{committee}"]
ACTIONS = {
    "/admin/committees": {"name": "偷偷委", "fields": ["交通"]},
    "/admin/committees/{committee}": {"name": "改名", "fields": ["教育"]},
    "/admin/committees/{committee}/members": {"user_id": "{member}"},
    "/admin/committees/{committee}/members/{member}/remove": {},
    "/admin/organisation/import/confirm": {"token": "a" * 43, "sha256": "0" * 64},
}


@pytest.fixture
def committee(world, db, domain_engine):
    with db.write() as s:
        made = create_committee(s, "交通委", ["交通"], actor="admin", now=domain_engine.clock())
        member = create_user(s, "cm_x", "委员", "committee", "pw")
        member.committee_id = made.id
        s.flush()
        return {"committee": made.id, "member": member.id}


def _state(db):
    with db.session() as s:
        return (s.execute(select(Committee.id, Committee.name)).all(),
                s.execute(select(CommitteeField.committee_id, CommitteeField.field)).all(),
                s.execute(select(User.username, User.committee_id)).all(),
                s.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.action.like("committee_%")
                    | AuditEvent.action.like("organisation_%"))))


@pytest.mark.parametrize("page", PAGES)
def test_page_matrix(committee, login_as, client, page):
    url = page.format(**committee)
    for user, expected in zip(USERS, ADMIN_ONLY):
        status = login_as(user).get(url).status_code
        assert status == expected, f"{user} GET {url}: {status} != {expected}"
    anonymous = client.http.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_error_report_is_the_administrators_own(committee, login_as):
    for user in USERS:
        status = login_as(user).get("/admin/organisation/report/" + "a" * 43 + ".xlsx").status_code
        assert status == (404 if user == "admin" else NO), user


@pytest.mark.parametrize("url", list(ACTIONS))
def test_action_matrix(committee, login_as, client, db, url):
    url_, data = url.format(**committee), {k: v.format(**committee) if isinstance(v, str) else v
                                           for k, v in ACTIONS[url].items()}
    before = _state(db)
    for user in USERS:
        if user == "admin":
            continue
        response = login_as(user).post(url_, data)
        assert response.status_code == NO, (user, url_, response.status_code)
    client.get("/login")
    assert client.post(url_, data).status_code == 302  # anonymous: to the login page
    assert _state(db) == before
    assert login_as("admin").post(url_, data).status_code in (200, 302, 400, 409)


def test_the_header_groups_the_administration_under_one_link(committee, login_as):
    for user in USERS:
        html = login_as(user).get("/inbox").get_data(as_text=True)
        header = html.split("</header>")[0]
        assert ('id="admin-link"' in header) == (user == "admin"), user
        assert 'id="org-link"' not in header and ">角色管理<" not in header
        assert (">流程设计<" in header) == (user == "designer"), user
    home = login_as("admin").get("/admin").get_data(as_text=True)
    for link in ("org-link", "roles-link", "settings-link", "designer-link", "lanes-link"):
        assert f'id="{link}"' in home
