"""Deputies and their login accounts: whose feedback task is whose.

Feedback (反馈) belongs to the lead deputy alone. A deputy with an active login account gets the
tasks of the Deputy lane in person; a deputy without one answers on the paper feedback form
(征询意见表) and the commission records it on their behalf (代录) — the task is then the
commission's, never open to other deputies. The account is looked up in the database whenever a
Deputy-lane task opens (the case data's `deputy_user` is only a snapshot taken at registration),
and `link_account` hands the tasks still open to an account given later.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from models import AuditEvent, Deputy, HumanTask, LaneRule, ProcessInstance, Suggestion, User

from .errors import DomainError
from .merging import MERGED_FEEDBACK, subject_prefix
from .notifications import notify, step_name

DEPUTY_LANE = "Deputy"  # the suggestion process's name for it (workflows.lanes.DEFAULT_RULES)
DEPUTY_ROLE = "deputy"
# The lane rule kind (workflows.lanes) that gives a lane's tasks to the lead deputy: what makes a
# task the deputy's own, whatever a designer names its lane.
LEAD_DEPUTY_KIND = "lead_deputy"
# Who records a feedback form on the deputy's behalf.
ON_BEHALF_ROLE = "commission"
# The keys every completion of a Deputy-lane task carries in its data (and so in the audit
# trail), set by `workflows.tasks.complete` from the task's row: whether the commission recorded
# it on the deputy's behalf, and who completed it (a co-unit's rating is one answer of several,
# recorded together later). Set each time, so a later round never inherits an earlier value.
ON_BEHALF_KEY = "recorded_on_behalf"
RECORDED_BY_KEY = "recorded_by"

_ACCOUNT_OF_LEAD_DEPUTY = (
    select(User.username).join(Suggestion, Suggestion.lead_deputy_id == User.deputy_id)
    .where(User.role == DEPUTY_ROLE, User.active.is_(True)).order_by(User.id).limit(1))


def lead_deputy_account(session: Session, suggestion_id) -> str | None:
    """The username of the active login account of a suggestion's lead deputy, if any."""
    if suggestion_id is None:
        return None
    return session.scalar(_ACCOUNT_OF_LEAD_DEPUTY.where(Suggestion.id == int(suggestion_id)))


# The item of a `merged_feedback` instance (并案): the merged suggestion whose lead deputy rates.
MERGED_ITEM = "merged_suggestion"


def rated_suggestion(data: dict) -> int | None:
    """The suggestion whose lead deputy a Deputy-lane task belongs to: the merged suggestion a
    `merged_feedback` instance is for, else the case's own."""
    merged = data.get(MERGED_ITEM)
    if isinstance(merged, dict) and merged.get("suggestion_id") is not None:
        return merged["suggestion_id"]
    return data.get("suggestion_id")


def lead_deputy_lanes(session: Session) -> frozenset[str]:
    """The lanes whose rule gives their tasks to the lead deputy (`lead_deputy`), by name."""
    return frozenset(session.scalars(select(LaneRule.lane).where(
        LaneRule.kind == LEAD_DEPUTY_KIND).distinct()))


def recorded_on_behalf(task, lead_lanes: frozenset[str]) -> bool:
    """True for a lead deputy's task that the commission does for the deputy (代录): any object
    with the task's `lane` and `candidate_role`; `lead_lanes` from `lead_deputy_lanes`."""
    return task.lane in lead_lanes and task.candidate_role != DEPUTY_ROLE


def link_account(session: Session, username: str, deputy_id: int, *, actor: str,
                 now: datetime) -> list[str]:
    """Link a deputy's login account to the deputy record and hand it the feedback tasks of the
    deputy's suggestions that wait for the commission to record them (代录), claimed or not.
    Later feedback rounds go to the account by themselves (the lane looks it up). Audited:
    `deputy_linked`, and a `hand_over` event on each case whose task moved.

    Returns the ids of the tasks handed over. Linking again is harmless (nothing left to move);
    an account created with the deputy's id already set gets its open tasks this way too.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise DomainError(f"用户 {username} 不存在 (no user '{username}')")
    if user.role != DEPUTY_ROLE:
        raise DomainError(f"只有代表账号可以关联代表，{username} 的角色不是代表 "
                          f"(only a deputy's account can be linked; '{username}' is a {user.role})")
    if not user.active:
        raise DomainError(f"账号 {username} 已停用 (the account '{username}' is disabled)")
    deputy = session.get(Deputy, deputy_id)
    if deputy is None:
        raise DomainError(f"代表 {deputy_id} 不存在 (no deputy {deputy_id})")
    if user.deputy_id not in (None, deputy.id):
        raise DomainError(f"账号 {username} 已关联另一位代表 "
                          f"(the account '{username}' belongs to another deputy)")
    other = session.scalar(select(User.username).where(
        User.deputy_id == deputy.id, User.role == DEPUTY_ROLE, User.active.is_(True),
        User.id != user.id))
    if other is not None:
        raise DomainError(f"代表{deputy.name}已有账号 {other} "
                          f"(deputy {deputy.name} already has the account '{other}')")
    changed = user.deputy_id != deputy.id
    user.deputy_id = deputy.id
    # An account created with its deputy_id already set is linked here for its open tasks.
    moved = _hand_over_open_tasks(session, user, deputy, actor=actor, now=now)
    if changed or moved:
        session.add(AuditEvent(at=now, actor=actor, action="deputy_linked", detail={
            "username": username, "deputy_id": deputy.id, "deputy": deputy.name,
            "tasks_handed_over": len(moved)}))
    return moved


def _hand_over_open_tasks(session: Session, user: User, deputy: Deputy, *, actor: str,
                          now: datetime) -> list[str]:
    cases = select(Suggestion.instance_id).where(Suggestion.lead_deputy_id == deputy.id,
                                                 Suggestion.instance_id.is_not(None))
    # 并案: a suggestion merged into another is rated in the host's case, in a task named by
    # its number; the host's case holds the other merged deputies' tasks too.
    host = Suggestion.__table__.alias("host")
    merged = session.execute(select(host.c.instance_id, Suggestion.number).join(
        host, host.c.id == Suggestion.merged_into_id).where(
        Suggestion.lead_deputy_id == deputy.id, host.c.instance_id.is_not(None))).all()
    hosts = {instance_id for instance_id, _ in merged}
    # The cases' rows are locked as a completion locks them, so a commission member recording
    # one of these tasks at this moment either finishes first or finds it gone.
    list(session.scalars(select(ProcessInstance.id).where(
        or_(ProcessInstance.id.in_(cases), ProcessInstance.id.in_(hosts)))
        .order_by(ProcessInstance.id).with_for_update()))
    mine = [and_(HumanTask.instance_id.in_(cases), HumanTask.bpmn_id != MERGED_FEEDBACK)]
    mine += [and_(HumanTask.instance_id == instance_id, HumanTask.bpmn_id == MERGED_FEEDBACK,
                  HumanTask.subject.startswith(subject_prefix(number), autoescape=True))
             for instance_id, number in merged]
    waiting = session.execute(select(HumanTask.id, HumanTask.instance_id, HumanTask.bpmn_id,
                                     HumanTask.name, HumanTask.subject).where(
        or_(*mine), HumanTask.state == "ready",
        HumanTask.lane.in_(lead_deputy_lanes(session)), HumanTask.candidate_role != DEPUTY_ROLE)
        .order_by(HumanTask.created_at, HumanTask.id)).all()
    if not waiting:
        return []
    ids = [task.id for task in waiting]
    session.execute(update(HumanTask).where(HumanTask.id.in_(ids), HumanTask.state == "ready")
                    .values(candidate_role=DEPUTY_ROLE, candidate_unit=None,
                            assignee=user.username, claimed_at=None))
    numbers = dict(session.execute(select(Suggestion.instance_id, Suggestion.number).where(
        Suggestion.instance_id.in_({task.instance_id for task in waiting}))).tuples().all())
    for task in waiting:
        session.add(AuditEvent(at=now, actor=actor, action="hand_over",
                               instance_id=task.instance_id, task_id=task.id,
                               bpmn_id=task.bpmn_id,
                               detail={"to": user.username, "reason": "deputy_linked"}))
        zh, en = step_name(task.bpmn_id, task.name, task.subject)
        number = numbers.get(task.instance_id, "?")
        notify(session, [user.username], "task",
               (f"新任务：{zh}（第{number}号建议）", f"New task: {en} (suggestion {number})"),
               f"/tasks/{task.id}", now)
    return ids
