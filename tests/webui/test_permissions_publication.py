"""Who reaches the publication pages: the review queue and pages are the commission's alone; the
public page is anybody's, logged in or not."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Publication

from .test_permissions import NO, OK, USERS, world  # noqa: F401  (fixture)

PAGES = {
    "/publication":                   [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO],
    "/publication/replies/{reply}":   [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO],
    "/public":                        [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "/public?q=铁路":                  [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_matrix(world, login_as, client, page):  # noqa: F811
    url = page.format(**world)
    for user, expected in zip(USERS, PAGES[page]):
        status = login_as(user).get(url).status_code
        assert status == expected, f"{user} GET {url}: {status} != {expected}"
    anonymous = client.http.get(url)
    if url.split("?")[0] == "/public":
        assert anonymous.status_code == 200
    else:
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("decision", ["approve", "withhold", "withdraw"])
def test_only_the_commission_decides(world, login_as, client, db, decision):  # noqa: F811
    url = f"/publication/replies/{world['reply']}"
    data = {"decision": decision, "reason": "理由", "mask": "0"}
    for user in USERS:
        if user == "commission":
            continue
        assert login_as(user).post(url, data).status_code == 403, (user, decision)
    client.get("/login")
    response = client.post(url, data)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Publication)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action.like("publication_%"))) == 0
    expected = 302 if decision != "withdraw" else 400  # nothing published to withdraw yet
    assert login_as("commission").post(url, data).status_code == expected
