"""The administrator's side of special committees (专门委员会): adding one, changing its name and
the fields (领域) it covers, and who its members are. Every change audited; a refused change
raises ``OrganisationError`` with the problem by form field ("中文 (English)").

A suggestion names its special committee by name (``Suggestion.special_committee``, free text
from the assignment), so a committee that suggestions name keeps its name: renaming it would
silently take those cases from it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEvent, Committee, CommitteeField, Suggestion, User, vocabulary

from . import committees, text
from .organisation import OrganisationError


def committee_problems(session: Session, committee: Committee | None, name,
                       fields) -> dict[str, str]:
    """Field -> why the committee as typed cannot be kept."""
    problems = {}
    if not isinstance(name, str):
        name = ""
    if found := text.problems(text.COMMITTEE, {"name": name}):
        problems["name"] = found["name"]
    elif session.scalar(select(Committee.id).where(
            Committee.name == name.strip(), Committee.id != (committee.id if committee else 0))):
        problems["name"] = "已有同名专门委员会 (a committee has this name)"
    elif committee is not None and committee.name != name.strip() and session.scalar(
            select(func.count()).select_from(Suggestion)
            .where(Suggestion.special_committee == committee.name)):
        problems["name"] = ("已有建议指定由该委员会对口督办，不能改名 "
                            "(suggestions name this committee: its name cannot change)")
    if not isinstance(fields, list) or not fields or \
            any(f not in vocabulary.FIELDS for f in fields):
        problems["fields"] = "请至少选择一个领域 (choose at least one field)"
    return problems


def save_committee(session: Session, committee_id: int | None, *, name: str,
                   fields: list[str], actor: str, now: datetime) -> Committee:
    """Add a committee (`committee_id` None) or change its name and fields."""
    committee = session.get(Committee, committee_id) if committee_id else None
    if committee_id and committee is None:
        raise OrganisationError({"_": "没有这个专门委员会 (no such committee)"})
    if problems := committee_problems(session, committee, name, fields):
        raise OrganisationError(problems)
    name, fields = name.strip(), sorted(set(fields))
    if committee is None:
        return committees.create_committee(session, name, fields, actor=actor, now=now)
    before = {"name": committee.name, "fields": sorted(committee.field_codes)}
    if before == {"name": name, "fields": fields}:
        return committee
    committee.name = name
    kept = [f for f in committee.fields if f.field in fields]  # a field kept stays its row
    committee.fields = kept + [CommitteeField(field=f) for f in fields
                               if f not in {k.field for k in kept}]
    session.flush()
    session.add(AuditEvent(at=now, actor=actor, action="committee_changed", detail={
        "id": committee.id, "before": before, "after": {"name": name, "fields": fields}}))
    return committee


def member_candidates(session: Session) -> list[User]:
    """Active accounts of the committee role, by username (those of another committee too:
    adding one moves them)."""
    return list(session.scalars(select(User).where(User.role == committees.ROLE,
                                                   User.active.is_(True))
                                .order_by(User.username)))


def add_member(session: Session, committee: Committee, user: User | None, *, actor: str,
               now: datetime) -> None:
    """Make an active committee-role account a member (moving it from another committee)."""
    if user is None or user.role != committees.ROLE or not user.active:
        raise OrganisationError({"user_id": "请选择专门委员会角色的启用账号 "
                                            "(choose an active account of the committee role)"})
    committees.add_member(session, user, committee, actor=actor, now=now)


def remove_member(session: Session, committee: Committee, user: User, *, actor: str,
                  now: datetime) -> None:
    """Take a member out of the committee (the account stays; it then sees no case)."""
    if user.committee_id != committee.id:
        raise OrganisationError({"user_id": "该账号不是本委员会成员 (not a member)"})
    session.add(AuditEvent(at=now, actor=actor, action="committee_member",
                           detail={"username": user.username, "committee": committee.name,
                                   "from": committee.id, "to": None}))
    user.committee_id = None


__all__ = ["add_member", "committee_problems", "member_candidates", "remove_member",
           "save_committee"]
