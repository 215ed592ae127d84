"""Special committees' supervision of their own field (专门委员会对口督办).

A committee covers fields (领域, `models.vocabulary.FIELDS`); its members (role `committee`,
`User.committee_id`) see the suggestions of those fields and those whose `special_committee`
(set at assignment) names the committee, and nothing else. On such a case they record
supervision activities (督办活动: date, form, participants, notes); each is audited on the case,
so it shows in the case's timeline.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from models import (AuditEvent, Committee, CommitteeField, Suggestion, SupervisionActivity,
                    User, vocabulary)

from . import text
from .errors import DomainError, FormError, PermissionDenied

FORMS = vocabulary.SUPERVISION_FORMS
ROLE = "committee"
EARLIEST = date(2000, 1, 1)  # an activity's date before this is a typing error
ACTIVITY_FIELDS = ("held_on", "form", "participants", "notes")


def cases_of(committee_id: int):
    """SQL condition on Suggestion: the cases committee `committee_id` supervises — its fields',
    and those whose special committee is named as it is."""
    fields = select(CommitteeField.field).where(CommitteeField.committee_id == committee_id)
    name = select(Committee.name).where(Committee.id == committee_id).scalar_subquery()
    return or_(Suggestion.field.in_(fields), Suggestion.special_committee == name)


def visible_to(user: User):
    """SQL condition on Suggestion for a committee member: their committee's cases (none for a
    member not yet given a committee)."""
    if user.committee_id is None:
        return false()
    return cases_of(user.committee_id)


def may_supervise(session: Session, user: User, suggestion_id: int) -> bool:
    """A committee member, on a case of their committee."""
    if user.role != ROLE or user.committee_id is None:
        return False
    return session.scalar(select(Suggestion.id).where(
        Suggestion.id == suggestion_id, cases_of(user.committee_id))) is not None


def committee_cases(session: Session, committee_id: int, limit: int = 500) -> list[Suggestion]:
    """The committee's cases, by session (newest first) and number."""
    return list(session.scalars(select(Suggestion).where(cases_of(committee_id))
                                .order_by(Suggestion.congress_session_id.desc(),
                                          Suggestion.number).limit(limit)))


def activity_counts(session: Session, suggestion_ids: list[int]) -> dict[int, int]:
    """Suggestion id -> how many supervision activities it has had (any committee's)."""
    if not suggestion_ids:
        return {}
    counts: dict[int, int] = {}
    for sid in session.scalars(select(SupervisionActivity.suggestion_id)
                               .where(SupervisionActivity.suggestion_id.in_(suggestion_ids))):
        counts[sid] = counts.get(sid, 0) + 1
    return counts


def activities(session: Session, suggestion_id: int) -> list[SupervisionActivity]:
    """A case's supervision activities, by date."""
    return list(session.scalars(select(SupervisionActivity)
                                .where(SupervisionActivity.suggestion_id == suggestion_id)
                                .order_by(SupervisionActivity.held_on, SupervisionActivity.id)))


def activity_problems(values: dict[str, str], today: date) -> dict[str, str]:
    """Field -> why an activity as typed cannot be kept ("中文 (English)")."""
    found = text.problems(text.SUPERVISION_ACTIVITY, {k: values.get(k, "")
                                                      for k in ("participants", "notes")})
    try:
        held_on = date.fromisoformat(values.get("held_on") or "")
        if len(values["held_on"]) != 10:
            raise ValueError("not YYYY-MM-DD")
    except (ValueError, TypeError):
        found["held_on"] = "请填写日期，格式为年-月-日 (Give the date as YYYY-MM-DD)"
    else:
        if not EARLIEST <= held_on <= today:
            found["held_on"] = "日期不能晚于今天 (The date cannot be in the future)" \
                if held_on > today else "日期过早 (The date is too early)"
    if values.get("form") not in FORMS:
        found["form"] = "请选择督办形式 (Choose the form of supervision)"
    return found


def record_activity(session: Session, user: User, suggestion_id: int, values: dict[str, str],
                    *, now: datetime) -> SupervisionActivity:
    """Record a committee member's supervision activity on a case of their committee, audited
    on the case (its timeline shows it). FormError on what was typed; PermissionDenied for
    anyone else's case."""
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise DomainError(f"no suggestion {suggestion_id}")
    if not may_supervise(session, user, suggestion_id):
        raise PermissionDenied("只能督办本委员会对口领域的建议 "
                               "(only the committee's own cases may be supervised)")
    errors = activity_problems(values, now.date())
    if errors:
        raise FormError(errors)
    committee = session.get(Committee, user.committee_id)
    activity = SupervisionActivity(
        suggestion_id=suggestion_id, committee_id=committee.id, held_on=values["held_on"],
        form=values["form"], participants=values["participants"], notes=values["notes"],
        recorded_by=user.username, recorded_at=now)
    session.add(activity)
    session.flush()
    session.add(AuditEvent(at=now, actor=user.username, action="supervision_activity",
                           instance_id=suggestion.instance_id, detail={
                               "activity_id": activity.id, "suggestion_id": suggestion_id,
                               "committee": committee.name, "held_on": activity.held_on,
                               "form": activity.form, "participants": activity.participants}))
    return activity


def create_committee(session: Session, name: str, fields: list[str], *, actor: str,
                     now: datetime) -> Committee:
    """A special committee covering `fields` (codes of vocabulary.FIELDS), audited."""
    errors = text.problems(text.COMMITTEE, {"name": name})
    unknown = [f for f in fields if f not in vocabulary.FIELDS]
    if errors or unknown:
        raise DomainError(f"committee: {errors or ''} unknown fields {unknown}")
    if session.scalar(select(Committee.id).where(Committee.name == name)) is not None:
        raise DomainError(f"committee '{name}' exists")
    committee = Committee(name=name, fields=[CommitteeField(field=f) for f in dict.fromkeys(fields)])
    session.add(committee)
    session.flush()
    session.add(AuditEvent(at=now, actor=actor, action="committee_created",
                           detail={"committee": name, "fields": committee.field_codes}))
    return committee


def add_member(session: Session, user: User, committee: Committee, *, actor: str,
               now: datetime) -> None:
    """Make a committee-role user a member of `committee`, audited."""
    if user.role != ROLE:
        raise DomainError(f"user '{user.username}' is not a committee member (role {user.role})")
    if user.committee_id == committee.id:
        return
    session.add(AuditEvent(at=now, actor=actor, action="committee_member",
                           detail={"username": user.username, "committee": committee.name,
                                   "from": user.committee_id, "to": committee.id}))
    user.committee_id = committee.id


__all__ = ["ACTIVITY_FIELDS", "FORMS", "activities", "activity_counts", "activity_problems",
           "add_member", "cases_of", "committee_cases", "create_committee", "may_supervise",
           "record_activity", "visible_to"]
