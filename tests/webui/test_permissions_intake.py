"""Who reaches the online submission pages (提出建议) and tasks: every role against each page
and action (allowed, 403 or redirect)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import HumanTask, ProcessInstance
from workflows import intake

from ..workflows.intake_helpers import Intake
from .test_permissions import NO, OK, USERS, world  # noqa: F401  (world is a fixture)

# USERS: commission, transport_unit_handler, transport_reviewer, finance_unit_handler,
#        dep_1 (王芳), dep_2 (李强), leader, designer, admin, inspector
PAGES = {
    "/intake":           [NO, NO, NO, NO, OK, OK, NO, NO, NO, NO],
    "/tasks/{draft}":    [NO, NO, NO, NO, OK, NO, NO, NO, NO, NO],
    "/tasks/{review}":   [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO],
}
ASSIST = [OK, NO, NO, NO, OK, OK, NO, NO, NO, NO]
START = [NO, NO, NO, NO, 302, 302, NO, NO, NO, NO]


@pytest.fixture
def places(world, db, domain_engine, org):  # noqa: F811
    flow = Intake(db, domain_engine, org)
    drafting = flow.start("王芳")
    reviewed = flow.start("王芳")
    flow.draft(reviewed, "submit")
    [draft] = flow.ready(drafting, intake.DRAFT)
    [review] = flow.ready(reviewed, intake.REVIEW)
    return {**world, "draft": draft.id, "review": review.id}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_matrix(places, login_as, page):
    url = page.format(**places)
    for user, expected in zip(USERS, PAGES[page]):
        status = login_as(user).get(url).status_code
        assert status == expected, f"{user} GET {url}: {status} != {expected}"


def test_assist_matrix(places, login_as):
    for user, expected in zip(USERS, ASSIST):
        c = login_as(user)
        c.get("/inbox")
        status = c.http.post("/intake/assist", data={"title": "城际铁路"},
                             headers={"X-CSRFToken": c.token}).status_code
        assert status == expected, (user, status)


def test_start_matrix(places, login_as, db):
    with db.session() as s:
        before = s.scalar(select(func.count(ProcessInstance.id)).where(
            ProcessInstance.process_id == intake.PROCESS_ID))
    for user, expected in zip(USERS, START):
        assert login_as(user).post("/intake/new").status_code == expected, user
    with db.session() as s:
        assert s.scalar(select(func.count(ProcessInstance.id)).where(
            ProcessInstance.process_id == intake.PROCESS_ID)) == before + 2


@pytest.mark.parametrize("task", ["draft", "review"])
def test_only_the_owner_completes(places, login_as, db, task):
    owner = {"draft": "dep_1", "review": "commission"}[task]
    data = {"title": "越权", "field": "交通", "body": "越权", "action": "submit",
            "decision": "accept", "_action": "complete"}
    for user in USERS:
        if user == owner:
            continue
        response = login_as(user).post(f"/tasks/{places[task]}", data)
        assert response.status_code in (302, 403), (user, task, response.status_code)
        with db.session() as s:
            assert s.get(HumanTask, places[task]).state == "ready", (user, task)
