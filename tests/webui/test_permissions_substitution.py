"""Who reaches the substitution page (我的代理), saved filters and claiming several tasks: every
role against each page and action. Each acts on their own things only; another user's
substitution or saved filter is not found (404), whoever asks."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, HumanTask, SavedFilter, Substitution, User
from workflows import saved_filters, substitution
from workflows.users import create_user

from .test_permissions import NO, OK, USERS, world  # noqa: F401  (fixture)

PAGES = {
    "/substitutions":                [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK],
    "/inbox?saved={filter}":         [OK, NO, NO, NO, NO, NO, NO, NO, NO, NO],
}
NOT_FOUND = 404


@pytest.fixture
def owned(world, db, domain_engine):
    """A substitution and a saved filter of `commission`'s, whom `commission2` stands in for."""
    now = domain_engine.clock()
    with db.write() as s:
        create_user(s, "commission2", "工委乙", "commission", "pw")
        me = s.scalar(select(User).where(User.username == "commission"))
        day = substitution.today(now)
        row, errors = substitution.set_substitute(s, me, "commission2", day,
                                                  day + timedelta(days=3), "", now)
        assert not errors
        kept, problem = saved_filters.save(s, me, "逾期", {"overdue": "1"}, now)
        assert problem is None
        return {**world, "substitution": row.id, "filter": kept.id}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_matrix(owned, login_as, page):
    url = page.format(**owned)
    for user, expected in zip(USERS, PAGES[page]):
        status = login_as(user).get(url).status_code
        expected = NOT_FOUND if expected == NO else expected  # another's filter: not found
        assert status == expected, f"{user} GET {url}: {status} != {expected}"


def test_nobody_cancels_or_deletes_what_is_not_theirs(owned, login_as, db):
    for user in USERS:
        if user == "commission":
            continue
        c = login_as(user)
        assert c.post(f"/substitutions/{owned['substitution']}/cancel").status_code == 404, user
        assert c.post(f"/inbox/filters/{owned['filter']}/delete").status_code == 404, user
    with db.session() as s:
        assert s.get(Substitution, owned["substitution"]).cancelled_at is None
        assert s.get(SavedFilter, owned["filter"]) is not None
    owner = login_as("commission")
    assert owner.post(f"/inbox/filters/{owned['filter']}/delete").status_code == 302
    assert owner.post(f"/substitutions/{owned['substitution']}/cancel").status_code == 302
    with db.session() as s:
        assert s.get(Substitution, owned["substitution"]).cancelled_at is not None
        assert s.get(SavedFilter, owned["filter"]) is None


def test_every_role_may_save_a_filter_and_name_only_a_colleague(owned, login_as, db):
    """Each role saves its own filter; naming someone outside one's role and unit is refused
    (400, nothing stored) for every role."""
    for user in USERS:
        c = login_as(user)
        assert c.post("/inbox/filters", {"name": f"f-{user}", "queue": "queue"}).status_code \
            == 302, user
        refused = c.post("/substitutions", {"substitute": "finance_unit_handler",
                                            "starts_on": "2099-01-01", "ends_on": "2099-01-02"})
        assert refused.status_code == 400, user
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SavedFilter)) == len(USERS) + 1
        assert s.scalar(select(func.count()).select_from(Substitution)) == 1


def test_claiming_several_takes_nothing_that_is_not_the_users(world, login_as, db):
    """The acknowledge task in the matrix's world is transport's unit handlers': any other role
    claiming it with the bulk form is told, and the task stays in the queue."""
    for user in USERS:
        if user == "transport_unit_handler":
            continue
        response = login_as(user).post("/inbox/claim", {"task": world["task"]})
        assert response.status_code == 302, user
        with db.session() as s:
            assert s.get(HumanTask, world["task"]).assignee is None, user
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "claim")) == 0
