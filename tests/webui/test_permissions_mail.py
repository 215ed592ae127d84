"""Who reaches the notification settings (通知设置): every signed-in user their own page and
nobody another's; only administrators see the mails given up."""
from __future__ import annotations

from sqlalchemy import select

from models import User

from .test_permissions import NO, OK, USERS, world  # noqa: F401 (a fixture)

PAGES = {
    "/notifications/settings":              [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "/notifications/settings?user=dep_1":   [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
}
# Who sees the administrator's list of failed mails on the page.
OUTBOX = [NO, NO, NO, NO, NO, NO, NO, NO, OK, NO]


def test_page_matrix(world, login_as, client):
    for url, expected in PAGES.items():
        for user, status in zip(USERS, expected):
            response = login_as(user).get(url)
            assert response.status_code == status, (user, url, response.status_code)
        anonymous = client.http.get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_only_administrators_see_the_failed_mails(world, login_as):
    for user, expected in zip(USERS, OUTBOX):
        html = login_as(user).get("/notifications/settings").get_data(as_text=True)
        assert ('id="mail-outbox"' in html) == (expected == OK), user


def test_each_user_changes_only_their_own_settings(world, login_as, db):
    """A user's page shows their own address; a posted `username` or `user` names nobody:
    the change is the poster's."""
    for user in USERS:
        c = login_as(user)
        response = c.post("/notifications/settings",
                          {"email": f"{user}@example.org", "language": "zh", "kinds": "task",
                           "username": "admin", "user": "admin", "id": "1"})
        assert response.status_code == 302, (user, response.status_code)
    with db.session() as s:
        addresses = dict(s.execute(select(User.username, User.email)).all())
    assert all(addresses[user] == f"{user}@example.org" for user in USERS)
    for user in USERS:
        html = login_as(user).get("/notifications/settings?user=admin").get_data(as_text=True)
        assert f'value="{user}@example.org"' in html
        others = [u for u in USERS if u != user and f"{u}@example.org" in html]
        # Administrators' own list of failed mails may name others; it is empty here.
        assert others == [], (user, others)


def test_anonymous_posts_change_nothing(world, client, db):
    response = client.http.post("/notifications/settings", data={"email": "x@example.org"})
    assert response.status_code in (302, 400)
    with db.session() as s:
        assert s.scalar(select(User.id).where(User.email.is_not(None))) is None
