"""When an escalation (督办 / 提请高位协调) ends: the rules in one place.

Every escalation is raised for a cause, kept in `Escalation.detail["cause"]` by the operator that
raises it (`operators.escalate`, `operators.record_coordination_request`):

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

from collections import Counter, defaultdict
from datetime import datetime
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (Assignment, AuditEvent, CoOpinion, Escalation, Extension, Feedback, HumanTask,
                    Reply, Suggestion)

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


def open_escalation_problems(session: Session, now: datetime) -> list[str]:
    """Escalations open although their cause has ended, and overdue assignments without one.

    Contract (an invariant a test may call after any step): a pure read — it writes nothing and
    changes no state; `now` is the clock the case was driven with, and due timers are taken to
    have been fired up to `now` (call it after `fire_due_timers`). Returns one readable line per
    problem, empty when all is well:
    - an open escalation of a closed case, or of an assignment returned or closed;
    - an open `deadline` escalation although a reply was issued after it was raised, or an
      extension approved after it moved the deadline past the moment it was approved;
    - an open `co_opinion` escalation although the co-unit's opinion came after it was raised;
    - an open `deadline` or `co_opinion` escalation of an assignment that owes nothing any more
      (status not assigned / acknowledged: its reply or opinion is out);
    - more open `coordination` (`dissatisfied`) escalations in a case than ready tasks in its
      ProvincialLeader (Supervisor) lane: the leader's (supervisors') task that ends them is done;
    - an assignment still owing its reply or opinion (status assigned / acknowledged) in an open
      case, whose deadline `reply_due` is before `now`, without an open escalation of level
      `supervision` or `high_level`.
    """
    problems: list[str] = []
    rows = session.execute(
        select(Escalation, Assignment.role, Assignment.status, Suggestion.status,
               Suggestion.number, Suggestion.instance_id)
        .join(Suggestion, Suggestion.id == Escalation.suggestion_id)
        .outerjoin(Assignment, Assignment.id == Escalation.assignment_id)
        .where(Escalation.resolved_at.is_(None)).order_by(Escalation.id)).all()
    ids = {e.assignment_id for e, *_rest in rows if e.assignment_id is not None}
    replies, opinions, extensions = defaultdict(list), defaultdict(list), defaultdict(list)
    for chunk in _chunks(sorted(ids)):
        for assignment_id, at in session.execute(select(Reply.assignment_id, Reply.issued_at)
                                                 .where(Reply.assignment_id.in_(chunk))):
            replies[assignment_id].append(at)
        for assignment_id, at in session.execute(
                select(CoOpinion.assignment_id, CoOpinion.submitted_at)
                .where(CoOpinion.assignment_id.in_(chunk))):
            opinions[assignment_id].append(at)
        for assignment_id, at, due in session.execute(
                select(Extension.assignment_id, Extension.decided_at, Extension.new_reply_due)
                .where(Extension.assignment_id.in_(chunk), Extension.status == "approved")):
            extensions[assignment_id].append((at, due))
    instances = {row[5] for row in rows if row[5] is not None}
    ready: Counter = Counter()
    for chunk in _chunks(sorted(instances)):
        for instance_id, lane, count in session.execute(
                select(HumanTask.instance_id, HumanTask.lane, func.count())
                .where(HumanTask.instance_id.in_(chunk), HumanTask.state == "ready",
                       HumanTask.lane.in_(FOLLOW_UP_LANES))
                .group_by(HumanTask.instance_id, HumanTask.lane)):
            ready[(instance_id, lane)] = count
    waiting: Counter = Counter()
    for e, role, a_status, s_status, number, instance_id in rows:
        cause = cause_of(e, role)
        name = f"escalation {e.id} (suggestion {number}, {e.level}, {cause})"
        raised = e.raised_at
        why = None
        if s_status == "closed":
            why = "the case is closed"
        elif a_status in ("returned", "closed"):
            why = f"its assignment is {a_status}"
        elif cause == "deadline" and any(at >= raised for at in replies[e.assignment_id]):
            why = "the reply was issued"
        elif cause in ("deadline", "co_opinion") and a_status not in AWAITING:
            why = f"no reply or opinion is owed any more (assignment {a_status})"
        elif cause == "deadline" and any(at is not None and at >= raised and due is not None
                                         and due > at for at, due in extensions[e.assignment_id]):
            why = "an approved extension moved the deadline"
        elif cause == "co_opinion" and any(at >= raised for at in opinions[e.assignment_id]):
            why = "the co-handling opinion was recorded"
        elif cause in ("coordination", "dissatisfied"):
            lane = "ProvincialLeader" if cause == "coordination" else "Supervisor"
            waiting[(instance_id, lane, number)] += 1
        if why:
            problems.append(f"{name} is open although {why}")
    for (instance_id, lane, number), count in sorted(waiting.items(), key=str):
        if count > ready[(instance_id, lane)]:
            problems.append(
                f"suggestion {number}: {count} open escalation(s) wait for the {lane} lane, which "
                f"has {ready[(instance_id, lane)]} ready task(s): the task that ends them is done")
    covered = select(Escalation.id).where(
        Escalation.suggestion_id == Assignment.suggestion_id,
        Escalation.assignment_id == Assignment.id, Escalation.resolved_at.is_(None),
        Escalation.level.in_(("supervision", "high_level"))).exists()
    for assignment_id, number, role, due in session.execute(
            select(Assignment.id, Suggestion.number, Assignment.role, Assignment.reply_due)
            .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
            .where(Assignment.status.in_(AWAITING), Assignment.reply_due < now,
                   Suggestion.status != "closed", ~covered).order_by(Assignment.id)):
        problems.append(f"assignment {assignment_id} (suggestion {number}, {role}) is overdue "
                        f"since {due.isoformat()} without an open escalation")
    return problems


def _chunks(values: list, size: int = 900):
    for start in range(0, len(values), size):
        yield values[start:start + size]


__all__ = ["CAUSES", "ENDS", "cause_for", "cause_of", "escalation_ids_in",
           "open_escalation_problems", "resolve_after_task", "resolve_escalations", "task_done",
           "task_will_end"]
