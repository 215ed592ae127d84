"""What a unit records while it handles its case (办理), before and beside its reply: the
consultation with the deputy (面商), a co-unit's opinion to the lead unit (会办意见), a key
suggestion's progress reports (进展报告) and the extension of the reply deadline (延期).

The reply itself is issued in workflows.replies; a request for high-level coordination is an
escalation (workflows.escalations).
"""
from __future__ import annotations

from sqlalchemy import select

from engine import OperatorCall
from models import vocabulary
from models import AuditEvent, Consultation, CoOpinion, Extension, ProgressReport, User

from . import assignment_facts, deadlines
from .calendar import CHINA
from .errors import FormError
from .escalations import resolve_in_step
from .notifications import notify
from .operator_helpers import assignment_of


def record_consultation(call: OperatorCall, assignment_id) -> dict:
    """面商."""
    data = call.data
    assignment_of(call, assignment_id).consulted = True
    call.session.add(Consultation(
        assignment_id=int(assignment_id), held_on=data["consulted_on"],
        form=data["consultation_form"], participants=data["participants"],
        deputy_view=data["deputy_view"], recorded_by=call.actor, recorded_at=call.now))
    return {}


def record_co_opinion(call: OperatorCall, assignment_id) -> dict:
    """会办意见 from one co-unit to the lead unit."""
    assignment = assignment_of(call, assignment_id)
    call.session.add(CoOpinion(assignment_id=assignment.id, opinion=call.data["opinion"],
                               submitted_by=call.actor, submitted_at=call.now))
    assignment.status = "replied"
    assignment_facts.note_reply(assignment, call.now)
    resolve_in_step(call, assignment, "co_opinion_recorded")
    return {}


# Each period's report as a notice names it (models.vocabulary.REPORT_PERIODS).
REPORT_PERIODS = {t.code: t.long_pair for t in vocabulary.REPORT_PERIODS}


def record_progress_report(call: OperatorCall, assignment_id, period=None) -> dict:
    """Key suggestions: a progress report to the supervising leader, who is told of it (the
    leader named on the case, else every provincial leader); the notice is audited."""
    if period is not None and period not in REPORT_PERIODS:
        raise ValueError(f"unknown report period {period!r}")
    assignment = assignment_of(call, assignment_id)
    call.session.add(ProgressReport(assignment_id=assignment.id, period=period,
                                    report=call.data["progress"],
                                    reported_by=call.actor, reported_at=call.now))
    suggestion = assignment.suggestion
    leader = call.session.get(User, suggestion.supervising_leader_id) \
        if suggestion.supervising_leader_id else None
    people = [leader.username] if leader is not None and leader.active else list(
        call.session.scalars(select(User.username).where(User.role == "provincial_leader",
                                                         User.active.is_(True))))
    zh, en = REPORT_PERIODS.get(period, ("进展报告", "progress report"))
    unit, number = assignment.unit.name, suggestion.number
    notify(call.session, people, "progress_report",
           (f"{zh}：第{number}号重点建议（{unit}）", f"{en.capitalize()}: key suggestion {number} ({unit})"),
           f"/cases/{suggestion.id}", call.now)
    call.session.add(AuditEvent(at=call.now, actor=call.actor, action="progress_report_sent",
                                instance_id=call.instance_id, detail={
                                    "assignment_id": assignment.id, "period": period,
                                    "to": people}))
    return {}


def record_extension(call: OperatorCall, assignment_id) -> dict:
    """延期: on approval the reply deadline moves (timers follow through `deadline`)."""
    assignment = assignment_of(call, assignment_id)
    approved = call.data["extension_decision"] == "approve"
    if approved and call.now >= assignment.reply_due:
        # The reply's timers have fired (overdue, maybe long overdue) and fire once: a deadline
        # moved after them would pass unwatched. Past the deadline the unit owes its reply.
        due = assignment.reply_due.astimezone(CHINA)
        raise FormError({"extension_decision": (
            f"答复期限已于{due:%Y年%m月%d日}届满，不能再批准延期，请督促承办单位答复 "
            f"(the reply deadline passed on {due:%Y-%m-%d}: an extension can no longer be "
            "approved; the unit must reply)")})
    new_due = deadlines.extended(call.session, assignment) if approved else None
    call.session.add(Extension(
        assignment_id=assignment.id, reason=call.data.get("extension_reason") or "",
        requested_by=call.data.get("extension_requested_by") or "", requested_at=call.now,
        status="approved" if approved else "refused", decided_by=call.actor, decided_at=call.now,
        new_reply_due=new_due))
    if approved:
        assignment.reply_due = new_due
        if new_due > call.now:  # the deadline the reminders and overdue escalations were for moved
            resolve_in_step(call, assignment, "extension_approved")
    return {"approved": approved}
