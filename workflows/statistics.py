"""Supervisors' figures (办理统计): reply, on-time, consultation, satisfaction and resolution rates
per unit or per division, computed by SQL aggregates so they stay fast on large sessions.

Lead units (主办/分办/独办, which reply to the deputy) and co-handling units (会办, which send a
written opinion to the lead unit) are reported separately: `scope="lead"` or `scope="co"`.
Returned assignments (退回) are never counted.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from models import (Assignment, Consultation, CoOpinion, Division, Feedback, Reply, Suggestion,
                    Unit)

SCOPES = {"lead": ("lead", "sole", "separate"), "co": ("co",)}
GROUPINGS = ("unit", "division")
SATISFACTION = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied")
CLASSES = ("A", "B", "C", "D")
COUNTS = ("assigned", "replied", "on_time", "consulted", "rated", "very_satisfied", "satisfied",
          "basically_satisfied", "dissatisfied", "class_a", "class_b", "class_c", "class_d",
          "overdue")


def _rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


@dataclass
class Figures:
    """One row of figures: a unit, or one division of a unit (division None: no lead division)."""

    unit_code: str
    unit_name: str
    division: str | None = None
    assigned: int = 0
    replied: int = 0
    on_time: int = 0
    consulted: int = 0
    rated: int = 0
    very_satisfied: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    class_a: int = 0
    class_b: int = 0
    class_c: int = 0
    class_d: int = 0
    overdue: int = 0

    @property
    def reply_rate(self) -> float | None:
        """办复率: replied / assigned."""
        return _rate(self.replied, self.assigned)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率: on_time / assigned."""
        return _rate(self.on_time, self.assigned)

    @property
    def consultation_rate(self) -> float | None:
        """面商率: consulted / assigned."""
        return _rate(self.consulted, self.assigned)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: (very satisfied + satisfied) / rated, on each assignment's final feedback."""
        return _rate(self.very_satisfied + self.satisfied, self.rated)

    @property
    def satisfaction_rate_with_basic(self) -> float | None:
        """满意率 counting 基本满意 too: (very satisfied + satisfied + basically) / rated."""
        return _rate(self.very_satisfied + self.satisfied + self.basically_satisfied, self.rated)

    @property
    def resolution_rate(self) -> float | None:
        """解决率: (A + B) / classed replies (= replied for lead units; None for co-units)."""
        return _rate(self.class_a + self.class_b,
                     self.class_a + self.class_b + self.class_c + self.class_d)


@dataclass
class Filters:
    """Which suggestions and units the figures cover; every filter is optional."""

    session_id: int | None = None
    field: str | None = None
    key_only: bool = False
    unit_id: int | None = None


def _count(condition) -> object:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return func.sum(case((condition, 1), else_=0))


def _lead_replies():
    """Per lead assignment: on_time of the first reply (lowest round, then id) and the answer
    class of the latest reply (highest round, then id); one row per assignment with replies."""
    ranked = select(
        Reply.assignment_id, Reply.on_time, Reply.answer_class,
        func.row_number().over(partition_by=Reply.assignment_id,
                               order_by=(Reply.round.asc(), Reply.id.asc())).label("first"),
        func.row_number().over(partition_by=Reply.assignment_id,
                               order_by=(Reply.round.desc(), Reply.id.desc())).label("last"),
    ).subquery("ranked_reply")
    return select(
        ranked.c.assignment_id,
        func.max(case((and_(ranked.c.first == 1, ranked.c.on_time.is_(True)), 1),
                      else_=0)).label("on_time"),
        func.max(case((ranked.c.last == 1, ranked.c.answer_class))).label("answer_class"),
    ).group_by(ranked.c.assignment_id).subquery("lead_reply")


def _co_opinions():
    """Per co-unit assignment: when its first co-handling opinion was submitted."""
    return select(CoOpinion.assignment_id,
                  func.min(CoOpinion.submitted_at).label("first_at")
                  ).group_by(CoOpinion.assignment_id).subquery("co_opinion_first")


def _consultations():
    """The assignments with at least one consultation."""
    return select(Consultation.assignment_id).group_by(
        Consultation.assignment_id).subquery("consulted")


def _final_feedback():
    """Per assignment: the satisfaction of its final feedback (highest round, then id)."""
    ranked = select(
        Feedback.assignment_id, Feedback.satisfaction,
        func.row_number().over(partition_by=Feedback.assignment_id,
                               order_by=(Feedback.round.desc(), Feedback.id.desc())).label("rn"),
    ).subquery("ranked_feedback")
    return select(ranked.c.assignment_id, ranked.c.satisfaction).where(
        ranked.c.rn == 1).subquery("final_feedback")


def unit_figures(session: Session, filters: Filters, *, scope: str = "lead", by: str = "unit",
                 now: datetime) -> list[Figures]:
    """Figures per unit (or per lead division) for `scope` "lead" or "co", sorted by unit name."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}, not {scope!r}")
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}, not {by!r}")
    feedback = _final_feedback()
    consulted = _consultations()
    if scope == "lead":
        replies = _lead_replies()
        has_reply = replies.c.assignment_id.is_not(None)
        on_time = replies.c.on_time == 1
        classes = [_count(replies.c.answer_class == letter) for letter in CLASSES]
    else:
        replies = _co_opinions()
        has_reply = replies.c.assignment_id.is_not(None)
        on_time = and_(has_reply, replies.c.first_at <= Assignment.reply_due)
        classes = [func.sum(0) for _letter in CLASSES]  # co-units issue no classed replies
    satisfaction = [_count(feedback.c.satisfaction == value) for value in SATISFACTION]
    keys = [Unit.id, Unit.code, Unit.name]
    if by == "division":
        keys += [Division.id, Division.name]
    stmt = (
        select(*keys,
               func.count(Assignment.id), _count(has_reply), _count(on_time),
               _count(consulted.c.assignment_id.is_not(None)),
               _count(feedback.c.assignment_id.is_not(None)), *satisfaction, *classes,
               _count(and_(~has_reply, Assignment.reply_due < now)))
        .select_from(Assignment)
        .join(Unit, Unit.id == Assignment.unit_id)
        .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
        .outerjoin(replies, replies.c.assignment_id == Assignment.id)
        .outerjoin(consulted, consulted.c.assignment_id == Assignment.id)
        .outerjoin(feedback, feedback.c.assignment_id == Assignment.id)
        .where(Assignment.status != "returned", Assignment.role.in_(SCOPES[scope]))
        .group_by(*keys)
    )
    if by == "division":
        stmt = stmt.outerjoin(Division, Division.id == Assignment.lead_division_id)
    if filters.session_id is not None:
        stmt = stmt.where(Suggestion.session_id == filters.session_id)
    if filters.field is not None:
        stmt = stmt.where(Suggestion.field == filters.field)
    if filters.key_only:
        stmt = stmt.where(Suggestion.key_suggestion.is_(True))
    if filters.unit_id is not None:
        stmt = stmt.where(Assignment.unit_id == filters.unit_id)
    rows = []
    for row in session.execute(stmt):
        division = row[4] if by == "division" else None
        counts = row[5:] if by == "division" else row[3:]
        rows.append(Figures(row[1], row[2], division,
                            **{name: int(value or 0) for name, value in zip(COUNTS, counts)}))
    # Sorted here rather than in SQL so that both backends order Chinese names the same way.
    rows.sort(key=lambda f: (f.unit_name, f.division is None, f.division or ""))
    return rows


def totals(rows: list[Figures]) -> Figures:
    """The sum of `rows` (合计)."""
    names = [f.name for f in fields(Figures) if f.name in COUNTS]
    return Figures("", "合计", None, **{name: sum(getattr(r, name) for r in rows) for name in names})
