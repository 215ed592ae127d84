"""Who reaches the bulletin figures and the committees' supervision (issue 17 items 5 and 6):
every role of tests/webui/test_permissions.py, plus a member of the committee covering the
world's 交通 case and a member of another committee."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import AuditEvent, SupervisionActivity, User
from workflows import committees
from workflows.users import create_user

from .test_permissions import NO, OK, USERS, world  # noqa: F401 (the fixture)

MEMBERS = ["member", "other_member"]
EVERYONE = USERS + MEMBERS
OK_ = 302  # a redirect after a successful post
# page -> expected status per user (USERS' order, then the two committee members)
PAGES = {
    "/supervision/bulletin":      [OK, NO, NO, NO, NO, NO, OK, NO, OK, NO, OK, OK],
    "/supervision/bulletin.xlsx": [OK, NO, NO, NO, NO, NO, OK, NO, OK, NO, OK, OK],
    "/committee":                 [NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, OK, OK],
    "/committee/cases/{sid}/activity": [NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, OK, NO],
    "/cases/{sid}":               [OK, OK, OK, NO, OK, NO, OK, NO, OK, NO, OK, NO],
    "/replies/{reply}/letter":    [OK, OK, OK, NO, OK, NO, OK, NO, OK, NO, OK, NO],
}
ACTIVITY = {"held_on": "2026-02-20", "form": "briefing", "participants": "委员",
            "notes": "听取专题汇报"}


@pytest.fixture
def members(world, db, domain_engine):  # noqa: F811
    with db.write() as s:
        now = domain_engine.clock()
        road = committees.create_committee(s, "交通委", ["交通"], actor="admin", now=now)
        health = committees.create_committee(s, "卫生委", ["医疗"], actor="admin", now=now)
        for username, committee in (("member", road), ("other_member", health)):
            user = create_user(s, username, username, "committee", "pw")
            s.flush()
            committees.add_member(s, user, committee, actor="admin", now=now)
    return world


@pytest.mark.parametrize("page", list(PAGES))
def test_page_matrix(members, login_as, page):
    url = page.format(**members)
    for user, expected in zip(EVERYONE, PAGES[page]):
        status = login_as(user).get(url).status_code
        assert status == expected, f"{user} GET {url}: {status} != {expected}"


def test_only_the_committees_member_records_an_activity(members, login_as, db):
    url = "/committee/cases/{sid}/activity".format(**members)
    for user in EVERYONE:
        if user == "member":
            continue
        assert login_as(user).post(url, ACTIVITY).status_code == NO, user
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionActivity)) == 0
    assert login_as("member").post(url, ACTIVITY).status_code == OK_
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionActivity)) == 1
        assert s.scalar(select(AuditEvent.actor).where(
            AuditEvent.action == "supervision_activity")) == "member"


def test_a_member_without_a_committee_sees_no_case(members, login_as, db):
    with db.write() as s:
        s.scalar(select(User).where(User.username == "member")).committee_id = None
    c = login_as("member")
    assert c.get("/cases/{sid}".format(**members)).status_code == NO
    assert "您尚未加入专门委员会" in c.get("/committee").get_data(as_text=True)
