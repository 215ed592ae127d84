"""Roles as data (角色): the nine built-in roles and those an administrator adds.

`User.role` names a row of `role`. A role added here has no page of its own: its members log in,
see in the inbox the tasks of lanes whose rule names the role (`workflows.lanes`), and do them.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ROLE_NAMES, ROLES, AuditEvent, Role, User, text

from .errors import DomainError

CODE = re.compile(r"[a-z][a-z0-9_]{1,31}")
NAME_MAX = 64


def seed_builtin(session: Session) -> None:
    """Add the built-in roles that are missing (the migration writes the same rows)."""
    have = set(session.scalars(select(Role.code)))
    session.add_all(Role(code=code, name_zh=ROLE_NAMES[code][0], name_en=ROLE_NAMES[code][1],
                         builtin=True) for code in ROLES if code not in have)
    session.flush()


def all_roles(session: Session) -> list[Role]:
    """Every role, built-in ones first in their usual order, then added ones by code."""
    order = {code: i for i, code in enumerate(ROLES)}
    return sorted(session.scalars(select(Role)),
                  key=lambda r: (order.get(r.code, len(order)), r.code))


def names(session: Session) -> dict[str, tuple[str, str]]:
    """code -> (Chinese, English) for every role (built-in names when the table lacks them)."""
    found = dict(ROLE_NAMES)
    for code, zh, en in session.execute(select(Role.code, Role.name_zh, Role.name_en)):
        found[code] = (zh, en)
    return found


def exists(session: Session, code: str) -> bool:
    """A role users may have: a built-in one, or one in the table."""
    return isinstance(code, str) and (
        code in ROLES or session.scalar(select(Role.id).where(Role.code == code)) is not None)


def add_role(session: Session, code: str, name_zh: str, name_en: str, *, actor: str,
             now: datetime) -> Role:
    """Add a role; DomainError with {field: message} problems as its first argument's text."""
    problems = role_problems(session, code, name_zh, name_en)
    if problems:
        raise RoleError(problems)
    role = Role(code=code, name_zh=name_zh.strip(), name_en=name_en.strip(), builtin=False)
    session.add(role)
    session.flush()
    session.add(AuditEvent(at=now, actor=actor, action="role_added",
                           detail={"code": code, "name_zh": role.name_zh,
                                   "name_en": role.name_en}))
    return role


def role_problems(session: Session, code: object, name_zh: object,
                  name_en: object) -> dict[str, str]:
    """Why a new role would be refused, by field."""
    problems = {}
    if not isinstance(code, str) or not CODE.fullmatch(code):
        problems["code"] = ("代码须以小写字母开头，由小写字母、数字或下划线组成，2至32个字符 "
                            "(a lower-case letter, then 1-31 lower-case letters, digits or _)")
    elif exists(session, code):
        problems["code"] = "该角色已存在 (this role exists already)"
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        if not isinstance(value, str):
            problems[field] = "必填 (required)"
        elif reason := text.problem(value, limit=NAME_MAX):
            problems[field] = reason
    return problems


class RoleError(DomainError):
    """A role or a role change refused; `problems` by field."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


UNIT_ROLES = ("unit_handler", "reviewer", "signer")


def set_user_role(session: Session, user: User, role: str, *, actor: str, now: datetime) -> None:
    """Give a user another role (audited); the role must exist, and a unit-bound role needs
    the user's unit."""
    if not exists(session, role):
        raise RoleError({"role": f"没有角色“{role}” (no role '{role}')"})
    if role in UNIT_ROLES and user.unit_id is None:
        raise RoleError({"role": f"角色“{role}”需要所属单位 (role '{role}' needs a unit)"})
    if user.role == role:
        return
    session.add(AuditEvent(at=now, actor=actor, action="user_role_changed",
                           detail={"username": user.username, "from": user.role, "to": role}))
    user.role = role
