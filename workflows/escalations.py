"""Escalations (督办 / 提请高位协调): raising them, telling people, and when they end — the
rules in one place. (Which ones are wrongly left open: workflows.escalation_problems.)

Every escalation is raised for a cause, kept in `Escalation.detail["cause"]` by the operator that
raises it (`escalate`, `record_coordination_request` below):

| cause          | raised for                                                   | ends when (`ended`)          |
|----------------|--------------------------------------------------------------|------------------------------|
| `deadline`     | reply reminder, overdue, long overdue, re-handling overdue    | `reply_issued`; `extension_approved` (the deadline moved past now) |
| `co_opinion`   | a co-unit's opinion due or overdue                            | `co_opinion_recorded`        |
| `coordination` | the handler asked for high-level coordination (提请高位协调)   | `coordination_recorded` (the leader's task done) |
| `dissatisfied` | 不满意 twice: the commission organises a meeting               | `meeting_held` (the supervisors' task done) |
| any            | —                                                            | `returned` (the unit's part reassigned), `assignment_closed`, `case_closed` |

The causes are told apart by the facts of the assignment when the escalation is raised, never by
where a timer sits in the BPMN: a co-unit's escalation is about its opinion; a lead unit's
escalation after its second 不满意 is about the meeting; every other one about the reply deadline.
A resolution sets `resolved_by` / `resolved_at`, notes what ended it in `detail["ended"]` and
writes an `escalation_resolved` audit event.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import OperatorCall
from models import vocabulary
from models import Assignment, AuditEvent, Escalation, Feedback, Suggestion, User

from .notifications import notify
from .operator_helpers import assignment_of

CAUSES = ("deadline", "co_opinion", "coordination", "dissatisfied")
EVERYTHING = frozenset(CAUSES)
# What ended -> the causes it ends.
ENDS: dict[str, frozenset[str]] = {
    "reply_issued": frozenset({"deadline"}),
    "extension_approved": frozenset({"deadline"}),
    "co_opinion_recorded": frozenset({"co_opinion"}),
    "coordination_recorded": frozenset({"coordination"}),
    "meeting_held": frozenset({"dissatisfied"}),
    "returned": EVERYTHING,
    "assignment_closed": EVERYTHING,
    "case_closed": EVERYTHING,
}
# The lanes of the tasks that follow an escalation and, once done, end a person-ended cause.
FOLLOW_UP_LANES = {"ProvincialLeader": "coordination_recorded", "Supervisor": "meeting_held"}
AWAITING = ("assigned", "acknowledged")  # an assignment that still owes its reply / opinion
ACTION = "escalation_resolved"


def cause_for(session: Session, assignment: Assignment, level: str) -> str:
    """The cause of an escalation about to be raised on `assignment` (see the module's table)."""
    if assignment.role == "co":
        return "co_opinion"
    if level != "reminder" and assignment.status not in AWAITING:
        # The reply is out and the escalation is not about its deadline: only the second
        # 不满意 escalates a replied case.
        ratings = session.execute(select(Feedback.satisfaction).where(
            Feedback.assignment_id == assignment.id).order_by(Feedback.round.desc())).scalars().all()
        if ratings and ratings[0] == "dissatisfied" and ratings.count("dissatisfied") >= 2:
            return "dissatisfied"
    return "deadline"


def escalate(call: OperatorCall, assignment_id, level, reason, cause=None, once=False) -> dict:
    """督办 / 提请高位协调: a visible escalation record, with the cause whose end resolves it
    (told from the assignment's facts by `cause_for` unless the BPMN names it).

    `once`: none is raised if one of this level and cause is already open for the assignment
    (a co-unit's timers armed again when co-handling restarts after the lead unit was
    reassigned fire at once for a deadline already escalated)."""
    assignment = assignment_of(call, assignment_id)
    cause = cause or cause_for(call.session, assignment, level)
    if once:
        for open_ in call.session.scalars(select(Escalation).where(
                Escalation.assignment_id == assignment.id, Escalation.level == level,
                Escalation.resolved_at.is_(None)).order_by(Escalation.id)):
            if (open_.detail or {}).get("cause") == cause:
                return {"escalation_id": open_.id}
    escalation = Escalation(suggestion_id=assignment.suggestion_id, assignment_id=assignment.id,
                            level=level, reason=reason, raised_by=call.actor, raised_at=call.now,
                            detail={"task": call.bpmn_id, "cause": cause})
    call.session.add(escalation)
    call.session.flush()
    _notify_escalation(call, assignment, level, reason)
    return {"escalation_id": escalation.id}


def record_coordination_request(call: OperatorCall, assignment_id) -> dict:
    """The handler's explicit request for high-level coordination (提请高位协调)."""
    return escalate(call, assignment_id, "high_level",
                    call.data.get("coordination_reason") or "承办单位提请高位协调",
                    cause="coordination")


# Each level as a notice names it (models.vocabulary.ESCALATION_LEVELS).
LEVEL_NAMES = {t.code: t.long_pair for t in vocabulary.ESCALATION_LEVELS}


def _notify_escalation(call: OperatorCall, assignment: Assignment, level: str, reason: str) -> None:
    """Reminders go to the unit's handlers; escalations to the commission (and the leader)."""
    session = call.session
    suggestion = assignment.suggestion
    if level == "reminder":
        query = select(User.username).where(User.unit_id == assignment.unit_id,
                                            User.role == "unit_handler")
    else:
        query = select(User.username).where(User.role == "commission")
    people = list(session.scalars(query))
    if level == "high_level":
        leader = session.get(User, suggestion.supervising_leader_id) \
            if suggestion.supervising_leader_id else None
        people += [leader.username] if leader else list(session.scalars(
            select(User.username).where(User.role == "provincial_leader")))
    zh, en = LEVEL_NAMES.get(level, (level, level))
    unit, number = assignment.unit.name, suggestion.number
    notify(session, people, "reminder" if level == "reminder" else "escalation",
           (f"{zh}：第{number}号建议（{unit}）— {reason}",
            f"{en}: suggestion {number} ({unit}) — {reason}"), f"/cases/{suggestion.id}", call.now)


def cause_of(escalation: Escalation, role: str | None = None) -> str:
    """The cause kept on an escalation (rows raised before causes were kept: by the role)."""
    cause = (escalation.detail or {}).get("cause")
    if cause in CAUSES:
        return cause
    return "co_opinion" if role == "co" else "deadline"


def resolve_escalations(session: Session, target: Assignment | Suggestion, ended: str, actor: str,
                        at: datetime, *, instance_id: int | None = None,
                        ids: Iterable[int] | None = None) -> list[Escalation]:
    """Resolve the open escalations of `target` (one assignment, or every assignment of a case)
    whose cause `ended` ends; `ids` narrows them to those escalations. Returns those resolved."""
    causes = ENDS[ended]
    query = select(Escalation, Assignment.role).outerjoin(
        Assignment, Assignment.id == Escalation.assignment_id).where(
        Escalation.resolved_at.is_(None))
    if isinstance(target, Assignment):
        # by the case first: escalation.suggestion_id is indexed, assignment_id is not
        query = query.where(Escalation.suggestion_id == target.suggestion_id,
                            Escalation.assignment_id == target.id)
        suggestion_id = target.suggestion_id
    else:
        query = query.where(Escalation.suggestion_id == target.id)
        suggestion_id = target.id
    if ids is not None:
        query = query.where(Escalation.id.in_([int(i) for i in ids]))
    resolved = []
    # A person's task being completed ends these (the meeting held closes the case in the same
    # step): what ended them is the task, not the closing that follows it.
    by_task = session.info.get(_BY_TASK, {})
    for escalation, role in session.execute(query.order_by(Escalation.id)).all():
        cause = cause_of(escalation, role)
        if cause not in causes:
            continue
        why = by_task.get(escalation.id, ended)
        why = why if cause in ENDS[why] else ended
        escalation.resolved_by, escalation.resolved_at = actor, at
        escalation.detail = {**(escalation.detail or {}), "cause": cause, "ended": why}
        resolved.append(escalation)
    if resolved:
        if instance_id is None:
            instance_id = session.scalar(select(Suggestion.instance_id)
                                         .where(Suggestion.id == suggestion_id))
        for escalation in resolved:
            session.add(AuditEvent(at=at, actor=actor, action=ACTION, instance_id=instance_id,
                                   detail={"escalation_id": escalation.id,
                                           "suggestion_id": escalation.suggestion_id,
                                           "assignment_id": escalation.assignment_id,
                                           "level": escalation.level,
                                           "cause": escalation.detail["cause"],
                                           "ended": escalation.detail["ended"]}))
        session.flush()
    return resolved


def resolve_in_step(call: OperatorCall, assignment: Assignment, ended: str) -> None:
    """An operator's step ended the cause of some of the assignment's escalations."""
    resolve_escalations(call.session, assignment, ended, call.actor, call.now,
                        instance_id=call.instance_id)


def escalation_ids_in(data: dict) -> list[int]:
    """The escalations a task's data names (the `{escalation_id}` results of the operators that
    raised them, whatever variable the BPMN keeps them in)."""
    found = []
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("escalation_id"), int):
            found.append(value["escalation_id"])
    return found


_BY_TASK = "escalations_ended_by_task"


def task_will_end(session: Session, lane: str | None, escalation_ids: list[int]) -> None:
    """Before a Supervisor or ProvincialLeader task that followed escalations is completed: the
    operators of its step that resolve them (closing the case) say it was this task that did."""
    ended = FOLLOW_UP_LANES.get(lane or "")
    if ended is not None:
        session.info[_BY_TASK] = {int(i): ended for i in escalation_ids}


def task_done(session: Session) -> None:
    """The task's step is over (done or failed): forget what `task_will_end` noted."""
    session.info.pop(_BY_TASK, None)


def resolve_after_task(session: Session, lane: str | None, escalation_ids: list[int],
                       actor: str, at: datetime, instance_id: int) -> list[Escalation]:
    """A Supervisor or ProvincialLeader task that followed escalations is done: the coordination
    it recorded or the meeting it held ends them (an overdue case's supervision note does not)."""
    ended = FOLLOW_UP_LANES.get(lane or "")
    if ended is None or not escalation_ids:
        return []
    suggestion = session.scalar(select(Suggestion).where(Suggestion.instance_id == instance_id))
    if suggestion is None:
        return []
    return resolve_escalations(session, suggestion, ended, actor, at, instance_id=instance_id,
                               ids=escalation_ids)


__all__ = ["CAUSES", "ENDS", "LEVEL_NAMES", "cause_for", "cause_of", "escalate",
           "escalation_ids_in", "record_coordination_request", "resolve_after_task",
           "resolve_escalations", "resolve_in_step", "task_done", "task_will_end"]
