"""The facts kept on an assignment for the supervisors' figures, by one rule in one place.

- The first reply (a co-unit: its first co-handling opinion) counts: `replied_at`, and `on_time`
  when it came by the reply deadline. A re-handling reply changes neither.
- The latest reply's answer class stands (`answer_class`).
- The latest rating of the case's own deputy stands (`satisfaction`), with whether the commission
  recorded it from the deputy's paper form (`feedback_recorded_on_behalf`, 代录). The ratings of
  the deputies of suggestions merged into the case (并案) are kept apart (`OWN_FEEDBACK`); per
  merged suggestion its last rating counts (`merged_final_ratings`).

Why one module: the operators keep these facts as they write each record (`note_reply`,
`note_feedback`); `statistics.refresh_facts` and the ledger compute them from the records with
the pure functions below; the reports' SQL lists use the same "latest" queries. A rule changed
here changes everywhere at once, so the figures, the ledger and the lists cannot drift apart.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import func, select

from models import Assignment, Feedback, Reply

# The ratings of the case's own lead deputy (not those of merged suggestions' deputies).
OWN_FEEDBACK = Feedback.suggestion_id.is_(None)


def on_time(at: datetime, reply_due: datetime) -> bool:
    """A reply or opinion at `at` is on time when it comes by the deadline (inclusive)."""
    return at <= reply_due


# ---- kept as each record is written (the operators) ----

def note_reply(assignment: Assignment, at: datetime, answer_class: str | None = None) -> None:
    """A reply (or, answer_class None, a co-handling opinion) was written at `at`."""
    if assignment.replied_at is None:
        assignment.replied_at, assignment.on_time = at, on_time(at, assignment.reply_due)
    if answer_class is not None:
        assignment.answer_class = answer_class


def note_feedback(assignment: Assignment, satisfaction: str, on_behalf: bool) -> None:
    """The case's own deputy rated the assignment: this latest rating is the one that counts."""
    assignment.satisfaction = satisfaction
    assignment.feedback_recorded_on_behalf = on_behalf


# ---- computed from the records (refresh, ledger): rows with round and id ----

def _ordered(records: Iterable) -> list:
    """Records of one assignment by round, then by id (a later row of a round comes later)."""
    return sorted(records, key=lambda r: (r.round, r.id))


def reply_facts(replies: Sequence) -> dict[str, Any]:
    """A lead unit's facts from its replies (rows with round, id, issued_at, on_time,
    answer_class): the first counts for the time and its timeliness, the latest class stands."""
    if not replies:
        return {"replied_at": None, "on_time": None, "answer_class": None}
    ordered = _ordered(replies)
    return {"replied_at": min(r.issued_at for r in ordered), "on_time": bool(ordered[0].on_time),
            "answer_class": ordered[-1].answer_class}


def opinion_facts(submitted: Sequence[datetime], reply_due: datetime) -> dict[str, Any]:
    """A co-unit's facts from the times of its co-handling opinions: the first counts."""
    if not submitted:
        return {"replied_at": None, "on_time": None}
    first = min(submitted)
    return {"replied_at": first, "on_time": on_time(first, reply_due)}


def feedback_facts(ratings: Sequence) -> dict[str, Any]:
    """The facts from the own deputy's ratings of an assignment (rows with round, id,
    satisfaction, recorded_on_behalf): the latest stands."""
    if not ratings:
        return {"satisfaction": None, "feedback_recorded_on_behalf": False}
    final = _ordered(ratings)[-1]
    return {"satisfaction": final.satisfaction,
            "feedback_recorded_on_behalf": bool(final.recorded_on_behalf)}


def first_rating(ratings: Sequence) -> str | None:
    """The first round's rating (首次反馈), before any re-handling; None if not rated."""
    return _ordered(ratings)[0].satisfaction if ratings else None


# ---- the same rule in SQL (the reports' lists, the figures) ----

def latest_reply_rounds():
    """Subquery (assignment_id, round): each assignment's latest reply round, the one that
    stands."""
    return (select(Reply.assignment_id, func.max(Reply.round).label("round"))
            .group_by(Reply.assignment_id).subquery())


def latest_feedback_rounds():
    """Subquery (assignment_id, round): the latest round of each assignment's own feedback."""
    return (select(Feedback.assignment_id, func.max(Feedback.round).label("round"))
            .where(OWN_FEEDBACK).group_by(Feedback.assignment_id).subquery())


def merged_final_ratings():
    """Select of the ids of the final ratings of merged suggestions (并案): per merged suggestion
    its last rating of the shared reply counts."""
    return (select(func.max(Feedback.id)).where(Feedback.suggestion_id.is_not(None))
            .group_by(Feedback.suggestion_id))
