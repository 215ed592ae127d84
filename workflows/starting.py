"""Who may start which process (发起): a role per process in `start_permission`, edited in 流程设置
with the lane rules. The suggestion process is started by the commission through registration."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import AuditEvent, ProcessDefinition, ProcessVersion, StartPermission, User

from .lanes import PROCESS_ID
from .roles import RoleError, exists

DEFAULT_START = (("suggestion", "commission"),  # the migrations write the same rows
                 ("intake", "deputy"))


def seed_defaults(session: Session) -> None:
    """Add the default start permissions that are missing (demo and test databases)."""
    have = set(session.execute(select(StartPermission.process_id, StartPermission.role)).tuples())
    session.add_all(StartPermission(process_id=p, role=r) for p, r in DEFAULT_START
                    if (p, r) not in have)
    session.flush()


def newest_processes(session: Session) -> dict[str, str]:
    """process id -> name, of every process in its newest deployed version."""
    found: dict[str, str] = {}
    for process_id, name in session.execute(
            select(ProcessDefinition.process_id, ProcessDefinition.name)
            .join(ProcessDefinition.version)
            .order_by(ProcessVersion.activated_at.desc(), ProcessVersion.id.desc())):
        found.setdefault(process_id, name or process_id)
    return found


def may_start_other(role, leaving_out: tuple[str, ...]):
    """SQL: whether `role` (a column or a value) may start a deployed process not in
    `leaving_out` — `startable` as one condition, for the header's link, asked with the user."""
    deployed = (select(ProcessDefinition.id).join(ProcessDefinition.version)
                .where(ProcessDefinition.process_id == StartPermission.process_id).exists())
    return select(StartPermission.id).where(StartPermission.role == role,
                                            StartPermission.process_id.not_in(leaving_out),
                                            deployed).exists()


def startable(session: Session, user: User) -> list[tuple[str, str]]:
    """(process id, name) of the deployed processes the user's role may start, by name."""
    allowed = set(session.scalars(select(StartPermission.process_id)
                                  .where(StartPermission.role == user.role)))
    return sorted(((pid, name) for pid, name in newest_processes(session).items()
                   if pid in allowed), key=lambda item: (item[1], item[0]))


def may_start(session: Session, user: User, process_id: str) -> bool:
    """Whether the user may start a case of `process_id` (deployed, and allowed to the role)."""
    if not isinstance(process_id, str) or not PROCESS_ID.fullmatch(process_id):
        return False
    return any(pid == process_id for pid, _name in startable(session, user))


def allowed_roles(session: Session) -> dict[str, list[str]]:
    """process id -> roles that may start it."""
    found: dict[str, list[str]] = {}
    for process_id, role in session.execute(select(StartPermission.process_id,
                                                   StartPermission.role)
                                            .order_by(StartPermission.role)):
        found.setdefault(process_id, []).append(role)
    return found


def allow(session: Session, process_id: str, role: str, *, actor: str, now: datetime) -> bool:
    """Let a role start a process (audited `start_permission`); False if it could already."""
    _check(session, process_id, role)
    if session.scalar(select(StartPermission.id).where(StartPermission.process_id == process_id,
                                                       StartPermission.role == role)):
        return False
    session.add(StartPermission(process_id=process_id, role=role))
    session.add(AuditEvent(at=now, actor=actor, action="start_permission",
                           detail={"change": "allow", "process_id": process_id, "role": role}))
    session.flush()
    return True


def deny(session: Session, process_id: str, role: str, *, actor: str, now: datetime) -> bool:
    """Stop a role starting a process (audited); False if it could not anyway."""
    _check(session, process_id, role)
    gone = session.execute(delete(StartPermission).where(
        StartPermission.process_id == process_id, StartPermission.role == role)).rowcount
    if gone:
        session.add(AuditEvent(at=now, actor=actor, action="start_permission",
                               detail={"change": "deny", "process_id": process_id,
                                       "role": role}))
    return bool(gone)


def _check(session: Session, process_id: object, role: object) -> None:
    problems = {}
    if not isinstance(process_id, str) or not PROCESS_ID.fullmatch(process_id):
        problems["process_id"] = "流程标识不正确 (not a process id)"
    if not isinstance(role, str) or not exists(session, role):
        problems["role"] = "没有这个角色 (no such role)"
    if problems:
        raise RoleError(problems)


__all__ = ["DEFAULT_START", "allow", "allowed_roles", "deny", "may_start",
           "newest_processes", "seed_defaults", "startable"]
