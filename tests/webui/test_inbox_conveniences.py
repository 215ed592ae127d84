"""Inbox conveniences on the web: saved filters (checked on save and on use, one's own only),
claiming several ticked tasks (each on its own terms), and the inbox's statements not growing
with its rows or saved filters."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from models import HumanTask, SavedFilter, User
from workflows.users import create_user

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
FINANCE = {**SOLE, "lead_unit": "finance"}


@pytest.fixture
def cases(db, domain_engine, org):
    with db.write() as s:
        create_user(s, "transport_unit_handler2", "承办乙", "unit_handler", "pw",
                    unit_code="transport")
    return Cases(db, domain_engine, org)


def _saved(db, username):
    with db.session() as s:
        return s.scalars(select(SavedFilter).join(User, User.id == SavedFilter.user_id)
                         .where(User.username == username).order_by(SavedFilter.id)).all()


def test_a_saved_filter_is_listed_used_and_deleted(cases, login_as, db):
    c = login_as("transport_unit_handler")
    saved = c.post("/inbox/filters", {"name": "逾期待认领", "queue": "queue", "overdue": "1"})
    [kept] = _saved(db, "transport_unit_handler")
    assert kept.query == {"queue": "queue", "overdue": "1"}
    assert saved.headers["Location"] == f"/inbox?saved={kept.id}"
    page = c.get(saved.headers["Location"]).get_data(as_text=True)
    assert "逾期待认领" in page and 'id="tab-queue"' in page
    assert re.search(r'name="overdue" value="1" checked', page)  # the filter is applied
    assert c.post("/inbox/filters", {"name": "逾期待认领"}).status_code == 302  # same name
    assert "已有同名的筛选" in c.get("/inbox?filter_name=x").get_data(as_text=True)
    assert c.post(f"/inbox/filters/{kept.id}/delete").status_code == 302
    assert _saved(db, "transport_unit_handler") == []


@pytest.mark.parametrize("form", [
    {"name": "x", "queue": "bogus"}, {"name": "x", "due_within": "-1"},
    {"name": "x", "due_within": "99999999999"}, {"name": "x", "step": "s" * 200},
    {"name": "x", "field": "a\x00b"},
])
def test_saving_bogus_filter_parameters_is_refused(cases, login_as, db, form):
    assert login_as("transport_unit_handler").post("/inbox/filters", form).status_code == 400
    assert _saved(db, "transport_unit_handler") == []


@pytest.mark.parametrize("name", ["", "   ", "名" * 65, "a\x07b"])
def test_a_bad_name_is_refused_and_kept(cases, login_as, db, name):
    c = login_as("transport_unit_handler")
    response = c.post("/inbox/filters", {"name": name, "overdue": "1"})
    assert response.status_code == 302 and "overdue=1" in response.headers["Location"]
    assert _saved(db, "transport_unit_handler") == []


@pytest.mark.parametrize("saved", ["abc", "0", "-1", "99999999999", "1.5"])
def test_a_bogus_saved_filter_id_is_refused(cases, login_as, saved):
    assert login_as("transport_unit_handler").get(f"/inbox?saved={saved}").status_code == 400


def test_a_stored_filter_no_longer_valid_is_refused_on_use(cases, login_as, db, domain_engine):
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == "transport_unit_handler"))
        row = SavedFilter(user_id=user.id, name="旧", query={"queue": "bogus"},
                          created_at=domain_engine.clock())
        s.add(row)
        s.flush()
        filter_id = row.id
    c = login_as("transport_unit_handler")
    assert c.get(f"/inbox?saved={filter_id}").status_code == 400
    assert login_as("transport_reviewer").get(f"/inbox?saved={filter_id}").status_code == 404


def test_claiming_several_counts_each_on_its_own_terms(cases, login_as, db):
    mine = [cases.tasks(cases.new(SOLE, title=f"建议{n}")[1])["acknowledge"][0].id
            for n in range(3)]
    other = cases.tasks(cases.new(SOLE, title="被人认领")[1])["acknowledge"][0].id
    foreign = cases.tasks(cases.new(FINANCE, title="别的单位")[1])["acknowledge"][0].id
    finished_case = cases.new(SOLE, title="已办")[1]
    finished = cases.tasks(finished_case)["acknowledge"][0].id
    cases.complete("transport_unit_handler2", finished_case, "acknowledge",
                   {"decision": "acknowledge"})
    assert login_as("transport_unit_handler2").post(f"/tasks/{other}/claim").status_code == 302
    c = login_as("transport_unit_handler")
    page = c.get("/inbox?queue=queue").get_data(as_text=True)
    # One bulk form with one button; the ticks belong to it, the rows' own forms hold none.
    assert page.count('form="claim-selected"') == page.count("data-task=") >= 4
    bulk = re.search(r'<form[^>]*id="claim-selected".*?</form>', page, re.S).group(0)
    assert bulk.count("<button") == 1 and 'name="task"' not in bulk
    response = c.post("/inbox/claim", {"task": [*mine, other, foreign, finished],
                                       "next": "/inbox?queue=queue"})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox?queue=queue"
    message = c.get("/inbox").get_data(as_text=True)
    assert "认领 3 项，1 项已被他人认领，2 项无法认领（已办结或不属于您）" in message
    with db.session() as s:
        holders = dict(s.execute(select(HumanTask.id, HumanTask.assignee).where(
            HumanTask.id.in_([*mine, other, foreign]))).tuples().all())
    assert holders == {**{t: "transport_unit_handler" for t in mine},
                       other: "transport_unit_handler2", foreign: None}


@pytest.mark.parametrize("form", [{"task": "not-a-task"}, {"task": ["0" * 8] * 2},
                                  {"task": ["00000000-0000-0000-0000-000000000000"] * 101}])
def test_bogus_claims_are_refused(cases, login_as, form):
    assert login_as("transport_unit_handler").post("/inbox/claim", form).status_code == 400


def test_claiming_nothing_says_so(cases, login_as):
    c = login_as("transport_unit_handler")
    assert c.post("/inbox/claim", {}).status_code == 302
    assert "请先勾选要认领的任务" in c.get("/inbox").get_data(as_text=True)


def test_the_inbox_reads_as_many_statements_for_many_rows_and_filters(cases, login_as, db, app):
    """No per-row or per-filter query: the same statements for 1 task and 1 filter as for 4
    tasks and 4 filters."""
    c = login_as("transport_unit_handler")

    def statements() -> int:
        seen = []
        listen = lambda *args: seen.append(1)  # noqa: E731
        engine = db.engine
        event.listen(engine, "before_cursor_execute", listen)
        try:
            assert c.get("/inbox?queue=queue").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len(seen)

    cases.new(SOLE, title="一")
    c.post("/inbox/filters", {"name": "f0"})
    c.get("/inbox?queue=queue")  # caches warm
    few = statements()
    for n in range(3):
        cases.new(SOLE, title=f"多{n}")
        c.post("/inbox/filters", {"name": f"f{n + 1}", "overdue": "1" if n else ""})
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SavedFilter)) == 4
    assert statements() == few
