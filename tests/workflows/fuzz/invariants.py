"""The rules every state of every case keeps (issue 14), checked after every step of a random
walk. Each invariant is a function `(session, walk) -> list[str]`: one readable line per
violation, empty when the rule holds. `walk` gives the clock's `now`, the `engine` and the walk's
`instance_ids`.

The checks read the raw rows (replies, audit trail, timers, escalations, feedback) and compute
what should be from them; none of them calls the code whose result it checks, except
`projections_consistent`, which runs the engine's own consistency check as the issue asks.

KNOWN_BROKEN names invariants a known, not yet fixed bug breaks: their violations are counted
and printed but do not fail the run. It is empty (issue 14's items 1-4, which it held, are
fixed). JIANYI_FUZZ_STRICT=1 makes every invariant fail the run regardless.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine
from engine.consistency import check_audit, check_instances
from models import (Assignment, AuditEvent, Consultation, CoOpinion, Escalation, Extension,
                    Feedback, HumanTask, ProcessInstance, Reply, Suggestion, Timer, Unit, User)
from workflows import deadlines
from workflows.statistics import SCOPES, Filters, unit_figures

# Invariants a known, not yet fixed bug breaks: counted and printed, not failing the run. Issue
# 14's items 1-4 were fixed with this tester (2026-12-01), so none is excused any more.
KNOWN_BROKEN: frozenset[str] = frozenset()
# "1": every invariant fails the run; or a comma-separated list of invariant names that do.
STRICT = os.environ.get("JIANYI_FUZZ_STRICT", "")


@dataclass
class Walk:
    """What the invariants need besides the session."""

    now: datetime
    engine: Engine
    instance_ids: Iterable[int]


Invariant = Callable[[Session, Walk], list[str]]
# The figures recomputed here (a figure added to `statistics` later is not compared until it is
# added here with its own computation).
COUNTS = ("assigned", "replied", "on_time", "consulted", "rated", "rated_on_behalf",
          "very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "class_a",
          "class_b", "class_c", "class_d", "overdue", "first_rated", "first_very_satisfied",
          "first_satisfied", "first_basically_satisfied")
# Escalations raised by a deadline timer: their cause is the missing reply (or co-opinion).
DEADLINE_ESCALATIONS = {"escalate_reminder_task", "escalate_overdue_task",
                        "escalate_long_overdue_task", "escalate_co_opinion_task",
                        "escalate_rehandle_task", "escalate_co_reminder_task",
                        "escalate_rehandle_reminder_task"}


def _label(a: Assignment) -> str:
    return f"suggestion {a.suggestion.number} / {a.unit.code} ({a.role}, assignment {a.id})"


class Rows:
    """The rows the invariants read, loaded once per check (a handful of queries, not one per
    assignment: the checks run after every step)."""

    def __init__(self, session: Session):
        self.users = {u.username: u for u in session.scalars(select(User))}
        units = session.scalars(select(Unit)).all()
        self.units = {u.id: u.code for u in units}
        self.unit_names = {u.id: u.name for u in units}
        self.suggestions = {s.id: s for s in session.scalars(select(Suggestion))}
        self.status = dict(session.execute(
            select(ProcessInstance.id, ProcessInstance.status)).all())
        self.assignments = session.scalars(select(Assignment).order_by(Assignment.id)).all()
        self.by_id = {a.id: a for a in self.assignments}
        self.replies, self.opinions, self.feedback = (defaultdict(list), defaultdict(list),
                                                      defaultdict(list))
        for r in session.scalars(select(Reply).order_by(Reply.round, Reply.id)):
            self.replies[r.assignment_id].append(r)
        for o in session.scalars(select(CoOpinion).order_by(CoOpinion.submitted_at, CoOpinion.id)):
            self.opinions[o.assignment_id].append(o)
        for f in session.scalars(select(Feedback).order_by(Feedback.round, Feedback.id)):
            self.feedback[f.assignment_id].append(f)
        self.extensions = defaultdict(list)  # approved, in the order decided
        for x in session.scalars(select(Extension).where(Extension.status == "approved")
                                 .order_by(Extension.decided_at, Extension.id)):
            self.extensions[x.assignment_id].append(x)
        self.consulted = set(session.scalars(select(Consultation.assignment_id)))
        self.escalations = session.scalars(select(Escalation).order_by(Escalation.id)).all()
        self.timers = defaultdict(set)
        for instance_id, due in session.execute(select(Timer.instance_id, Timer.due_at)):
            self.timers[instance_id].add(due)
        self.ready = defaultdict(list)
        for t in session.scalars(select(HumanTask).where(HumanTask.state == "ready")):
            self.ready[t.instance_id].append(t)
        self.completions = defaultdict(list)  # instance -> [(audit event, task row)] in order
        for event, task in session.execute(
                select(AuditEvent, HumanTask).join(HumanTask, HumanTask.id == AuditEvent.task_id)
                .where(AuditEvent.action == "complete")
                .order_by(AuditEvent.id)):
            self.completions[event.instance_id].append((event, task))
        self._initial: dict[int, datetime] = {}
        self.session = session

    def steps(self, instance_id: int) -> list[str]:
        return sorted({t.bpmn_id for t in self.ready[instance_id]})

    def awaiting(self, a: Assignment) -> bool:
        """Still owes its first reply (co-units: their opinion)."""
        if a.status in ("returned", "closed"):
            return False
        return not (self.opinions if a.role == "co" else self.replies)[a.id]

    def due_at(self, a: Assignment, at: datetime | None = None) -> datetime:
        """The reply deadline in force at `at` (now if None), from the assignment and the
        approved extensions, computed again from the calendar (not read from `reply_due`)."""
        approved = [x for x in self.extensions[a.id] if at is None or x.decided_at <= at]
        if approved:
            return approved[-1].new_reply_due
        if a.id not in self._initial:
            self._initial[a.id] = deadlines.initial(self.session, a.role,
                                                    a.assigned_at)["reply_due"]
        return self._initial[a.id]

    def open_assignments(self) -> list[Assignment]:
        """Assignments of running cases that are neither returned nor closed."""
        return [a for a in self.assignments if a.status not in ("returned", "closed")
                and self.status.get(self.suggestions[a.suggestion_id].instance_id) == "running"]


def rows(session: Session) -> Rows:
    """The rows of this check (cached on the session: one load for all the invariants)."""
    found = session.info.get("fuzz_rows")
    if found is None:
        found = session.info["fuzz_rows"] = Rows(session)
    return found


# ---- 1. three-level sign-off -----------------------------------------------------------------
def _sign_off_step(bpmn_id: str) -> str | None:
    """Which step of the sign-off a task is, by its BPMN id: drafting (答复拟稿, 重新办理, or a
    later draft step named draft_…), review (审核, review…) or signing (签发, sign…)."""
    if bpmn_id in ("draft_reply", "rehandle") or bpmn_id.startswith("draft"):
        return "draft"
    if bpmn_id.startswith("review"):
        return "review"
    if bpmn_id.startswith("sign"):
        return "sign"
    return None


def replies_reviewed_and_signed(session: Session, walk: Walk) -> list[str]:
    """Every reply that reaches a deputy was reviewed (分管负责同志) and then signed (主要负责同志)
    after its draft, by different people holding those roles in the replying unit: the k-th
    reply of an assignment needs k drafts reviewed-then-signed before it was issued."""
    problems, r = [], rows(session)
    for assignment_id, issued in r.replies.items():
        a = r.by_id[assignment_id]
        code = r.units[a.unit_id]
        signed, reviewed = [], None
        for event, task in r.completions[r.suggestions[a.suggestion_id].instance_id]:
            kind = _sign_off_step(task.bpmn_id)
            if task.candidate_unit != code or kind is None:
                continue
            data = (event.detail or {}).get("data") or {}
            approved = any(k.endswith("decision") and v == "approve" for k, v in data.items())
            if kind == "draft":
                reviewed = None  # a new draft needs its own review
            elif kind == "review":
                reviewed = event if approved else None
            elif approved:
                if reviewed is None:
                    problems.append(f"{_label(a)}: signed by {event.actor} at {event.at:%Y-%m-%d} "
                                    "without a review of that draft")
                else:
                    signed.append((reviewed, event))
                reviewed = None
            else:
                reviewed = None
        for k, reply in enumerate(issued, start=1):
            before = [s for s in signed if s[1].at <= reply.issued_at]
            if len(before) < k:
                problems.append(
                    f"{_label(a)}: reply round {reply.round} issued {reply.issued_at:%Y-%m-%d} by "
                    f"{reply.issued_by} without review and sign-off ({len(before)} signed drafts "
                    f"for {k} replies)")
                continue
            review, sign = before[k - 1]
            reviewer, signer = r.users.get(review.actor), r.users.get(sign.actor)
            if reviewer is None or reviewer.role != "reviewer" or \
                    r.units.get(reviewer.unit_id) != code:
                problems.append(f"{_label(a)}: reply round {reply.round} reviewed by "
                                f"{review.actor}, not a reviewer of {code}")
            if signer is None or signer.role != "signer" or r.units.get(signer.unit_id) != code:
                problems.append(f"{_label(a)}: reply round {reply.round} signed by {sign.actor}, "
                                f"not a signer of {code}")
            if review.actor == sign.actor:
                problems.append(f"{_label(a)}: reply round {reply.round} reviewed and signed by "
                                f"the same person {sign.actor}")
    return problems


# ---- 2. deadline timers ----------------------------------------------------------------------
def deadline_timers_pending(session: Session, walk: Walk) -> list[str]:
    """Every assignment without its reply (co-unit: opinion) has a pending timer at its reply
    deadline, counted from assignment or from an approved extension, whatever step it is at."""
    problems, r = [], rows(session)
    for a in r.open_assignments():
        if not r.awaiting(a):
            continue
        due = r.due_at(a)
        instance_id = r.suggestions[a.suggestion_id].instance_id
        if a.reply_due != due:
            problems.append(f"{_label(a)}: reply_due {a.reply_due:%Y-%m-%d %H:%M} but the "
                            f"deadline from assignment/extension is {due:%Y-%m-%d %H:%M}")
        if due > walk.now and due not in r.timers[instance_id]:
            problems.append(f"{_label(a)}: no pending timer at its deadline "
                            f"{due:%Y-%m-%d %H:%M} (case at {r.steps(instance_id)})")
    return problems


# ---- 3. escalations --------------------------------------------------------------------------
def _cause_ended(r: Rows, e: Escalation, a: Assignment | None) -> str | None:
    """Why an escalation's cause has ended, or None while it goes on."""
    suggestion = r.suggestions[e.suggestion_id]
    if suggestion.status == "closed":
        return "the case is closed"
    if a is None:
        return None
    if a.status == "returned":
        return "the assignment was returned to the commission"
    task = (e.detail or {}).get("task")
    if task in DEADLINE_ESCALATIONS:
        for reply in r.replies[a.id]:
            if reply.issued_at >= e.raised_at:
                return f"the reply was issued {reply.issued_at:%Y-%m-%d}"
        for opinion in r.opinions[a.id]:
            if opinion.submitted_at >= e.raised_at:
                return f"the co-handling opinion was sent {opinion.submitted_at:%Y-%m-%d}"
    if task in DEADLINE_ESCALATIONS:
        for x in r.extensions[a.id]:
            if x.decided_at >= e.raised_at and x.new_reply_due > x.decided_at:
                return f"an extension was approved {x.decided_at:%Y-%m-%d}"
    if task == "record_coordination_request_task":
        # Each request opens one leader's task (subject: the unit); while fewer of them wait
        # than requests of the unit are open, the leader has recorded some coordination.
        unit = r.unit_names[a.unit_id]
        waiting = sum(t.bpmn_id == "coordinate_requested" and unit in (t.subject or "")
                      for t in r.ready[suggestion.instance_id])
        still_open = sum(o.assignment_id == a.id and o.resolved_at is None
                         and (o.detail or {}).get("task") == task for o in r.escalations)
        if still_open > waiting:
            return (f"the leader recorded the coordination ({still_open} requests open, "
                    f"{waiting} waiting for the leader)")
    for event, task_row in r.completions[suggestion.instance_id]:
        # The leader's and the supervisors' tasks name their unit in the subject: a unit's
        # coordination or meeting ends that unit's escalation, not another's of the same case.
        if event.at < e.raised_at or r.unit_names[a.unit_id] not in (task_row.subject or ""):
            continue
        if task == "escalate_dissatisfied_task" and task_row.bpmn_id == "supervise_meeting":
            return f"the supervised meeting was held {event.at:%Y-%m-%d}"
    return None


def no_escalation_outlives_its_cause(session: Session, walk: Walk) -> list[str]:
    """An escalation is open only while its cause lasts (no reply, no approved extension, no
    coordination recorded, the case open); resolved ones say who and when."""
    problems, r = [], rows(session)
    for e in r.escalations:
        if e.resolved_at is not None:
            if not e.resolved_by:
                problems.append(f"escalation {e.id}: resolved without saying by whom")
            continue
        a = r.by_id.get(e.assignment_id) if e.assignment_id else None
        ended = _cause_ended(r, e, a)
        if ended:
            where = _label(a) if a is not None else f"suggestion {e.suggestion_id}"
            problems.append(f"{where}: {e.level} escalation {e.id} "
                            f"({(e.detail or {}).get('task')}, raised {e.raised_at:%Y-%m-%d}) "
                            f"is still open though {ended}")
    try:  # the escalations module of the fix, when merged, adds its own view
        from workflows.escalation_problems import open_escalation_problems
    except ImportError:
        return problems
    return problems + [f"workflows.escalation_problems: {p}" for p in open_escalation_problems(session, walk.now)]


def overdue_assignments_escalated(session: Session, walk: Walk) -> list[str]:
    """Every assignment past its reply deadline without its reply (or opinion; re-handling
    included) has an open escalation to the supervisors, whatever step it is at."""
    problems, r = [], rows(session)
    for a in r.open_assignments():
        rehandling = a.role != "co" and a.status in ("assigned", "acknowledged")
        if not (r.awaiting(a) or rehandling) or a.reply_due >= walk.now:
            continue
        instance_id = r.suggestions[a.suggestion_id].instance_id
        if any(due <= walk.now for due in r.timers[instance_id]):
            continue  # a timer due and not fired yet: the scheduler's next tick escalates
        if not any(e.assignment_id == a.id and e.resolved_at is None and e.level != "reminder"
                   for e in r.escalations):
            problems.append(f"{_label(a)}: overdue since {a.reply_due:%Y-%m-%d} "
                            f"(now {walk.now:%Y-%m-%d}, case at {r.steps(instance_id)}) "
                            "with no open escalation")
    return problems


# ---- 4. feedback -----------------------------------------------------------------------------
def _deputies_of(r: Rows, suggestion: Suggestion) -> set[int]:
    """The lead deputy of the suggestion and of each suggestion merged into it."""
    return {suggestion.lead_deputy_id, *(s.lead_deputy_id for s in r.suggestions.values()
                                         if s.merged_into_id == suggestion.id)}


def feedback_by_lead_deputy(session: Session, walk: Walk) -> list[str]:
    """Feedback is given only by the lead deputy in person, or recorded for them by the
    commission (代录) and marked so; an open feedback task is theirs or the commission's."""
    problems, r = [], rows(session)
    for assignment_id, given in r.feedback.items():
        a = r.by_id[assignment_id]
        host = r.suggestions[a.suggestion_id]
        for f in given:
            # the case's own rating is its lead deputy's; a merged suggestion's, that one's
            rated = r.suggestions.get(f.suggestion_id) if f.suggestion_id is not None else host
            if rated is None or (rated is not host and rated.merged_into_id != host.id):
                problems.append(f"{_label(a)}: feedback {f.id} rates suggestion "
                                f"{f.suggestion_id}, not merged into this case")
                continue
            deputies = {rated.lead_deputy_id}
            user = r.users.get(f.given_by)
            if user is not None and user.role == "deputy" and user.deputy_id in deputies:
                if f.recorded_on_behalf:
                    problems.append(f"{_label(a)}: feedback {f.id} given by the deputy "
                                    f"{f.given_by} is marked as recorded on their behalf")
            elif user is not None and user.role == "commission":
                if not f.recorded_on_behalf:
                    problems.append(f"{_label(a)}: feedback {f.id} recorded by {f.given_by} "
                                    "(commission) is not marked 代录")
            else:
                problems.append(f"{_label(a)}: feedback {f.id} given by {f.given_by} "
                                f"({user.role if user else 'no such user'}), neither the lead "
                                "deputy nor the commission on their behalf")
    by_instance = {s.instance_id: s for s in r.suggestions.values()}
    for instance_id, ready in r.ready.items():
        for task in ready:
            if task.lane != "Deputy" or (task.candidate_role == "commission"
                                         and task.assignee is None):
                continue
            owner, suggestion = r.users.get(task.assignee or ""), by_instance.get(instance_id)
            if owner is None or owner.role != "deputy" or suggestion is None or \
                    owner.deputy_id not in _deputies_of(r, suggestion):
                problems.append(f"case {instance_id}: open {task.bpmn_id} goes to "
                                f"{task.candidate_role}/{task.assignee}, not the lead deputy")
    return problems


# ---- 5. the engine's consistency; no stuck case ----------------------------------------------
def projections_consistent(session: Session, walk: Walk) -> list[str]:
    """`engine.consistency` finds nothing: projections match the stored workflows, no running
    case without a ready task or a pending timer, one audit event per completed task."""
    return check_instances(session, walk.engine, list(walk.instance_ids)) + check_audit(session)


def merged_cases_end(session: Session, walk: Walk) -> list[str]:
    """A suggestion merged into another (并案) is handled in that case: its own case does not
    wait for an assignment (or anything else) any more."""
    problems, r = [], rows(session)
    for s in r.suggestions.values():
        if s.merged_into_id is not None and s.instance_id is not None and r.ready[s.instance_id]:
            problems.append(f"suggestion {s.number}, merged into suggestion "
                            f"{r.suggestions[s.merged_into_id].number}, still waits at "
                            f"{r.steps(s.instance_id)} in its own case {s.instance_id}")
    return problems


# ---- 6. the supervisors' figures -------------------------------------------------------------
def figures_recomputed(session: Session, walk: Walk) -> list[str]:
    """The figures per unit (lead and co scopes) equal a count from the raw records: replies or
    opinions, their timeliness against the deadline then in force, consultations, the final
    feedback, the class of the reply that stands, overdue assignments."""
    problems, r = [], rows(session)
    for scope, roles in SCOPES.items():
        mine: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
        for a in r.assignments:
            if a.status == "returned" or a.role not in roles:
                continue
            row = mine[r.units[a.unit_id]]
            row["assigned"] += 1
            if scope == "co":
                first = r.opinions[a.id][0].submitted_at if r.opinions[a.id] else None
            else:
                replies = r.replies[a.id]
                first = replies[0].issued_at if replies else None
                if replies:
                    row[f"class_{replies[-1].answer_class.lower()}"] += 1
            if first is not None:
                row["replied"] += 1
                row["on_time"] += first <= r.due_at(a, first)
            elif r.due_at(a) < walk.now:
                row["overdue"] += 1
            row["consulted"] += a.id in r.consulted
            own = [f for f in r.feedback[a.id] if f.suggestion_id is None]
            # 并案: each merged suggestion's final rating of the shared reply is one more rating
            # of the lead unit; a merged deputy rates once, so it is a first round too.
            merged: dict[int, Feedback] = {}
            for f in r.feedback[a.id]:
                if f.suggestion_id is not None:
                    merged[f.suggestion_id] = f
            for final in ([own[-1]] if own else []) + list(merged.values()):
                row["rated"] += 1
                row[final.satisfaction] += 1
                row["rated_on_behalf"] += bool(final.recorded_on_behalf)
            firsts = [f for f in own if f.round == 1][:1] + list(merged.values())
            for first_round in firsts:
                row["first_rated"] += 1
                if first_round.satisfaction != "dissatisfied":
                    row[f"first_{first_round.satisfaction}"] += 1
        kept = {f.unit_code: {name: getattr(f, name) for name in COUNTS}
                for f in unit_figures(session, Filters(), scope=scope, now=walk.now)}
        for code in sorted(set(mine) | set(kept)):
            expected, shown = mine.get(code, dict.fromkeys(COUNTS, 0)), kept.get(code, {})
            wrong = {n: (shown.get(n, 0), expected[n]) for n in COUNTS
                     if shown.get(n, 0) != expected[n]}
            if wrong:
                problems.append(f"figures ({scope}) of {code}: " + ", ".join(
                    f"{n} shows {s} but the records give {e}" for n, (s, e) in wrong.items()))
    return problems


INVARIANTS: list[Invariant] = [
    replies_reviewed_and_signed, deadline_timers_pending, no_escalation_outlives_its_cause,
    overdue_assignments_escalated, feedback_by_lead_deputy, projections_consistent,
    merged_cases_end, figures_recomputed]
assert KNOWN_BROKEN <= {f.__name__ for f in INVARIANTS}


def check(session: Session, walk: Walk) -> dict[str, list[str]]:
    """Every invariant's violations, by invariant name (only those with any)."""
    found = {}
    for invariant in INVARIANTS:
        problems = invariant(session, walk)
        if problems:
            found[invariant.__name__] = problems
    return found


def tolerated(name: str) -> bool:
    """True if the violations of invariant `name` do not fail the run (known broken, and not
    made strict by JIANYI_FUZZ_STRICT)."""
    return name in KNOWN_BROKEN and STRICT != "1" and name not in STRICT.split(",")


def failing(found: dict[str, list[str]]) -> dict[str, list[str]]:
    """The violations that fail the run: all in strict mode, else those not known broken."""
    return {name: p for name, p in found.items() if not tolerated(name)}
