"""A person of another unit, or another role, can neither see nor complete a task not theirs."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import HumanTask, User
from workflows import tasks
from workflows.errors import PermissionDenied

from .helpers import Cases


@pytest.fixture
def cases(db, domain_engine, org):
    return Cases(db, domain_engine, org)


def _task(cases, case, bpmn_id):
    [task] = cases.tasks(case)[bpmn_id]
    return task


@pytest.mark.parametrize("username, allowed", [
    ("transport_unit_handler", True),
    ("finance_unit_handler", False),   # another unit, same role
    ("transport_reviewer", False),     # same unit, another role
    ("commission", False),
    ("dep_1", False),
    ("leader", False),
])
def test_only_the_units_handler_sees_and_completes_the_acknowledgement(cases, db, domain_engine,
                                                                         username, allowed):
    sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "co_units": [],
                           "key_suggestion": False})
    task = _task(cases, case, "acknowledge")
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        visible = [t.id for t in tasks.my_tasks(session, user)]
    assert (task.id in visible) is allowed
    if allowed:
        cases.complete(username, case, "acknowledge", {"decision": "acknowledge"})
        return
    with pytest.raises(PermissionDenied):
        with db.write() as session:
            user = session.scalar(select(User).where(User.username == username))
            tasks.complete(session, domain_engine, user, task.id, {"decision": "acknowledge"})
    with db.session() as session:
        assert session.get(HumanTask, task.id).state == "ready"


def test_feedback_belongs_to_the_lead_deputy_only(cases, db, domain_engine):
    sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "co_units": [],
                           "key_suggestion": False}, deputy="王芳")
    cases.drive(case, stop_at={"feedback"})
    task = _task(cases, case, "feedback")
    assert task.assignee == "dep_1"
    with db.session() as session:
        other = session.scalar(select(User).where(User.username == "dep_2"))
        assert task.id not in [t.id for t in tasks.my_tasks(session, other)]
    with pytest.raises(PermissionDenied):
        with db.write() as session:
            other = session.scalar(select(User).where(User.username == "dep_2"))
            tasks.complete(session, domain_engine, other, task.id, {"satisfaction": "satisfied"})


def test_assignment_checks_show_what_is_wrong(cases, db, domain_engine):
    from engine import FormError
    sid = cases.register()
    with pytest.raises(FormError) as err:
        cases.complete("commission", cases.case(sid), "assign", {
            "mode": "lead_co", "lead_unit": "transport", "co_units": ["nowhere", "transport"],
            "key_suggestion": True})
    assert set(err.value.errors) == {"co_units", "supervising_leader"}
    assert set(cases.tasks(cases.case(sid))) == {"assign"}
