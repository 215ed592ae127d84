"""我的代理 on the web: naming a substitute (hostile input refused, what was typed kept), the
substitute's inbox marking the absent colleague's task, doing it, and where a step leads next."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import AuditEvent, HumanTask, Substitution
from workflows import substitution
from workflows.users import create_user

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def cases(db, domain_engine, org):
    with db.write() as s:
        create_user(s, "transport_reviewer2", "审核乙", "reviewer", "pw", unit_code="transport")
    return Cases(db, domain_engine, org)


def _days(domain_engine, *offsets):
    today = substitution.today(domain_engine.clock())
    return [(today + timedelta(days=n)).isoformat() for n in offsets]


@pytest.mark.parametrize("form, field", [
    ({"substitute": "transport_reviewer2", "starts_on": "2026-13-01"}, "starts_on"),
    ({"substitute": "transport_reviewer2", "starts_on": "x" * 500}, "starts_on"),
    ({"substitute": "transport_reviewer2", "ends_on": "２０２６-０１-０１"}, "ends_on"),
    ({"substitute": "finance_reviewer"}, "substitute"),        # another unit
    ({"substitute": "transport_signer"}, "substitute"),        # another role
    ({"substitute": "transport_reviewer"}, "substitute"),      # oneself
    ({"substitute": "x" * 5000}, "substitute"),                # over-long, no such user
    ({"substitute": "transport_reviewer2", "reason": "长" * 300}, "reason"),
    ({"substitute": "transport_reviewer2", "reason": "a\x00b"}, "reason"),
])
def test_hostile_substitution_forms_are_refused_keeping_what_was_typed(
        cases, login_as, db, domain_engine, form, field):
    start, end = _days(domain_engine, 0, 2)
    posted = {"starts_on": start, "ends_on": end, "reason": "出差", **form}
    response = login_as("transport_reviewer").post("/substitutions", posted)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and f'id="error-{field}"' in page
    if field != "substitute" and len(posted["reason"]) < 200 and "\x00" not in posted["reason"]:
        assert f'value="{posted["reason"]}"' in page  # what was typed is shown again
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Substitution)) == 0


@pytest.mark.parametrize("url", ["/substitutions/0/cancel", "/substitutions/99999999999/cancel",
                                 "/substitutions/abc/cancel", "/substitutions/1/cancel"])
def test_cancelling_what_does_not_exist_is_not_found(cases, login_as, url):
    assert login_as("transport_reviewer").post(url).status_code == 404


def test_the_substitute_sees_marks_and_does_the_absent_colleagues_task(cases, login_as, db,
                                                                        domain_engine):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"review"})
    [review] = cases.tasks(case)["review"]
    absent = login_as("transport_reviewer")
    assert absent.post(f"/tasks/{review.id}/claim").status_code == 302
    start, end = _days(domain_engine, 0, 3)
    saved = absent.post("/substitutions", {"substitute": "transport_reviewer2",
                                           "starts_on": start, "ends_on": end, "reason": "出差"})
    assert saved.status_code == 302
    page = absent.get("/substitutions").get_data(as_text=True)
    assert "审核乙" in page and "代理中" in page and "取消代理" in page
    substitute = login_as("transport_reviewer2")
    listed = substitute.get("/substitutions").get_data(as_text=True)
    assert 'id="standing-in"' in listed and "transport reviewer" in listed
    inbox = substitute.get("/inbox").get_data(as_text=True)
    assert review.id in inbox and "代理：transport reviewer" in inbox
    assert review.id in absent.get("/inbox").get_data(as_text=True)  # still theirs too
    assert substitute.get(f"/tasks/{review.id}").status_code == 200
    done = substitute.post(f"/tasks/{review.id}", {"review_decision": "approve"})
    assert done.status_code == 302 and done.headers["Location"] == f"/cases/{sid}"
    case_page = substitute.get(done.headers["Location"]).get_data(as_text=True)
    # Nothing more for the reviewer: the case waits at the signer's queue of the unit.
    assert "案件现在等待：签发（省交通运输厅 · 主要负责同志）" in case_page
    assert "代 transport reviewer" in case_page  # the timeline: on whose behalf
    with db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.task_id == review.id,
                                                  AuditEvent.action == "complete"))
        assert (event.actor, event.detail["data"]["on_behalf_of"]) == \
            ("transport_reviewer2", "transport_reviewer")


def test_after_a_step_the_cases_next_task_of_the_user_opens(cases, login_as, db):
    sid, case = cases.new(SOLE)
    [acknowledge] = cases.tasks(case)["acknowledge"]
    handler = login_as("transport_unit_handler")
    done = handler.post(f"/tasks/{acknowledge.id}", {"decision": "acknowledge"})
    with db.session() as s:
        following = s.scalars(select(HumanTask).where(
            HumanTask.instance_id == case, HumanTask.state == "ready",
            HumanTask.candidate_role == "unit_handler").order_by(HumanTask.due_at)).first()
    assert following is not None
    assert done.status_code == 302 and done.headers["Location"] == f"/tasks/{following.id}"
    assert "下一项任务" in handler.get(done.headers["Location"]).get_data(as_text=True)


def test_a_name_with_a_nul_is_nobody_not_a_database_error(login_as):
    """The PostgreSQL walk found a 500: a NUL in the name reached the query."""
    response = login_as("transport_reviewer").post("/substitutions", {
        "substitute": "\x00", "starts_on": "2026-03-03", "ends_on": "2026-03-04", "reason": ""})
    assert response.status_code == 400
