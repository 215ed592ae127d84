"""Substitution during absence (代理) through the real process: who may name whom, the absent
holder's tasks going to the substitute (and no further), completions and the letter's 签发人."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, HumanTask, Reply, Substitution, User
from workflows import cases as case_rules, inbox, replies, substitution, task_access, tasks
from workflows.errors import DomainError
from workflows.letter import letter_blocks
from workflows.users import create_user

from .helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def world(db, domain_engine, org):
    with db.write() as s:
        create_user(s, "transport_signer2", "交通副职", "signer", "pw", unit_code="transport")
        create_user(s, "transport_reviewer2", "审核乙", "reviewer", "pw", unit_code="transport")
        create_user(s, "transport_reviewer3", "审核丙", "reviewer", "pw", unit_code="transport")
    return Cases(db, domain_engine, org)


def _user(s, name) -> User:
    return s.scalar(select(User).where(User.username == name))


def _set(db, engine, absent, substitute, days=(0, 5), reason=""):
    now = engine.clock()
    today = substitution.today(now)
    with db.write() as s:
        row, errors = substitution.set_substitute(
            s, _user(s, absent), substitute, today + timedelta(days=days[0]),
            today + timedelta(days=days[1]), reason, now)
        return (row.id if row else None), errors


@pytest.mark.parametrize("absent, substitute, field", [
    ("transport_reviewer", "transport_reviewer", "substitute"),   # oneself
    ("transport_reviewer", "finance_reviewer", "substitute"),     # another unit
    ("transport_reviewer", "transport_signer", "substitute"),     # another role
    ("transport_reviewer", "nobody", "substitute"),               # no such user
    ("dep_1", "dep_2", "substitute"),                             # a deputy's tasks are theirs
])
def test_only_a_colleague_of_the_same_role_and_unit_may_stand_in(world, db, domain_engine,
                                                                  absent, substitute, field):
    row, errors = _set(db, domain_engine, absent, substitute)
    assert row is None and field in errors
    with db.session() as s:
        assert s.scalar(select(Substitution.id)) is None


def test_dates_and_overlaps_are_checked(world, db, domain_engine):
    assert "ends_on" in _set(db, domain_engine, "transport_reviewer", "transport_reviewer2",
                             (3, 1))[1]
    assert "ends_on" in _set(db, domain_engine, "transport_reviewer", "transport_reviewer2",
                             (-5, -1))[1]
    assert "ends_on" in _set(db, domain_engine, "transport_reviewer", "transport_reviewer2",
                             (0, 400))[1]
    assert "reason" in _set(db, domain_engine, "transport_reviewer", "transport_reviewer2",
                            (0, 1), "很长" * 200)[1]
    first, errors = _set(db, domain_engine, "transport_reviewer", "transport_reviewer2", (0, 5))
    assert first and not errors
    assert "starts_on" in _set(db, domain_engine, "transport_reviewer", "transport_reviewer3",
                               (5, 9))[1]  # shares a day: the ranges are inclusive
    later, errors = _set(db, domain_engine, "transport_reviewer", "transport_reviewer3", (6, 9))
    assert later and not errors


def _review_held_by_reviewer(world, db, domain_engine):
    sid, case = world.new(SOLE)
    world.drive(case, stop_at={"review"})
    [review] = world.tasks(case)["review"]
    with db.write() as s:
        inbox.claim(s, _user(s, "transport_reviewer"), review.id, domain_engine.clock())
    return sid, case, review


def test_the_absent_holders_task_goes_to_the_substitute_and_no_further(world, db,
                                                                      domain_engine):
    sid, case, review = _review_held_by_reviewer(world, db, domain_engine)
    _set(db, domain_engine, "transport_reviewer", "transport_reviewer2")
    _set(db, domain_engine, "transport_reviewer2", "transport_reviewer3")  # a chain
    now = domain_engine.clock()
    with db.session() as s:
        def mine(name):
            who = substitution.acting(s, _user(s, name), now)
            return {t.id for t in tasks.my_tasks(s, who, case)}
        assert review.id in mine("transport_reviewer")  # the absent user still sees it
        assert review.id in mine("transport_reviewer2")
        assert review.id not in mine("transport_reviewer3")  # no chains
        held = set(s.scalars(select(HumanTask.id).where(task_access.held(
            substitution.acting(s, _user(s, "transport_reviewer2"), now)))))
        assert review.id in held
    world.complete("transport_reviewer2", case, "review", {"review_decision": "approve"})
    with db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.task_id == review.id,
                                                  AuditEvent.action == "complete"))
        assert event.actor == "transport_reviewer2"
        assert event.detail["data"][substitution.ON_BEHALF_KEY] == "transport_reviewer"
        [entry] = [e for e in case_rules.timeline(s, case) if e.detail is event.detail
                   or e.at == event.at and e.action == "complete" and e.step == "review"]
        assert (entry.actor, entry.on_behalf_of) == ("审核乙", "transport reviewer")


def test_a_cancelled_or_future_substitution_gives_nothing(world, db, domain_engine):
    sid, case, review = _review_held_by_reviewer(world, db, domain_engine)
    future, _ = _set(db, domain_engine, "transport_reviewer", "transport_reviewer2", (2, 4))
    now = domain_engine.clock()
    with db.session() as s:
        assert substitution.acting(s, _user(s, "transport_reviewer2"), now).substituting == ()
    with db.write() as s:
        substitution.cancel(s, _user(s, "transport_reviewer"), future, now)
    current, _ = _set(db, domain_engine, "transport_reviewer", "transport_reviewer2", (0, 3))
    with db.write() as s:
        with pytest.raises(DomainError):  # only one's own
            substitution.cancel(s, _user(s, "transport_reviewer2"), current, now)
        substitution.cancel(s, _user(s, "transport_reviewer"), current, now)
        with pytest.raises(DomainError):  # already ended
            substitution.cancel(s, _user(s, "transport_reviewer"), current, now)
    with db.session() as s:
        assert substitution.acting(s, _user(s, "transport_reviewer2"), now).substituting == ()
        actions = set(s.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("substitution_%"))))
        assert actions == {"substitution_set", "substitution_cancelled"}
    with pytest.raises(Exception):
        world.complete("transport_reviewer2", case, "review", {"review_decision": "approve"})


def test_a_signers_substitute_signs_in_their_name_on_the_letter(world, db, domain_engine):
    sid, case = world.new(SOLE)
    world.drive(case, stop_at={"sign_off"})
    _set(db, domain_engine, "transport_signer", "transport_signer2", reason="出差")
    world.complete("transport_signer2", case, "sign_off", {"sign_decision": "approve"})
    world.drive(case, stop_at={"feedback"})
    with db.session() as s:
        reply = s.scalar(select(Reply))
        assert (reply.signer, reply.signer_substitute) == ("transport signer", "交通副职")
        blocks = dict(letter_blocks(replies.letter_data(s, reply)))
        assert blocks["signer"] == "签发人：transport signer（交通副职 代签）"


def test_a_signer_signing_themselves_is_named_alone(world, db, domain_engine):
    sid, case = world.new(SOLE)
    world.drive(case, stop_at={"feedback"})
    with db.session() as s:
        reply = s.scalar(select(Reply))
        assert reply.signer_substitute is None
        assert dict(letter_blocks(replies.letter_data(s, reply)))["signer"] == \
            f"签发人：{reply.signer}"


def test_a_queue_task_is_the_substitutes_own_except_a_sign_off(world, db, domain_engine):
    """Reviewer2 may review from the queue by their own role: not on the absent's behalf."""
    sid, case = world.new(SOLE)
    world.drive(case, stop_at={"review"})
    [review] = world.tasks(case)["review"]
    _set(db, domain_engine, "transport_reviewer", "transport_reviewer2")
    world.complete("transport_reviewer2", case, "review", {"review_decision": "approve"})
    with db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.task_id == review.id,
                                                  AuditEvent.action == "complete"))
        assert substitution.ON_BEHALF_KEY not in event.detail["data"]
