"""Escalations wrongly left open, and overdue assignments without one: an invariant check.

Kept apart from workflows.escalations (which raises and resolves them) because it is a pure
read over many cases that tests and the fuzzer call after any step; the rules it checks are the
ones in workflows.escalations (causes, what ends them, the follow-up lanes).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Assignment, CoOpinion, Escalation, Extension, HumanTask, Reply, Suggestion

from .escalations import AWAITING, FOLLOW_UP_LANES, cause_of


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
