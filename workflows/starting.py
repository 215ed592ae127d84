"""Which processes a person may start as a new case (新建案件).

PROVISIONAL (branch `humantasks`): the `lanes` branch provides the real module, backed by the
StartPermission(process_id, role) table; the merge replaces this file with it. The signatures are
the agreed ones. Until then: commission staff, designers and administrators may start every
deployed process.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProcessDefinition, ProcessVersion, User

PROVISIONAL_ROLES = frozenset({"commission", "designer", "admin"})


def startable(session: Session, user: User) -> list[tuple[str, str]]:
    """(process id, name) of the processes `user` may start, by name; the name is the newest
    version's."""
    if not user.active or user.role not in PROVISIONAL_ROLES:
        return []
    names: dict[str, str] = {}
    for process_id, name in session.execute(
            select(ProcessDefinition.process_id, ProcessDefinition.name)
            .join(ProcessDefinition.version)
            .order_by(ProcessVersion.activated_at, ProcessDefinition.version_id)):
        names[process_id] = name or process_id  # the newest version's name wins
    return sorted(names.items(), key=lambda item: (item[1], item[0]))


def may_start(session: Session, user: User, process_id: str) -> bool:
    """True if `user` may start a case of `process_id`."""
    return any(pid == process_id for pid, _name in startable(session, user))
