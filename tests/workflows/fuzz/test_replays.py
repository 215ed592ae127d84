"""The shortest walks that broke each invariant on the main of 2026-12-01 (found by the random
walks, shrunk by hand), one per issue-14 item. While an invariant is in KNOWN_BROKEN its test is
an expected failure (strict: a pass says to take the name out); since the fixes they guard the
rules like any test.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Assignment
from workflows import simulate

from tests.conftest import BACKENDS, PG_URL

from ..helpers import Cases
from . import invariants
from .world import World

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
DISSATISFIED = {"satisfaction": "dissatisfied", "comment": "没有解决问题"}


@pytest.fixture(params=BACKENDS)
def world(request):
    walk = World(request.param, PG_URL)
    yield walk
    walk.close()


def broken_on_main(name: str):
    """Expected to fail while `name` is in KNOWN_BROKEN (strict: a pass says to remove it)."""
    return pytest.mark.xfail(invariants.tolerated(name), reason=f"{name} is known broken", strict=True)


def holds(world: World, name: str) -> None:
    invariant = {f.__name__: f for f in invariants.INVARIANTS}[name]
    walk = invariants.Walk(now=world.clock(), engine=world.engine, instance_ids=[])
    with world.db.session() as session:
        problems = invariant(session, walk)
    assert problems == [], "\n".join(problems)


def cases(world: World) -> Cases:
    return Cases(world.db, world.engine, world.province)


def reply_due(c: Cases, sid: int):
    return c.read(lambda s: s.scalars(select(Assignment.reply_due).where(
        Assignment.suggestion_id == sid)).first())


@broken_on_main("replies_reviewed_and_signed")
def test_a_rehandled_reply_is_reviewed_and_signed(world):
    """sole → … → 不满意 → rehandle: the second reply leaves without review and sign-off."""
    c = cases(world)
    sid, case = c.new(SOLE)
    c.drive(case, stop_at={"feedback"})
    c.drive(case, stop_at={"feedback_again"}, answers={"feedback": DISSATISFIED})
    holds(world, "replies_reviewed_and_signed")


@broken_on_main("deadline_timers_pending")
def test_a_unit_that_has_not_acknowledged_has_its_reply_timer(world):
    """sole, just assigned: the unit sits at 签收 and no timer waits for its reply deadline."""
    c = cases(world)
    c.new(SOLE)
    holds(world, "deadline_timers_pending")


@broken_on_main("overdue_assignments_escalated")
def test_a_unit_that_never_acknowledges_is_escalated(world):
    """sole, never acknowledged, the clock a day past the 3-month deadline, timers fired: no
    escalation."""
    c = cases(world)
    sid, _case = c.new(SOLE)
    world.clock.now = reply_due(c, sid) + timedelta(days=1)
    c.fire()
    holds(world, "overdue_assignments_escalated")


@broken_on_main("no_escalation_outlives_its_cause")
def test_an_escalation_ends_with_the_reply(world):
    """sole, at 答复拟稿 past the deadline (escalated), then the reply is issued: the escalation
    stays open."""
    c = cases(world)
    sid, case = c.new(SOLE)
    c.drive(case, stop_at={"draft_reply"})
    world.clock.now = reply_due(c, sid) + timedelta(hours=1)
    c.fire()
    c.drive(case, stop_at={"feedback", "supervise_overdue"})
    holds(world, "no_escalation_outlives_its_cause")


@broken_on_main("merged_cases_end")
def test_a_merged_suggestion_does_not_wait_at_assign(world):
    """Suggestion 1 registered; suggestion 2 assigned as 并案 with merged_numbers [1]: the case
    of suggestion 1 still waits at 交办."""
    c = cases(world)
    c.register()
    c.new({"mode": "merged", "lead_unit": "transport", "co_units": [], "merged_numbers": [1],
           "key_suggestion": False})
    holds(world, "merged_cases_end")


def test_the_invariants_hold_on_a_happy_path(world):
    """lead + two co-units from assignment to closure: every invariant holds (none is
    vacuous: the walk issues a reply, co-opinions and feedback)."""
    c = cases(world)
    sid, case = c.new({"mode": "lead_co", "lead_unit": "transport",
                       "co_units": ["finance", "education"], "key_suggestion": False})
    assert c.drive(case, answers={"draft_reply": {**simulate.ANSWERS["draft_reply"]}}) == set()
    for invariant in invariants.INVARIANTS:
        if not invariants.tolerated(invariant.__name__):
            holds(world, invariant.__name__)
