"""Who reaches the assignment-table import (the commission) and the time limits and calendar
(administrators): every role against each new page and action; anonymous visitors are sent to
the login page, and nobody else changes anything."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from models import AuditEvent, CalendarDay, Setting, Suggestion

from ..workflows.test_bulk_import import GOOD, workbook
from .test_permissions import NO, OK, USERS, world  # noqa: F401  (fixture)

PAGES = {
    "/assignment-table":               [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO],
    "/assignment-table/template.xlsx": [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO],
    "/admin/settings":                 [NO, NO, NO, NO, NO, NO, NO, NO, OK, NO],
}
ACTIONS = {  # url -> (form, the roles allowed)
    "/assignment-table/check": ({"congress_session": "1"}, ("commission",)),
    "/assignment-table/confirm": ({"token": "x" * 43, "sha256": "0" * 64}, ("commission",)),
    "/admin/settings/limits": ({"reply_months": "7"}, ("admin",)),
    "/admin/settings/days": ({"first": "2027-01-01", "kind": "holiday"}, ("admin",)),
    "/admin/settings/days/remove": ({"day": "2027-01-01"}, ("admin",)),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_matrix(world, login_as, client, page):
    for user, expected in zip(USERS, PAGES[page]):
        status = login_as(user).get(page).status_code
        assert status == expected, f"{user} GET {page}: {status} != {expected}"
    anonymous = client.http.get(page)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("url", list(ACTIONS))
def test_action_matrix(world, login_as, client, db, url):
    data, allowed = ACTIONS[url]
    for user in USERS:
        if user in allowed:
            continue
        c = login_as(user)
        form = dict(data)
        if url.endswith("/check"):
            form["table"] = (io.BytesIO(workbook(GOOD)), "t.xlsx")
        response = c.post(url, form, content_type="multipart/form-data")
        assert response.status_code == NO, (user, url, response.status_code)
    assert client.http.post(url, data=data).status_code in (302, 400)  # login or CSRF first
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Suggestion)) == 2  # the world's
        assert s.scalars(select(Setting)).all() == [] and s.scalars(select(CalendarDay)).all() == []
        assert s.scalars(select(AuditEvent.id).where(AuditEvent.action.in_((
            "assignment_table_checked", "settings_changed", "calendar_days_set")))).all() == []


def test_the_nav_links_show_to_their_role_only(world, login_as):
    for user in USERS:
        html = login_as(user).get("/inbox").get_data(as_text=True)
        assert ('id="import-link"' in html) == (user == "commission"), user
        assert ('id="admin-link"' in html) == (user == "admin"), user  # 管理 → 时限与日历
