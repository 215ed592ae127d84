"""The one rule of who may see or do a task (issue 16): for random tasks and users, the SQL the
lists use selects exactly the tasks the Python predicate (task page, completion, claim) allows,
and the inbox's tabs together are that rule."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.orm import Session

from models import HumanTask
from models.db import utcnow
from workflows import deputies, task_access

ROLES = ("reviewer", "unit_handler", deputies.DEPUTY_ROLE, deputies.ON_BEHALF_ROLE)
UNITS = ("transport", "finance")
NAMES = ("ann", "bob", "cai")

plain_users = st.builds(
    lambda name, role, unit, active: SimpleNamespace(
        username=name, role=role, active=active,
        unit=None if unit is None else SimpleNamespace(code=unit)),
    st.sampled_from(NAMES), st.sampled_from(ROLES), st.sampled_from((None, *UNITS)),
    st.booleans())
# A user standing in for absent colleagues (代理); an absent one may stand in for others in turn
# (a chain, which must give the user nothing more).
absents = st.builds(lambda user, theirs: SimpleNamespace(**vars(user), substituting=theirs),
                    plain_users, st.lists(plain_users, max_size=1))
users = st.builds(lambda user, absent: SimpleNamespace(**vars(user), substituting=absent),
                  plain_users, st.lists(absents, max_size=2))


def _alone(user):
    """`user` as themselves, standing in for nobody."""
    return SimpleNamespace(**{**vars(user), "substituting": ()})


def _on_behalf(user, task) -> bool:
    """A task an absent colleague of `user` holds and may do themselves (no chains)."""
    return any(task.assignee == a.username and task_access.allows(_alone(a), task)
               for a in user.substituting)
tasks = st.lists(st.fixed_dictionaries({
    "candidate_role": st.sampled_from((None, *ROLES)),
    "candidate_unit": st.sampled_from((None, *UNITS)),
    "assignee": st.sampled_from((None, *NAMES)),
    "state": st.sampled_from(("ready", "ready", "completed")),
}), max_size=12)


@pytest.fixture(scope="module")
def session():
    """The task table alone, in memory: the rule reads nothing else."""
    engine = create_engine("sqlite://")
    HumanTask.__table__.create(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _store(session, rows) -> list[SimpleNamespace]:
    session.execute(delete(HumanTask))
    stored = [SimpleNamespace(id=f"t{i}", **row) for i, row in enumerate(rows)]
    if stored:
        session.execute(insert(HumanTask), [
            dict(vars(t), instance_id=1, bpmn_id="step", created_at=utcnow()) for t in stored])
    return stored


def _ids(session, *where) -> set[str]:
    return set(session.scalars(select(HumanTask.id).where(*where)))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tasks, user=users)
def test_the_lists_select_exactly_the_tasks_the_predicate_allows(session, rows, user):
    stored = _store(session, rows)
    ready = {t.id for t in stored if t.state == "ready"}
    allowed = {t.id for t in stored if task_access.allows(user, t)} & ready
    assert _ids(session, HumanTask.state == "ready", task_access.visible(user)) == allowed
    # The queue is the rule for unclaimed tasks; held ones are "mine".
    queue = _ids(session, task_access.unclaimed(user))
    assert queue == {t.id for t in stored if t.id in allowed and t.assignee is None}
    mine = _ids(session, task_access.held(user))
    assert mine == {t.id for t in stored if t.id in ready
                    and (t.assignee == user.username or _on_behalf(user, t))}
    assert (mine & allowed) | queue == allowed
    # The queue is the tasks bound to a unit and those bound to none, each once (the inbox
    # counts its tab as the two parts' sum); without unit-less tasks waiting, the
    # index-friendly queue is the same queue.
    bound = _ids(session, task_access.unclaimed(user, unit_less=False))
    less = task_access.unit_less_queue(user)
    unbound = _ids(session, less) if less is not None else set()
    assert bound | unbound == queue and not bound & unbound
    if not unbound:
        assert bound == queue


@settings(max_examples=300, deadline=None)
@given(rows=tasks, user=users)
def test_a_task_handed_over_is_one_the_rule_lets_its_new_holder_do(rows, user):
    for i, row in enumerate(rows):
        task = SimpleNamespace(id=f"t{i}", **row)
        if task_access.may_take_over(user, task):
            handed = SimpleNamespace(**{**row, "assignee": user.username})
            assert task_access.allows(SimpleNamespace(**{**vars(user), "active": True}), handed)


@settings(max_examples=300, deadline=None)
@given(rows=tasks, user=users)
def test_a_substitute_gets_exactly_the_absent_holders_tasks_and_no_chain(rows, user):
    """Standing in adds the tasks an absent colleague holds (and may do), nothing of their own
    substitutes; a queue task stays the substitute's by their own rule alone."""
    for i, row in enumerate(rows):
        task = SimpleNamespace(id=f"t{i}", **row)
        expected = task_access.allows(_alone(user), task) or (
            user.active and _on_behalf(user, task))
        assert task_access.allows(user, task) == expected
        # Whose stead: only an absent holder's task, or (a sign-off) one in the queue.
        assert (task_access.on_behalf_of(user, task) is not None) == (
            user.active and _on_behalf(user, task))
        absent = task_access.on_behalf_of(user, task, unclaimed=True)
        if absent is not None:
            assert any(a.username == absent and task_access.allows(_alone(a), task)
                       and task.assignee in (None, absent) for a in user.substituting)
