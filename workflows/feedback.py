"""Feedback (反馈) of the deputies on the replies, and what follows it: re-handling (重新办理)
after 不满意, and the follow-up (跟踪办理) of a Class-B reply's promised work.

The deputy rates each unit: the case's own lead deputy rates the lead unit(s) and the co-units;
each merged suggestion's lead deputy (并案) rates the shared reply. A rating comes from the deputy
in person or is recorded by the commission from the paper form (代录), as the completion of its
task said (workflows.tasks stamps both).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine import OperatorCall
from engine.scripts import step_session
from models import Feedback, FollowUp

from . import assignment_facts, deadlines, merging
from .assignment_facts import OWN_FEEDBACK
from .deputies import ON_BEHALF_KEY, RECORDED_BY_KEY
from .operator_helpers import assignment_of, set_case_status


def record_feedback(call: OperatorCall, assignment_id, satisfaction, comment=None) -> dict:
    """反馈 on one unit; the latest round counts, earlier rounds stay in history."""
    return _record_feedback(call, assignment_id, satisfaction, comment, call.data)


def _record_feedback(call: OperatorCall, assignment_id, satisfaction, comment,
                     answer: dict[str, Any]) -> dict:
    """One rating, with who recorded it and whether the commission recorded the deputy's paper
    form (代录), as the completion of its task said (`answer`: workflows.tasks stamps both)."""
    on_behalf = bool(answer.get(ON_BEHALF_KEY))
    session = call.session
    assignment = assignment_of(call, assignment_id)
    rounds = session.scalar(select(func.count()).select_from(Feedback)
                            .where(Feedback.assignment_id == assignment.id, OWN_FEEDBACK))
    session.add(Feedback(assignment_id=assignment.id, round=rounds + 1, satisfaction=satisfaction,
                         comment=comment, given_by=answer.get(RECORDED_BY_KEY) or call.actor,
                         given_at=call.now, recorded_on_behalf=on_behalf))
    assignment_facts.note_feedback(assignment, satisfaction, on_behalf)
    session.flush()
    dissatisfied = session.scalar(select(func.count()).select_from(Feedback).where(
        Feedback.assignment_id == assignment.id, OWN_FEEDBACK,
        Feedback.satisfaction == "dissatisfied"))
    return {"round": rounds + 1, "dissatisfied": satisfaction == "dissatisfied",
            "dissatisfied_count": dissatisfied}


def record_merged_feedback(call: OperatorCall, assignment_id, items) -> dict:
    """并案: each merged suggestion's lead deputy's rating of the shared reply (one
    multi-instance answer each, stamped on its own like a co-unit rating: 代录 or in person),
    kept on the lead assignment under the merged suggestion. It counts for that suggestion
    (workflows.statistics) and decides no re-handling: the case runs on its own deputy's."""
    assignment = assignment_of(call, assignment_id)
    for item in items or []:
        merged = item["merged_suggestion"]["suggestion_id"]
        rounds = call.session.scalar(select(func.count()).select_from(Feedback).where(
            Feedback.assignment_id == assignment.id, Feedback.suggestion_id == merged))
        call.session.add(Feedback(
            assignment_id=assignment.id, suggestion_id=merged, round=rounds + 1,
            satisfaction=item["satisfaction"], comment=item.get("comment"),
            given_by=item.get(RECORDED_BY_KEY) or call.actor, given_at=call.now,
            recorded_on_behalf=bool(item.get(ON_BEHALF_KEY))))
    return {}


def merged_suggestions(assignment_id) -> list[dict[str, Any]]:
    """Script global: the suggestions merged into a lead assignment's case, one item each for
    `merged_feedback` (none for other assignments)."""
    return merging.feedback_items(step_session("merged_suggestions"), assignment_id)


def record_co_feedback(call: OperatorCall, items) -> dict:
    """The deputy's ratings of the co-handling units (one multi-instance answer each, stamped
    on its own: one may have been recorded by the commission before the deputy had an account)."""
    for item in items or []:
        _record_feedback(call, item["co_unit"]["assignment_id"], item["satisfaction"],
                         item.get("comment"), item)
    return {}


def start_rehandling(call: OperatorCall, assignment_id) -> dict:
    """重新办理: a new reply deadline (default 1 month from now)."""
    assignment = assignment_of(call, assignment_id)
    assignment.reply_due = deadlines.rehandling(call.session, call.now)
    assignment.status = "acknowledged"
    set_case_status(call.session, assignment.suggestion_id, "handling")
    return {}


def record_follow_up(call: OperatorCall, assignment_id) -> dict:
    """跟踪办理 of a Class-B case: a report; `done` ends the follow-up."""
    done = bool(call.data.get("follow_up_done"))
    assignment = assignment_of(call, assignment_id)
    call.session.add(FollowUp(assignment_id=assignment.id, report=call.data["follow_up_report"],
                              done=done, reported_by=call.actor, reported_at=call.now))
    assignment.status = "follow_up" if not done else assignment.status
    return {"done": done}
