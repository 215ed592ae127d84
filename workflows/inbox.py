"""Inbox actions (收件箱): claim, release, hand over, drafts — each audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, HumanTask, TaskDraft, User

from .errors import DomainError, PermissionDenied
from .notifications import notify, step_name
from . import substitution, task_access
from .tasks import NOT_YOURS


def _audit(session: Session, user: User, action: str, task: HumanTask, now: datetime,
           detail: dict[str, Any] | None = None) -> None:
    session.add(AuditEvent(at=now, actor=user.username, action=action,
                           instance_id=task.instance_id, task_id=task.id, bpmn_id=task.bpmn_id,
                           detail=detail or {}))


def _ready_task(session: Session, task_id: str) -> HumanTask:
    task = session.get(HumanTask, task_id, with_for_update=True)
    if task is None:
        raise DomainError("任务不存在 (no such task)")
    if task.state != "ready":
        done = {"completed": "完成", "cancelled": "取消"}.get(task.state, task.state)
        raise DomainError(f"任务已{done} (the task is already {task.state})")
    return task


def claim(session: Session, user: User, task_id: str, now: datetime) -> HumanTask:
    """认领: take a task from the unit's/role's queue."""
    task = _ready_task(session, task_id)
    if not task_access.allows(user, task):
        raise PermissionDenied(NOT_YOURS)
    if task.assignee == user.username:
        return task
    if task.assignee is not None:
        raise DomainError(f"任务已被 {task.assignee} 认领 (already claimed by {task.assignee})")
    task.assignee, task.claimed_at = user.username, now
    _audit(session, user, "claim", task, now)
    return task


MOST_AT_ONCE = 100  # a page of the queue


@dataclass
class Claimed:
    """What a claim of several tasks came to."""

    claimed: int = 0  # now mine (or already were)
    taken: int = 0  # claimed by someone else first
    refused: int = 0  # finished, gone, or not mine to claim


def claim_many(session: Session, user: User, task_ids: Iterable[str],
               now: datetime) -> Claimed:
    """认领所选: claim each task on its own terms (`claim`); one that someone else holds, or that
    is finished or not the user's, is counted, not claimed."""
    result = Claimed()
    acting = substitution.acting(session, user, now)
    for task_id in dict.fromkeys(task_ids):
        task = session.get(HumanTask, task_id, with_for_update=True)
        if task is None or task.state != "ready":
            result.refused += 1
        elif task.assignee not in (None, user.username) and \
                task_access.cases(acting).given("assignee", None).holds(task):
            result.taken += 1  # it would have been the user's to claim
        elif task_access.allows(acting, task):
            claim(session, user, task_id, now)
            result.claimed += 1
        else:
            result.refused += 1
    return result


def release(session: Session, user: User, task_id: str, now: datetime) -> HumanTask:
    """退回队列: give a claimed task back to the queue (not one assigned by the process)."""
    task = _ready_task(session, task_id)
    if task.assignee != user.username or assigned_in_person(task):
        raise DomainError("只能释放自己认领的任务 (you can only release a task you claimed)")
    task.assignee, task.claimed_at = None, None
    _audit(session, user, "release", task, now)
    return task


def assigned_in_person(task: HumanTask) -> bool:
    """True for a task the process gave to one person (the lead deputy's feedback, the
    supervising leader's review): it is theirs alone, so it is neither released nor handed over.
    A task someone claimed or was handed has `claimed_at`."""
    return task.assignee is not None and task.claimed_at is None


def colleagues(session: Session, user: User, task: HumanTask) -> list[User]:
    """People of the same unit and role who could take the task over."""
    if assigned_in_person(task):
        return []
    query = select(User).where(User.role == task.candidate_role, User.active.is_(True),
                               User.id != user.id)
    if task.candidate_unit is not None:
        query = query.where(User.unit_id == user.unit_id)
    return [u for u in session.scalars(query.order_by(User.username))
            if task_access.may_take_over(u, task)]


# Could a user do the task if it were handed to them (the one rule, `task_access`).
may_complete_as = task_access.may_take_over


def hand_over(session: Session, user: User, task_id: str, to_username: str,
              now: datetime) -> HumanTask:
    """转交: hand a task one holds (or could claim) to a colleague of the same unit and role."""
    task = _ready_task(session, task_id)
    if not task_access.allows(substitution.acting(session, user, now), task):
        raise PermissionDenied(NOT_YOURS)
    if assigned_in_person(task):
        raise DomainError("流程指定由本人办理的任务不能转交 (a task the process assigned to you "
                          "in person cannot be handed over)")
    target = session.scalar(select(User).where(User.username == to_username))
    if target is None or target.id == user.id or not task_access.may_take_over(target, task):
        raise DomainError("只能转交给本单位同岗位的同事 (hand over only to a colleague of the same "
                          "unit and role)")
    task.assignee, task.claimed_at = target.username, now
    _audit(session, user, "hand_over", task, now, {"to": target.username})
    zh, en = step_name(task.bpmn_id, task.name, task.subject)
    notify(session, [target.username], "task",
           (f"{user.name} 转交任务：{zh}", f"{user.name} handed you a task: {en}"),
           f"/tasks/{task.id}", now)
    return task


def save_draft(session: Session, user: User, task_id: str, data: dict[str, Any],
               now: datetime) -> None:
    """暂存: keep what was typed without completing the task."""
    task = _ready_task(session, task_id)
    if not task_access.allows(substitution.acting(session, user, now), task):
        raise PermissionDenied(NOT_YOURS)
    session.merge(TaskDraft(task_id=task.id, username=user.username, data=data, saved_at=now))


def draft(session: Session, user: User, task_id: str) -> dict[str, Any] | None:
    found = session.get(TaskDraft, (task_id, user.username))
    return dict(found.data) if found is not None else None
