"""Special committees supervise their own field (issue 17 item 6): who sees which case, the
supervision activity and its audit on the case's timeline."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import create_engine, delete, insert, select, update
from sqlalchemy.orm import Session

from models import (AuditEvent, Base, Committee, CongressSession, Deputy, Suggestion,
                    SupervisionActivity, User)
from models.db import utcnow
from workflows import cases, committees
from workflows.errors import DomainError, FormError, PermissionDenied
from workflows.users import create_user

from .helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
GOOD = {"held_on": "2026-02-20", "form": "law_inspection", "participants": "委员5名",
        "notes": "检查交通安全法实施情况"}


@pytest.fixture
def two_committees(db, domain_engine, org):
    """交通 cases (the helper's field), one moved to 教育; committee A covers 交通, B 教育 and
    is named on a 交通 key case; a member of each."""
    made = Cases(db, domain_engine, org)
    road, road_case = made.new(SOLE)
    school, _ = made.new(SOLE, title="关于乡村教师的建议")
    named, _ = made.new(SOLE, title="关于校车的建议")
    with db.write() as s:
        now = domain_engine.clock()
        s.execute(update(Suggestion).where(Suggestion.id == school).values(field="教育"))
        s.execute(update(Suggestion).where(Suggestion.id == named)
                  .values(special_committee="教科文卫委"))
        a = committees.create_committee(s, "交通委", ["交通"], actor="admin", now=now)
        b = committees.create_committee(s, "教科文卫委", ["教育", "医疗"], actor="admin", now=now)
        for username, committee in (("member_a", a), ("member_b", b)):
            user = create_user(s, username, username, "committee", "pw")
            s.flush()
            committees.add_member(s, user, committee, actor="admin", now=now)
        create_user(s, "loner", "无委员会", "committee", "pw")
    return SimpleNamespace(road=road, road_case=road_case, school=school, named=named,
                           db=db, now=domain_engine.clock())


def _user(s, name):
    return s.scalar(select(User).where(User.username == name))


def test_a_member_sees_the_committees_fields_and_the_cases_naming_it(two_committees):
    t = two_committees
    with t.db.session() as s:
        seen = lambda name: set(s.scalars(select(Suggestion.id).where(  # noqa: E731
            cases.visible_suggestions(_user(s, name)))))
        assert seen("member_a") == {t.road, t.named}
        assert seen("member_b") == {t.school, t.named}
        assert seen("loner") == set()  # no committee yet: nothing
        assert cases.may_see(s, _user(s, "member_b"), t.school)
        assert not cases.may_see(s, _user(s, "member_b"), t.road)


def test_an_activity_is_recorded_audited_and_in_the_timeline(two_committees):
    t = two_committees
    with t.db.write() as s:
        activity = committees.record_activity(s, _user(s, "member_a"), t.road, dict(GOOD),
                                              now=t.now)
        activity_id = activity.id
    with t.db.session() as s:
        [entry] = [e for e in cases.timeline(s, t.road_case)
                   if e.action == "supervision_activity"]
        assert entry.actor == "member_a" and entry.detail["committee"] == "交通委"
        assert entry.detail["form"] == "law_inspection" and entry.detail["held_on"] == "2026-02-20"
        [kept] = committees.activities(s, t.road)
        assert (kept.id, kept.notes, kept.recorded_by) == (activity_id, GOOD["notes"], "member_a")
        assert committees.activity_counts(s, [t.road, t.school]) == {t.road: 1}


@pytest.mark.parametrize("who, case", [("member_b", "road"), ("loner", "road"),
                                       ("commission", "road"), ("leader", "school")])
def test_nobody_else_records_on_a_case(two_committees, who, case):
    t = two_committees
    with t.db.write() as s:
        with pytest.raises(PermissionDenied):
            committees.record_activity(s, _user(s, who), getattr(t, case), dict(GOOD), now=t.now)
    with t.db.session() as s:
        assert s.scalar(select(SupervisionActivity.id)) is None
        assert s.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "supervision_activity")) is None


@pytest.mark.parametrize("change, field", [
    ({"held_on": "2026-13-01"}, "held_on"), ({"held_on": "20260320"}, "held_on"),
    ({"held_on": ""}, "held_on"), ({"held_on": "1999-12-31"}, "held_on"),
    ({"form": "forum"}, "form"), ({"form": ""}, "form"),
    ({"participants": ""}, "participants"), ({"participants": "人" * 501}, "participants"),
    ({"notes": "a\x00b"}, "notes"), ({"notes": "   "}, "notes"),
])
def test_what_was_typed_is_checked(two_committees, change, field):
    t = two_committees
    with t.db.write() as s:
        with pytest.raises(FormError) as refused:
            committees.record_activity(s, _user(s, "member_a"), t.road, {**GOOD, **change},
                                       now=t.now)
    assert field in refused.value.errors


def test_a_future_date_and_an_unknown_case_are_refused(two_committees):
    t = two_committees
    tomorrow = (t.now + timedelta(days=1)).date().isoformat()
    assert "held_on" in committees.activity_problems({**GOOD, "held_on": tomorrow}, t.now.date())
    with t.db.write() as s:
        with pytest.raises(DomainError):
            committees.record_activity(s, _user(s, "member_a"), 987654, dict(GOOD), now=t.now)
        with pytest.raises(DomainError):
            committees.create_committee(s, "交通委", ["交通"], actor="admin", now=t.now)
        with pytest.raises(DomainError):
            committees.create_committee(s, "新委员会", ["不存在的领域"], actor="admin", now=t.now)
        with pytest.raises(DomainError):
            committees.add_member(s, _user(s, "commission"), s.scalar(select(Committee)),
                                  actor="admin", now=t.now)


# ---- the rule, for random committees and suggestions: SQL selects what the rule says ----
FIELDS = ("交通", "教育", "医疗", "农业")
NAMES = ("甲委", "乙委", "丙委")


@pytest.fixture(scope="module")
def memory():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(CongressSession(id=1, congress=14, meeting=3, year=2026, name="x"))
        s.add(Deputy(id=1, name="d", electoral_unit="e"))
        s.commit()
        yield s


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(covered=st.lists(st.frozensets(st.sampled_from(FIELDS)), min_size=3, max_size=3),
       suggestions=st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from((None, *NAMES))),
                            max_size=12))
def test_a_committee_sees_exactly_its_fields_and_the_cases_naming_it(memory, covered,
                                                                      suggestions):
    s = memory
    from models import CommitteeField
    for model in (Suggestion, CommitteeField, Committee):
        s.execute(delete(model))
    for n, (name, fields) in enumerate(zip(NAMES, covered), start=1):
        s.add(Committee(id=n, name=name))
        s.flush()
        s.add_all([CommitteeField(committee_id=n, field=f) for f in fields])
    if suggestions:
        s.execute(insert(Suggestion), [{
            "id": i + 1, "congress_session_id": 1, "number": i + 1, "title": "t", "body": "",
            "field": field, "year": 2026, "lead_deputy_id": 1, "registered_at": utcnow(),
            "special_committee": named} for i, (field, named) in enumerate(suggestions)])
    for n, (name, fields) in enumerate(zip(NAMES, covered), start=1):
        member = SimpleNamespace(role="committee", committee_id=n)
        seen = set(s.scalars(select(Suggestion.id).where(cases.visible_suggestions(member))))
        assert seen == {i + 1 for i, (field, named) in enumerate(suggestions)
                        if field in fields or named == name}
    s.rollback()
