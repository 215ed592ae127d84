"""Supervisors' figures (办理统计): reply, on-time, consultation, satisfaction and resolution rates
per unit or per division, computed by SQL aggregates so they stay fast on large sessions.

Lead units (主办/分办/独办, which reply to the deputy) and co-handling units (会办, which send a
written opinion to the lead unit) are reported separately: `scope="lead"` or `scope="co"`.
Returned assignments (退回) are never counted.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import BigInteger, and_, case, cast, func, literal, null, select
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


# Picking one row per assignment (its first reply, its latest reply, its final feedback) is done
# with plain MIN/MAX over a packed key rather than window functions, which SQLite evaluates
# several times slower: key = round * ROUND_WEIGHT + id * 8 + code, where `code` (0-7) is the
# value wanted. The smallest key is the row with the lowest round, then the lowest id; the
# largest is the highest round, then the highest id; key % 8 gives back its code. Row ids stay
# below 2**39 and rounds below 2**21, so keys fit a 64-bit integer.
ROUND_WEIGHT = 2 ** 42
UNKNOWN = 7  # a code for values outside the known lists


def _packed(record, code) -> object:
    """round * ROUND_WEIGHT + id * 8 + code, as a 64-bit integer on every backend."""
    return (cast(record.round, BigInteger) * ROUND_WEIGHT + cast(record.id, BigInteger) * 8
            + code)


def _code(column, values) -> object:
    """The position of `column`'s value in `values` (0-based), UNKNOWN for anything else."""
    return case({value: index for index, value in enumerate(values)}, value=column,
                else_=UNKNOWN)


def _summary(record, selected, name: str, *columns):
    """Per assignment with `record` rows (the selected ones only, if given): `columns`."""
    stmt = select(record.assignment_id, *columns).group_by(record.assignment_id)
    if selected is not None:
        stmt = stmt.where(record.assignment_id.in_(selected))
    return stmt.subquery(name)


def _lead_replies(selected):
    """Whether the first reply was on time, and the latest reply's class (position in CLASSES)."""
    late = case((Reply.on_time.is_(True), 0), else_=1)
    return _summary(
        Reply, selected, "lead_reply",
        (func.min(_packed(Reply, late)) % 8 == 0).label("first_on_time"),
        (func.max(_packed(Reply, _code(Reply.answer_class, CLASSES))) % 8).label("last_class"))


def _co_opinions(selected):
    """When the first co-handling opinion was submitted."""
    return _summary(CoOpinion, selected, "co_opinion_first",
                    func.min(CoOpinion.submitted_at).label("first_at"))


def _consultations(selected):
    """The assignments with at least one consultation."""
    return _summary(Consultation, selected, "consulted")


def _final_feedback(selected):
    """The final feedback's rating (highest round, then id) as a position in SATISFACTION."""
    return _summary(
        Feedback, selected, "final_feedback",
        (func.max(_packed(Feedback, _code(Feedback.satisfaction, SATISFACTION))) % 8
         ).label("rating"))


def unit_figures(session: Session, filters: Filters, *, scope: str = "lead", by: str = "unit",
                 now: datetime) -> list[Figures]:
    """Figures per unit (or per lead division) for `scope` "lead" or "co", sorted by unit name."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}, not {scope!r}")
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}, not {by!r}")
    narrowing = []
    if filters.session_id is not None:
        narrowing.append(Suggestion.session_id == filters.session_id)
    if filters.field is not None:
        narrowing.append(Suggestion.field == filters.field)
    if filters.key_only:
        narrowing.append(Suggestion.key_suggestion.is_(True))
    if filters.unit_id is not None:
        narrowing.append(Assignment.unit_id == filters.unit_id)
    conditions = [Assignment.status != "returned", Assignment.role.in_(SCOPES[scope]),
                  *narrowing]
    # A filtered report summarises only the selected assignments' records (which also keeps
    # PostgreSQL from re-aggregating whole tables inside a nested loop when its statistics are
    # missing); an unfiltered one reads whole tables, where the extra semi-join costs more.
    selected = None
    if narrowing:
        selected = (select(Assignment.id)
                    .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
                    .where(*conditions))
    feedback = _final_feedback(selected)
    consulted = _consultations(selected)
    if scope == "lead":
        replies = _lead_replies(selected)
        has_reply = replies.c.assignment_id.is_not(None)
        on_time = replies.c.first_on_time
        classes = [_count(replies.c.last_class == index) for index in range(len(CLASSES))]
    else:
        replies = _co_opinions(selected)
        has_reply = replies.c.assignment_id.is_not(None)
        on_time = replies.c.first_at <= Assignment.reply_due
        classes = [literal(0)] * len(CLASSES)  # co-units issue no classed replies
    # Grouped by `unit_id + 0`, not the bare column: SQLite would otherwise walk the assignments
    # in unit_id index order, hopping across the table, which is several times slower than a
    # scan in table order with a sort of the few groups.
    keys = [(Assignment.unit_id + 0).label("unit_id")]
    if by == "division":
        keys.append(Assignment.lead_division_id.label("division_id"))
    counts = [
        func.count(Assignment.id), _count(has_reply), _count(on_time),
        _count(consulted.c.assignment_id.is_not(None)),
        _count(feedback.c.assignment_id.is_not(None)),
        *[_count(feedback.c.rating == index) for index in range(len(SATISFACTION))],
        *classes,
        _count(and_(~has_reply, Assignment.reply_due < now)),
    ]
    inner = (
        select(*keys, *[c.label(name) for c, name in zip(counts, COUNTS)])
        .select_from(Assignment)
        .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
        .outerjoin(replies, replies.c.assignment_id == Assignment.id)
        .outerjoin(consulted, consulted.c.assignment_id == Assignment.id)
        .outerjoin(feedback, feedback.c.assignment_id == Assignment.id)
        .where(*conditions)
        .group_by(*keys)
    ).subquery("figures")
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


def totals(rows: list[Figures]) -> Figures:
    """The sum of `rows` (合计)."""
    names = [f.name for f in fields(Figures) if f.name in COUNTS]
    return Figures("", "合计", None, **{name: sum(getattr(r, name) for r in rows) for name in names})
