"""Substitution during an absence (代理): naming a colleague, cancelling early, and what a
completion in the absent person's stead records.

Rules (who then may do what is `task_access`, the one statement of it):
- the substitute has the absent user's role in the same unit (both without a unit counts as the
  same); nobody names themselves; a deputy's tasks are their own and are never substituted;
- the range is inclusive, ends today or later and lasts at most a year; one absent user's
  ranges never overlap (cancelled ones do not count);
- no chains: a substitute's own substitute does not get the absent person's tasks;
- the absent user still sees and may do their tasks;
- a completion of a task the absent person holds is recorded in its data (`on_behalf_of`), so
  the audit and the case timeline read "<substitute> on behalf of <absent>"; a task from the
  queue is the substitute's own (they have the role), except a sign-off (签发): the unit has one
  principal head, so their substitute signs from the queue in the head's name. A sign-off also
  records the signer of record and the substitute who signed (the letter's 签发人 line).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Optional

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from models import AuditEvent, Substitution, Unit, User
from models.text import clean, limit_of, problem

from . import task_access
from .calendar import CHINA
from .errors import DomainError
from .notifications import notify

ON_BEHALF_KEY = "on_behalf_of"
SIGNER_ROLE = "signer"
SIGNER_KEY, SIGNER_SUBSTITUTE_KEY = "signer", "signer_substitute"
LONGEST = timedelta(days=366)
REASON_LIMIT = limit_of(Substitution.reason)
NOT_FOUND = "没有这条代理 (no such substitution)"


def mark(session: Session, user, task, data: dict[str, Any]) -> dict[str, Any]:
    """The completion's data with whose stead it was done in, and for a sign-off its signer."""
    absent = task_access.on_behalf_of(user, task, unclaimed=task.candidate_role == SIGNER_ROLE)
    if absent is not None:
        data = {**data, ON_BEHALF_KEY: absent}
    if task.candidate_role == SIGNER_ROLE:
        names = {row.username: row.name for row in session.execute(
            select(User.username, User.name).where(
                User.username.in_({user.username, absent} - {None})))}
        data = {**data, SIGNER_KEY: names.get(absent or user.username),
                SIGNER_SUBSTITUTE_KEY: names.get(user.username) if absent else None}
    return data


def colleagues(session: Session, user: User) -> list[User]:
    """Who `user` may name: active people of their role in their unit (nobody for a deputy,
    whose tasks are their own)."""
    if user.role in task_access.PERSONAL_ROLES:
        return []
    return list(session.scalars(select(User).where(
        User.role == user.role, User.unit_id.is_(user.unit_id) if user.unit_id is None
        else User.unit_id == user.unit_id, User.active.is_(True), User.id != user.id)
        .order_by(User.name)))


@dataclass
class Listed:
    """One substitution as the page lists it."""

    row: Substitution
    other: str  # the substitute's name (on my list), or the absent person's (on theirs)


def of_user(session: Session, user: User) -> tuple[list[Listed], list[Listed]]:
    """(whom I named, whom I stand in for), newest first, cancelled ones included."""
    def listed(mine, other):
        return [Listed(row, name) for row, name in session.execute(
            select(Substitution, User.name).join(User, User.id == other)
            .where(mine == user.id).order_by(Substitution.starts_on.desc(),
                                             Substitution.id.desc()).limit(50))]
    return (listed(Substitution.absent_id, Substitution.substitute_id),
            listed(Substitution.substitute_id, Substitution.absent_id))


def problems(session: Session, absent: User, substitute: Optional[User], starts_on, ends_on,
             reason: str, today: date) -> dict[str, str]:
    """Why the substitution may not be set, per field ("中文 (English)"); empty if it may."""
    errors: dict[str, str] = {}
    if absent.role in task_access.PERSONAL_ROLES:
        errors["substitute"] = "代表本人办理的任务不能由他人代理 (a deputy's tasks are their own)"
    elif substitute is None or not substitute.active:
        errors["substitute"] = "请选择代理人 (choose a substitute)"
    elif substitute.id == absent.id:
        errors["substitute"] = "不能指定自己为代理人 (you cannot be your own substitute)"
    elif substitute.role != absent.role or substitute.unit_id != absent.unit_id:
        errors["substitute"] = ("代理人须与您同单位、同岗位 (the substitute must have your role "
                                "in your unit)")
    if starts_on is None:
        errors["starts_on"] = "请填写开始日期 (give the first day)"
    if ends_on is None:
        errors["ends_on"] = "请填写结束日期 (give the last day)"
    elif ends_on < today:
        errors["ends_on"] = "结束日期不能早于今天 (the last day is already past)"
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期 (the last day is before the first)"
    elif starts_on is not None and ends_on - starts_on > LONGEST:
        errors["ends_on"] = "代理期限最长一年 (a substitution lasts at most a year)"
    found = problem(reason, limit=REASON_LIMIT, required=False)
    if found:
        errors["reason"] = found
    if not errors:
        clash = session.scalar(select(Substitution).where(
            Substitution.absent_id == absent.id, Substitution.cancelled_at.is_(None),
            Substitution.starts_on <= ends_on, Substitution.ends_on >= starts_on).limit(1))
        if clash is not None:
            errors["starts_on"] = (f"与已设的代理期间 {clash.starts_on} 至 {clash.ends_on} 重叠 "
                                   f"(overlaps the substitution of {clash.starts_on} to "
                                   f"{clash.ends_on})")
    return errors


def set_substitute(session: Session, absent: User, substitute_username: str, starts_on,
                   ends_on, reason: str, now: datetime) -> tuple[Optional[Substitution],
                                                                dict[str, str]]:
    """Name a substitute for a range of days; (the row, {}) or (None, errors). Audited; the
    substitute is told."""
    reason = clean(reason or "")
    # a name no account can have (a control character, say) is no one, never a query:
    # PostgreSQL refuses a NUL in text with an error
    named = substitute_username if isinstance(substitute_username, str) and not problem(
        substitute_username, limit=limit_of(User.username)) else None
    substitute = session.scalar(select(User).where(User.username == named)) if named else None
    errors = problems(session, absent, substitute, starts_on, ends_on, reason,
                      today(now))
    if errors:
        return None, errors
    row = Substitution(absent_id=absent.id, substitute_id=substitute.id, starts_on=starts_on,
                       ends_on=ends_on, reason=reason or None, created_at=now)
    session.add(row)
    session.flush()
    session.add(AuditEvent(at=now, actor=absent.username, action="substitution_set", detail={
        "id": row.id, "substitute": substitute.username, "from": starts_on.isoformat(),
        "to": ends_on.isoformat(), "reason": reason}))
    notify(session, [substitute.username], "task",
           (f"{absent.name} 请您在 {starts_on} 至 {ends_on} 期间代理其任务",
            f"{absent.name} asks you to stand in for them from {starts_on} to {ends_on}"),
           "/substitutions", now)
    return row, {}


def cancel(session: Session, absent: User, substitution_id: int, now: datetime) -> Substitution:
    """End one's own substitution now (before it starts: it never applies). Audited."""
    row = session.get(Substitution, substitution_id, with_for_update=True)
    if row is None or row.absent_id != absent.id:
        raise DomainError(NOT_FOUND)
    if row.cancelled_at is not None or row.ends_on < today(now):
        raise DomainError("该代理已结束 (the substitution has already ended)")
    row.cancelled_at = now
    session.add(AuditEvent(at=now, actor=absent.username, action="substitution_cancelled",
                           detail={"id": row.id}))
    return row


# ---------------------------------------------------------------- which are in force

@dataclass(frozen=True)
class _Acting(task_access._Asker):
    """A user with the absent colleagues they stand in for today."""

    substituting: tuple = ()


def today(now: datetime) -> date:
    """The day a substitution's range is read on: the calendar day in China."""
    return now.astimezone(CHINA).date()


_ABSENT = aliased(User)
_SUBSTITUTE = aliased(User)
_STANDING_IN = (
    select(_ABSENT.username, _ABSENT.name, _ABSENT.role, _ABSENT.active, Unit.code.label("unit"))
    .select_from(Substitution)
    .join(_SUBSTITUTE, Substitution.substitute_id == _SUBSTITUTE.id)
    .join(_ABSENT, Substitution.absent_id == _ABSENT.id)
    .outerjoin(Unit, _ABSENT.unit_id == Unit.id)
    .where(Substitution.cancelled_at.is_(None), _ABSENT.active.is_(True),
           # the rule still holds today: same role, same unit (or both none)
           _ABSENT.role == _SUBSTITUTE.role, _ABSENT.role.not_in(task_access.PERSONAL_ROLES),
           or_(_ABSENT.unit_id == _SUBSTITUTE.unit_id,
               and_(_ABSENT.unit_id.is_(None), _SUBSTITUTE.unit_id.is_(None))))
    .order_by(_ABSENT.username))


@dataclass(frozen=True)
class Absent:
    """An absent colleague as the rule reads them, with their name to show."""

    username: str
    name: str
    role: str
    active: bool
    unit: Any


def standing_in_on(substitute_id, on):
    """SQL: whether the user (`substitute_id`, a column or value) stands in for anyone on day
    `on` — the cheap question before `standing_in_for` (most people stand in for nobody)."""
    return exists().where(Substitution.substitute_id == substitute_id,
                          Substitution.cancelled_at.is_(None), Substitution.starts_on <= on,
                          Substitution.ends_on >= on)


def standing_in_for(session: Session, username: str, on: date) -> tuple[Absent, ...]:
    """Whom `username` stands in for on day `on` (one indexed query)."""
    rows = session.execute(_STANDING_IN.where(
        _SUBSTITUTE.username == username, Substitution.starts_on <= on,
        Substitution.ends_on >= on))
    return tuple(Absent(r.username, r.name, r.role, r.active,
                        _UnitCode(r.unit) if r.unit is not None else None) for r in rows)


@dataclass(frozen=True)
class _UnitCode:
    code: str


def acting(session: Session, user, now: datetime):
    """`user` with whom they stand in for today: a request's user already knows it; a `User`
    row is read here."""
    if hasattr(user, "substituting"):
        return user
    unit = user.unit
    return _Acting(user.username, user.role, user.active, unit,
                   standing_in_for(session, user.username, today(now)))
