"""Supervisors' figures (办理统计): reply, on-time, consultation, satisfaction and resolution rates
per unit or per division, computed by SQL aggregates so they stay fast on large sessions.

Lead units (主办/分办/独办, which reply to the deputy) and co-handling units (会办, which send a
written opinion to the lead unit) are reported separately: `scope="lead"` or `scope="co"`.
Returned assignments (退回) are never counted. 并案: a suggestion merged into another shares its
reply; its lead deputy's final rating counts as one more rating of the lead unit (`rated`, 代录
and the satisfaction counts), under the case it was merged into (session, field, key flag), while
the other figures count the one assignment that replied.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import and_, case, func, literal, null, select, update
from sqlalchemy.orm import Session, aliased

from models import vocabulary
from models import (Assignment, Consultation, CoOpinion, Division, Feedback, Reply, Suggestion,
                    Unit)

from . import assignment_facts
from .assignment_facts import OWN_FEEDBACK, merged_final_ratings

SCOPES = {"lead": vocabulary.LEAD_ROLES, "co": ("co",)}
GROUPINGS = ("unit", "division")
SATISFACTION = vocabulary.SATISFACTION.codes
CLASSES = vocabulary.ANSWER_CLASSES.codes
# The counted columns of Figures, in the order unit_figures selects them: one per satisfaction
# level and answer class of the vocabulary (tests/models/test_vocabulary.py checks the fields).
COUNTS = ("assigned", "replied", "on_time", "consulted", "rated", "rated_on_behalf",
          *SATISFACTION, *(f"class_{c.lower()}" for c in CLASSES), "overdue", "first_rated",
          *(f"first_{value}" for value in SATISFACTION[:3]))


def rate(numerator: int, denominator: int) -> float | None:
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
    rated_on_behalf: int = 0  # of `rated`: final ratings the commission recorded (代录)
    very_satisfied: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    class_a: int = 0
    class_b: int = 0
    class_c: int = 0
    class_d: int = 0
    overdue: int = 0
    # The first round of feedback (首次反馈), before any re-handling: the bulletin quotes it.
    # Read from the feedback records, not kept on the assignment, so rows compare on the rest.
    first_rated: int = field(default=0, compare=False)
    first_very_satisfied: int = field(default=0, compare=False)
    first_satisfied: int = field(default=0, compare=False)
    first_basically_satisfied: int = field(default=0, compare=False)

    @property
    def reply_rate(self) -> float | None:
        """办复率: replied / assigned."""
        return rate(self.replied, self.assigned)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率: on_time / assigned."""
        return rate(self.on_time, self.assigned)

    @property
    def consultation_rate(self) -> float | None:
        """面商率: consulted / assigned."""
        return rate(self.consulted, self.assigned)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: (very satisfied + satisfied) / rated, on each assignment's final feedback and
        (并案) each merged suggestion's final rating of the reply it shared."""
        return rate(self.very_satisfied + self.satisfied, self.rated)

    @property
    def satisfaction_rate_with_basic(self) -> float | None:
        """满意率 counting 基本满意 too: (very satisfied + satisfied + basically) / rated."""
        return rate(self.very_satisfied + self.satisfied + self.basically_satisfied, self.rated)

    @property
    def first_satisfaction_rate(self) -> float | None:
        """首次反馈满意率: (very satisfied + satisfied) / rated, on each assignment's first feedback
        (round 1), whatever the re-handling changed afterwards."""
        return rate(self.first_very_satisfied + self.first_satisfied, self.first_rated)

    @property
    def first_satisfaction_rate_with_basic(self) -> float | None:
        """首次反馈满意率 counting 基本满意 too."""
        return rate(self.first_very_satisfied + self.first_satisfied
                     + self.first_basically_satisfied, self.first_rated)

    @property
    def resolution_rate(self) -> float | None:
        """解决率: (A + B) / classed replies (= replied for lead units; None for co-units)."""
        return rate(self.class_a + self.class_b,
                     self.class_a + self.class_b + self.class_c + self.class_d)


@dataclass
class Filters:
    """Which suggestions and units the figures cover; every filter is optional."""

    congress_session_id: int | None = None
    field: str | None = None
    key_only: bool = False
    unit_id: int | None = None


def suggestion_conditions(filters) -> list:
    """SQL conditions on Suggestion for a filter's session, field and key flag (any object with
    those attributes: statistics, reports and ledger filters share them)."""
    conditions = []
    if filters.congress_session_id is not None:
        conditions.append(Suggestion.congress_session_id == filters.congress_session_id)
    if filters.field:
        conditions.append(Suggestion.field == filters.field)
    if filters.key_only:
        conditions.append(Suggestion.key_suggestion.is_(True))
    return conditions


def _count(condition) -> object:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return func.sum(case((condition, 1), else_=0))


def unit_figures(session: Session, filters: Filters, *, scope: str = "lead", by: str = "unit",
                 now: datetime) -> list[Figures]:
    """Figures per unit (or per lead division) for `scope` "lead" or "co", sorted by unit name.

    One scan of `assignment`: the facts each figure needs (first reply and its timeliness, the
    class that stands, the final rating, consultation) are kept on the assignment by the
    operators that write the records (`refresh_facts` recomputes them from the records).
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}, not {scope!r}")
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}, not {by!r}")
    conditions = [Assignment.status != "returned", Assignment.role.in_(SCOPES[scope])]
    if filters.unit_id is not None:
        conditions.append(Assignment.unit_id == filters.unit_id)
    suggestion_filters = suggestion_conditions(filters)
    replied = Assignment.replied_at.is_not(None)
    # The first feedback of each assignment (round 1, at most one; a merged deputy's rating,
    # which names its own suggestion, is not the assignment's): joined by its indexed
    # assignment_id; the final rating is kept on the assignment itself.
    first = aliased(Feedback, name="first_feedback")
    classes = ([_count(Assignment.answer_class == c) for c in CLASSES] if scope == "lead"
               else [literal(0)] * len(CLASSES))  # co-units issue no classed replies
    # 并案: the lead units' ratings include those of the suggestions merged into their cases.
    merged = _merged_ratings() if scope == "lead" else None

    def plus_merged(count, name):
        return count if merged is None else count + func.coalesce(func.sum(merged.c[name]), 0)

    counts = [
        func.count(Assignment.id), _count(replied), _count(Assignment.on_time.is_(True)),
        _count(Assignment.consulted.is_(True)),
        plus_merged(_count(Assignment.satisfaction.is_not(None)), "rated"),
        plus_merged(_count(and_(Assignment.satisfaction.is_not(None),
                                Assignment.feedback_recorded_on_behalf.is_(True))),
                    "rated_on_behalf"),
        *[plus_merged(_count(Assignment.satisfaction == value), value) for value in SATISFACTION],
        *classes, _count(and_(~replied, Assignment.reply_due < now)),
        # 并案: a merged deputy rates once, so its rating is its first round too
        plus_merged(_count(first.satisfaction.is_not(None)), "rated"),
        *[plus_merged(_count(first.satisfaction == value), value)
          for value in SATISFACTION[:3]],
    ]
    # Grouped by `unit_id + 0`, not the bare column: SQLite would otherwise walk the assignments
    # in unit_id index order, hopping across the table, instead of one scan in table order.
    keys = [(Assignment.unit_id + 0).label("unit_id")]
    if by == "division":
        keys.append(Assignment.lead_division_id.label("division_id"))
    inner = select(*keys, *[c.label(name) for c, name in zip(counts, COUNTS)]) \
        .select_from(Assignment).outerjoin(first, and_(first.assignment_id == Assignment.id,
                                                       first.round == 1,
                                                       first.suggestion_id.is_(None)))
    if suggestion_filters:
        inner = inner.join(Suggestion, Suggestion.id == Assignment.suggestion_id) \
            .where(*suggestion_filters)
    if merged is not None:
        inner = inner.outerjoin(merged, merged.c.assignment_id == Assignment.id)
    inner = inner.where(*conditions).group_by(*keys).subquery("figures")
    division = Division.name if by == "division" else null()
    stmt = (select(Unit.code, Unit.name, division, *[inner.c[name] for name in COUNTS])
            .join_from(inner, Unit, Unit.id == inner.c.unit_id))
    if by == "division":
        stmt = stmt.outerjoin(Division, Division.id == inner.c.division_id)
    rows = [Figures(unit_code, unit_name, division_name,
                    **{name: int(value or 0) for name, value in zip(COUNTS, values)})
            for unit_code, unit_name, division_name, *values in session.execute(stmt)]
    # Sorted here rather than in SQL so that both backends order Chinese names the same way.
    rows.sort(key=lambda f: (f.unit_name, f.division is None, f.division or ""))
    return rows


def _merged_ratings():
    """并案: per lead assignment, the final ratings of the suggestions merged into its case (one
    row per assignment that has any): rated, 代录 and each satisfaction value."""
    final = merged_final_ratings()
    return (select(Feedback.assignment_id.label("assignment_id"),
                   func.count(Feedback.id).label("rated"),
                   _count(Feedback.recorded_on_behalf.is_(True)).label("rated_on_behalf"),
                   *[_count(Feedback.satisfaction == value).label(value)
                     for value in SATISFACTION])
            .where(Feedback.id.in_(final)).group_by(Feedback.assignment_id)
            .subquery("merged_ratings"))


def refresh_facts(session: Session, assignment_ids: list[int] | None = None) -> int:
    """Recompute the facts kept on assignments from their records (replies or co-opinions,
    consultations, feedback) by the rule of workflows.assignment_facts — for rows written outside
    the operators: imports, repairs, the migration that added them. Returns how many
    assignments were updated."""
    query = select(Assignment.id, Assignment.role, Assignment.reply_due)
    if assignment_ids is not None:
        query = query.where(Assignment.id.in_(assignment_ids))
    done = 0
    rows = session.execute(query.order_by(Assignment.id)).all()
    for start in range(0, len(rows), 900):
        chunk = rows[start:start + 900]
        ids = [r.id for r in chunk]
        replies: dict[int, list] = {}
        for r in session.execute(select(Reply.assignment_id, Reply.round, Reply.id,
                                        Reply.answer_class, Reply.on_time, Reply.issued_at)
                                 .where(Reply.assignment_id.in_(ids))):
            replies.setdefault(r.assignment_id, []).append(r)
        opinions: dict[int, list] = {}
        for assignment_id, submitted_at in session.execute(
                select(CoOpinion.assignment_id, CoOpinion.submitted_at)
                .where(CoOpinion.assignment_id.in_(ids))):
            opinions.setdefault(assignment_id, []).append(submitted_at)
        ratings: dict[int, list] = {}
        for f in session.execute(select(Feedback.assignment_id, Feedback.round, Feedback.id,
                                        Feedback.satisfaction, Feedback.recorded_on_behalf)
                                 .where(Feedback.assignment_id.in_(ids), OWN_FEEDBACK)):
            ratings.setdefault(f.assignment_id, []).append(f)
        consulted = set(session.scalars(select(Consultation.assignment_id)
                                        .where(Consultation.assignment_id.in_(ids))))
        updates = []
        for a in chunk:
            fact = {"id": a.id, "consulted": a.id in consulted}
            if a.role == "co":
                fact.update(assignment_facts.opinion_facts(opinions.get(a.id, []), a.reply_due),
                            answer_class=None)
            else:
                fact.update(assignment_facts.reply_facts(replies.get(a.id, [])))
            fact.update(assignment_facts.feedback_facts(ratings.get(a.id, [])))
            updates.append(fact)
        session.execute(update(Assignment), updates)
        done += len(updates)
    return done


def totals(rows: list[Figures]) -> Figures:
    """The sum of `rows` (合计)."""
    names = [f.name for f in fields(Figures) if f.name in COUNTS]
    return Figures("", "合计", None, **{name: sum(getattr(r, name) for r in rows) for name in names})
