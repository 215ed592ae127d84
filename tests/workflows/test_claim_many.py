"""Claiming several tasks at once (认领所选): for random tasks and users, each id is counted once
as claimed, taken by someone else or refused, exactly the claimable ones become the user's, and
nothing else changes."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import create_engine, delete, insert, select
from sqlalchemy.orm import Session

from models import AuditEvent, Base, HumanTask
from models.db import utcnow
from workflows import inbox, task_access

from .test_task_access import plain_users, tasks


@pytest.fixture(scope="module")
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[HumanTask.__table__, AuditEvent.__table__])
    with Session(engine) as s:
        yield s
    engine.dispose()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=tasks, user=plain_users, picks=st.lists(st.integers(0, 14), max_size=15))
def test_each_task_is_claimed_counted_or_left_alone(session, rows, user, picks):
    session.execute(delete(HumanTask))
    session.execute(delete(AuditEvent))
    stored = [SimpleNamespace(id=f"00000000-0000-0000-0000-{i:012d}", **row)
              for i, row in enumerate(rows)]
    if stored:
        session.execute(insert(HumanTask), [dict(vars(t), instance_id=1, bpmn_id="step",
                                                 created_at=utcnow()) for t in stored])
    user = SimpleNamespace(**vars(user), substituting=())
    asked = [f"00000000-0000-0000-0000-{p:012d}" for p in picks]
    before = {t.id: t for t in stored}
    result = inbox.claim_many(session, user, asked, utcnow())
    unique = list(dict.fromkeys(asked))
    assert result.claimed + result.taken + result.refused == len(unique)
    claimable = {i for i in unique if i in before and before[i].state == "ready"
                 and task_access.allows(user, before[i])}
    assert result.claimed == len(claimable)
    after = dict(session.execute(select(HumanTask.id, HumanTask.assignee)).tuples().all())
    for task_id, task in before.items():
        expected = user.username if task_id in claimable else task.assignee
        assert after[task_id] == expected
    session.rollback()
