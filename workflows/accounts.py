"""Accounts an administrator keeps (账号): created without a password, changed, deactivated —
never deleted.

A new account has no usable password and must choose one: the administrator hands over a
one-time link (`workflows.password_links`). Deactivating an account ends its login sessions and
links, and gives its tasks back: a task it claimed returns to its queue, a feedback task of a
deputy's account goes to the commission to record (代录), another task given to it in person
returns to its role's queue (a case starter's own task stays theirs). Linking an account to a deputy hands it the deputy's open feedback
tasks (`workflows.deputies.link_account`). Every change is audited.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models import AuditEvent, Deputy, Division, HumanTask, LoginSession, PasswordLink, Unit, User

from . import deputies, roles
from .organisation import OrganisationError, apply, record, text_problem

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@\-]{1,63}")
# What `password_hash` holds while an account has no password: no password matches it
# (`workflows.users` checks a dummy hash instead, so the answer takes as long as for others).
# Security review: a marker that no password hash can equal, not a password.
NO_PASSWORD = "!none"  # nosec B105


def account_problems(session: Session, user_id: int | None, values: dict) -> dict[str, str]:
    """Why an account's fields would be refused, by field."""
    problems = {}
    username = values.get("username")
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        problems["username"] = ("用户名由字母、数字和 _ . @ - 组成，2至64个字符，以字母或数字开头 "
                                "(2-64 letters, digits, _ . @ -, beginning with a letter or digit)")
    elif user_id and session.scalar(select(User.username).where(User.id == user_id)) \
            not in (None, username):
        # tasks, drafts, notifications and the audit trail name people by username
        problems["username"] = "用户名不能修改 (a username cannot be changed)"
    elif session.scalar(select(User.id).where(User.username == username,
                                              User.id != (user_id or 0))):
        problems["username"] = "用户名已被使用 (this username is taken)"
    if reason := text_problem(values.get("name"), User.name):
        problems["name"] = reason
    role = values.get("role")
    if not roles.exists(session, role):
        problems["role"] = "请选择角色 (choose a role)"
    unit_id, division_id = values.get("unit_id"), values.get("division_id")
    if unit_id is not None and session.get(Unit, unit_id) is None:
        problems["unit_id"] = "没有这个单位 (no such unit)"
    elif role in roles.UNIT_ROLES and unit_id is None:
        problems["unit_id"] = "该角色需要所属单位 (this role needs a unit)"
    if division_id is not None:
        division = session.get(Division, division_id)
        if division is None or division.unit_id != unit_id:
            problems["division_id"] = "处室须属于所选单位 (the division must be of the unit)"
    deputy_id = values.get("deputy_id")
    if deputy_id is not None:
        if session.get(Deputy, deputy_id) is None:
            problems["deputy_id"] = "没有这位代表 (no such deputy)"
        elif role != deputies.DEPUTY_ROLE:
            problems["deputy_id"] = ("只有代表角色的账号可以关联代表 "
                                     "(only an account with the deputy role is linked to a deputy)")
        elif other := session.scalar(select(User.username).where(
                User.deputy_id == deputy_id, User.active.is_(True),
                User.id != (user_id or 0))):
            problems["deputy_id"] = f"该代表已有账号 {other} (the deputy has the account {other})"
    return problems


def save_account(session: Session, user_id: int | None, *, username: str, name: str, role: str,
                 unit_id: int | None = None, division_id: int | None = None,
                 deputy_id: int | None = None, actor: str, now: datetime) -> User:
    """Create an account without a password (`user_id` None), or change one. Returns the row;
    a new one must be given a one-time link to choose its password."""
    user = session.get(User, user_id) if user_id else User(password_hash=NO_PASSWORD,
                                                           must_change_password=True)
    if user is None:
        raise OrganisationError({"username": "没有这个用户 (no such user)"})
    values = {"username": username, "name": name.strip() if isinstance(name, str) else name,
              "role": role, "unit_id": unit_id, "division_id": division_id,
              "deputy_id": deputy_id}
    if problems := account_problems(session, user_id, values):
        raise OrganisationError(problems)
    linking = deputy_id is not None and deputy_id != user.deputy_id
    apply(session, user, {k: v for k, v in values.items() if k != "deputy_id"}, what="user",
          actor=actor, now=now, key=username)
    if linking and user.active:
        deputies.link_account(session, user.username, deputy_id, actor=actor, now=now)
    elif user.deputy_id != deputy_id:
        record(session, actor, "user_changed", now, {"id": user.id, "key": username, "changes": {
            "deputy_id": [user.deputy_id, deputy_id]}})
        user.deputy_id = deputy_id
    return user


def set_active(session: Session, user: User, active: bool, *, actor: str,
               now: datetime) -> list[str]:
    """Deactivate (or reactivate) an account; returns the ids of the tasks it gave back.
    A deactivated account cannot log in, and its sessions and unused links end."""
    if user.username == actor and not active:
        raise OrganisationError({"active": "不能停用自己的账号 (you cannot deactivate your own "
                                           "account)"})
    if user.active == active:
        return []
    if active and user.deputy_id is not None and session.scalar(select(User.username).where(
            User.deputy_id == user.deputy_id, User.active.is_(True), User.id != user.id)):
        raise OrganisationError({"active": "该代表已有另一个启用的账号 (the deputy has another "
                                           "active account)"})
    user.active = active
    released = [] if active else _give_back_tasks(session, user, actor=actor, now=now)
    if not active:
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        session.execute(update(PasswordLink).where(PasswordLink.user_id == user.id,
                                                   PasswordLink.used_at.is_(None))
                        .values(expires_at=now))
    record(session, actor, "user_activated" if active else "user_deactivated", now,
           {"id": user.id, "key": user.username, "tasks_given_back": len(released)})
    if active and user.deputy_id is not None:
        deputies.link_account(session, user.username, user.deputy_id, actor=actor, now=now)
    return released


def _give_back_tasks(session: Session, user: User, *, actor: str, now: datetime) -> list[str]:
    held = session.scalars(select(HumanTask).where(
        HumanTask.assignee == user.username, HumanTask.state == "ready")
        .order_by(HumanTask.id).with_for_update()).all()
    given_back = []
    for task in held:
        in_person = task.claimed_at is None
        if in_person and task.candidate_role is None:
            continue  # the case's starter's own task: nobody else's to take
        if in_person and task.candidate_role == deputies.DEPUTY_ROLE:
            # the deputy now has no account: the commission records the feedback (代录)
            task.candidate_role, task.candidate_unit = deputies.ON_BEHALF_ROLE, None
            reason = "recorded_on_behalf"
        else:
            reason = "released"
        task.assignee, task.claimed_at = None, None
        record_task = {"reason": "account_deactivated", "to": reason, "from": user.username}
        session.add(AuditEvent(at=now, actor=actor, action="release",
                               instance_id=task.instance_id, task_id=task.id,
                               bpmn_id=task.bpmn_id, detail=record_task))
        given_back.append(task.id)
    return given_back


__all__ = ["NO_PASSWORD", "USERNAME", "account_problems", "save_account", "set_active"]
