"""Who reaches the organisation's administration: every role against each page and action
(administrators only; everyone else 403, anonymous visitors to the login page; the one-time
link's page is for anyone holding a valid link)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import AuditEvent, CongressSession, Deputy, Division, PasswordLink, Unit, User

from .test_permissions import NO, OK, USERS, world  # noqa: F401 - the fixture is used by name

ADMIN_ONLY = [OK if user == "admin" else NO for user in USERS]
PAGES = ["/admin/units", "/admin/units/1", "/admin/deputies", "/admin/deputies/1",
         "/admin/sessions", "/admin/sessions/1", "/admin/users", "/admin/users/1",
         "/admin/organisation/import", "/admin/organisation/template.xlsx"]
ACTIONS = {
    "/admin/units": {"code": "sneaky", "name": "偷偷单位", "kind": "other"},
    "/admin/units/1": {"code": "transport", "name": "改名", "kind": "other"},
    "/admin/units/1/divisions": {"name": "偷偷处"},
    "/admin/units/1/divisions/1": {"name": "偷偷改名"},
    "/admin/deputies": {"name": "偷偷", "electoral_unit": "长沙市"},
    "/admin/deputies/1": {"name": "改名", "electoral_unit": "长沙市"},
    "/admin/sessions": {"congress": "15", "meeting": "1", "year": "2028", "name": "偷偷"},
    "/admin/sessions/1": {"congress": "14", "meeting": "3", "year": "2026", "name": "改名"},
    "/admin/users": {"username": "sneaky", "name": "偷偷", "role": "admin"},
    "/admin/users/1": {"username": "dep_1", "name": "改名", "role": "admin"},
    "/admin/users/2/active": {"active": "0"},
    "/admin/users/2/reset": {},
    "/admin/organisation/import": {"workbook": "", "digest": ""},
}


def _state(db):
    with db.session() as s:
        return ([s.scalar(select(func.count()).select_from(m)) for m in
                 (Unit, Division, Deputy, CongressSession, User, PasswordLink)],
                sorted(s.execute(select(Unit.name)).scalars()),
                sorted(s.execute(select(User.username, User.name, User.role, User.active)).all()),
                s.scalar(select(Deputy.name).where(Deputy.id == 1)),
                s.scalar(select(CongressSession.name)))


@pytest.mark.parametrize("page", PAGES)
def test_page_matrix(world, login_as, client, page):
    for user, expected in zip(USERS, ADMIN_ONLY):
        status = login_as(user).get(page).status_code
        assert status == expected, f"{user} GET {page}: {status} != {expected}"
    anonymous = client.http.get(page)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("url", list(ACTIONS))
def test_action_matrix(world, login_as, client, db, url):
    before = _state(db)
    for user in USERS:
        if user == "admin":
            continue
        response = login_as(user).post(url, ACTIONS[url])
        assert response.status_code == NO, (user, url, response.status_code)
    client.get("/login")
    assert client.post(url, ACTIONS[url]).status_code == 302  # anonymous: to the login page
    assert _state(db) == before
    with db.session() as s:
        assert not s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("%_created") | AuditEvent.action.like("%_changed")
            | AuditEvent.action.like("user_%activated") | AuditEvent.action.like("password_%")))
    assert login_as("admin").post(url, ACTIONS[url]).status_code in (200, 302, 400)


def test_the_link_page_is_for_anyone_with_a_valid_link(world, login_as, client):
    assert client.http.get("/password-link/" + "a" * 43).status_code == 404
    for user in USERS:
        assert login_as(user).get("/password-link/" + "a" * 43).status_code == 404
