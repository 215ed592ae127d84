"""Saved inbox filters (保存的筛选): a user names the inbox's query parameters and keeps them on
the server. Only the owner lists, uses or deletes one; the parameters are checked by the web
layer when saved and again when used (a step may since have left the process). Audited."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from models import AuditEvent, SavedFilter, User
from models.text import clean, limit_of, problem

from .errors import DomainError

MOST = 20  # filters per user: a list above the inbox, not a store
NAME_LIMIT = limit_of(SavedFilter.name)
NOT_FOUND = "没有这个筛选 (no such saved filter)"


_LISTED = (select(SavedFilter.id, SavedFilter.name, SavedFilter.query)
           .where(SavedFilter.user_id == bindparam("user_id"))
           .order_by(SavedFilter.name).limit(MOST))


def listed(session: Session, user_id: int) -> list[tuple[int, str, dict[str, Any]]]:
    """The user's filters by name: (id, name, query) — one query."""
    return [tuple(row) for row in session.execute(_LISTED, {"user_id": user_id})]


def has_any(user_id):
    """SQL: whether the user (`user_id`, a column or value) has saved a filter — asked with the
    request's user, so that the inbox of someone who never saved one does not look."""
    return select(SavedFilter.id).where(SavedFilter.user_id == user_id).exists()


def owned(session: Session, user_id: int, filter_id: int) -> Optional[SavedFilter]:
    """The filter if it is the user's; None for another user's or none at all."""
    row = session.get(SavedFilter, filter_id)
    return row if row is not None and row.user_id == user_id else None


def save(session: Session, user: User, name: str, query: dict[str, Any],
         now: datetime) -> tuple[Optional[SavedFilter], Optional[str]]:
    """Keep `query` (already checked) under `name`; (row, None) or (None, why not)."""
    name = clean(name or "")
    found = problem(name, limit=NAME_LIMIT)
    if found:
        return None, found
    if session.scalar(select(SavedFilter.id).where(SavedFilter.user_id == user.id,
                                                   SavedFilter.name == name)) is not None:
        return None, "已有同名的筛选 (a saved filter has that name)"
    count = session.scalar(select(func.count()).select_from(SavedFilter)
                           .where(SavedFilter.user_id == user.id))
    if count >= MOST:
        return None, f"最多保存 {MOST} 个筛选 (at most {MOST} saved filters)"
    row = SavedFilter(user_id=user.id, name=name, query=dict(query), created_at=now)
    session.add(row)
    session.flush()
    session.add(AuditEvent(at=now, actor=user.username, action="saved_filter_saved",
                           detail={"id": row.id, "name": name, "query": dict(query)}))
    return row, None


def delete(session: Session, user: User, filter_id: int, now: datetime) -> None:
    """Delete one's own filter; another user's is not found."""
    row = owned(session, user.id, filter_id)
    if row is None:
        raise DomainError(NOT_FOUND)
    session.add(AuditEvent(at=now, actor=user.username, action="saved_filter_deleted",
                           detail={"id": row.id, "name": row.name}))
    session.delete(row)
