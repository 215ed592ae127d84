"""Service-task operators called from the BPMN (docs/process.md): each writes domain records.

An operator gets the engine's OperatorCall (session, case, actor, time, task data) and the
parameters the BPMN names; what it returns becomes the service task's result variable.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine import OperatorCall
from engine.scripts import step_session
from models import (Assignment, Consultation, CoOpinion, Escalation, Extension, Feedback,
                    FollowUp, ProgressReport, Reply, ReturnRequest, Suggestion, Unit)

from . import deadlines, merging
from .calendar import CHINA
from .escalations import cause_for, resolve_escalations
from .deputies import ON_BEHALF_KEY, RECORDED_BY_KEY
from .errors import DomainError, FormError

COPY_TO = ["省人大常委会代表工作委员会"]
COPY_TO_GOVERNMENT = COPY_TO + ["省人民政府办公厅"]


def units_by_code(session: Session) -> dict[str, Unit]:
    """Every unit by code, read once per session: an assignment meeting looks up thousands."""
    units = session.info.get("units_by_code")
    if units is None:
        units = session.info["units_by_code"] = {u.code: u for u in session.scalars(select(Unit))}
    return units


def unit_by_code(session: Session, code: str) -> Unit:
    """A unit by its code (asked again of the database if it was added since the session read
    them)."""
    unit = units_by_code(session).get(code)
    if unit is None:
        unit = session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            raise DomainError(f"unknown unit '{code}'")
        units_by_code(session)[code] = unit
    return unit


def _assignment(call: OperatorCall, assignment_id) -> Assignment:
    assignment = call.session.get(Assignment, int(assignment_id))
    if assignment is None:
        raise DomainError(f"assignment {assignment_id} does not exist")
    # Held for the transaction: the session's identity map keeps clean objects only weakly,
    # and the step's deadline() calls ask for the same assignment again.
    call.session.info.setdefault("assignments", set()).add(assignment)
    return assignment


def branch_of(assignment: Assignment, co: list[Assignment] = ()) -> dict[str, Any]:
    """The data a unit_handling branch works with."""
    return {"assignment_id": assignment.id, "unit": assignment.unit.code, "role": assignment.role,
            "co_units": [{"assignment_id": c.id, "unit": c.unit.code} for c in co]}


def _new_assignment(call: OperatorCall, suggestion: Suggestion, code: str, role: str) -> Assignment:
    assignment = Assignment(suggestion_id=suggestion.id, unit=unit_by_code(call.session, code),
                            role=role, assigned_at=call.now,
                            **deadlines.initial(call.session, role, call.now))
    call.session.add(assignment)
    return assignment


def record_assignment(call: OperatorCall) -> list[dict[str, Any]]:
    """交办: create the assignments for the mode chosen; one branch per unit that replies."""
    data, session = call.data, call.session
    suggestion = session.get(Suggestion, data["suggestion_id"])
    mode = data["mode"]
    suggestion.mode, suggestion.status, suggestion.assigned_at = mode, "assigned", call.now
    suggestion.key_suggestion = bool(data.get("key_suggestion"))
    suggestion.special_committee = data.get("special_committee") or None
    leader = data.get("supervising_leader")
    if leader:
        from models import User
        suggestion.supervising_leader_id = session.scalar(
            select(User.id).where(User.username == leader))
    if mode == "separate":
        units = list(data.get("units") or [])
        branches = [_new_assignment(call, suggestion, code, "separate") for code in units]
        session.flush()
        return [branch_of(a) for a in branches]
    lead = _new_assignment(call, suggestion, data["lead_unit"], "lead" if mode != "sole" else "sole")
    co = [_new_assignment(call, suggestion, code, "co")
          for code in (data.get("co_units") or []) if mode in ("lead_co", "merged")]
    if mode == "merged":
        numbers = list(data.get("merged_numbers") or [])
        # Locked, then checked: a suggestion assigned on its own meanwhile is refused here.
        session.scalars(select(Suggestion).where(
            Suggestion.session_id == suggestion.session_id,
            Suggestion.number.in_([n for n in numbers if isinstance(n, int)]))
            .with_for_update().execution_options(populate_existing=True)).all()
        refused = merging.problems(session, suggestion, numbers)
        if refused:  # workflows.tasks checks the form first; this guards every other path
            raise DomainError(refused)
        for number in numbers:
            merged = session.scalar(select(Suggestion).where(
                Suggestion.session_id == suggestion.session_id, Suggestion.number == number))
            merged.merged_into_id, merged.status, merged.mode = suggestion.id, "merged", mode
            merged.assigned_at = call.now
    session.flush()
    return [branch_of(lead, co)]


def record_acknowledgement(call: OperatorCall, assignment_id) -> dict:
    """签收 (Core statements: every case passes here, and nothing needs the loaded rows)."""
    suggestion_id = call.session.connection().execute(_ACKNOWLEDGE, {
        "assignment_id": int(assignment_id), "now": call.now}).scalar()
    if suggestion_id is None:
        raise DomainError(f"assignment {assignment_id} does not exist")
    _keep_in_step(call.session, Assignment, int(assignment_id), status="acknowledged",
                  acknowledged_at=call.now)
    _set_status(call.session, suggestion_id, "handling")
    return {}


_ASSIGNMENT, _SUGGESTION = Assignment.__table__, Suggestion.__table__
_ACKNOWLEDGE = (update(_ASSIGNMENT).where(_ASSIGNMENT.c.id == bindparam("assignment_id"))
                .values(status="acknowledged", acknowledged_at=bindparam("now"))
                .returning(_ASSIGNMENT.c.suggestion_id))
_SET_STATUS = update(_SUGGESTION).where(_SUGGESTION.c.id == bindparam("suggestion_id")).values(
    status=bindparam("status"))


def _set_status(session: Session, suggestion_id: int, status: str) -> None:
    """One Core statement, without loading the suggestion (its text can be long) or flushing."""
    session.connection().execute(_SET_STATUS, {"suggestion_id": suggestion_id, "status": status})
    _keep_in_step(session, Suggestion, suggestion_id, status=status)


def _keep_in_step(session: Session, model, row_id: int, **values) -> None:
    """After a Core update: a copy of the row already loaded in this session gets the values."""
    loaded = session.identity_map.get(identity_key(model, row_id))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)


record_co_acknowledgement = record_acknowledgement


def request_return(call: OperatorCall, assignment_id, prefix="") -> dict:
    """退回申请 of a lead/sole/separate unit or (prefix 'co_', the co-unit form's fields) of a
    co-unit: in time (10 working days) it goes to the commission; late it is refused."""
    assignment = _assignment(call, assignment_id)
    in_time = call.now <= assignment.ack_due
    suggested = call.data.get(f"{prefix}suggested_unit")
    suggested_unit = call.session.scalar(select(Unit.id).where(Unit.code == suggested)) \
        if suggested else None
    call.session.add(ReturnRequest(
        assignment_id=assignment.id, reason=call.data.get(f"{prefix}return_reason") or "",
        suggested_unit_id=suggested_unit, requested_by=call.actor, requested_at=call.now,
        status="pending" if in_time else "refused_late",
        ruled_by=None if in_time else "system", ruled_at=None if in_time else call.now,
        ruling_note=None if in_time else "超过退回期限，不予退回"))
    return {"in_time": in_time}


def _rule_on_request(call: OperatorCall, old: Assignment) -> Assignment | None:
    """Record the commission's ruling on the pending return request of `old`; on "reassign" the
    case moves to the new unit (same role, deadlines restart) and `old` is closed as returned."""
    session, data = call.session, call.data
    request = session.scalars(select(ReturnRequest).where(
        ReturnRequest.assignment_id == old.id, ReturnRequest.status == "pending")).first()
    decision = data["return_decision"]
    if request is not None:
        request.ruled_by, request.ruled_at = call.actor, call.now
        request.ruling_note = data.get("ruling_note")
        request.status = "granted" if decision == "reassign" else "refused"
    if decision != "reassign":
        return None
    new = _new_assignment(call, old.suggestion, data["new_unit"], old.role)
    old.status, old.closed_at = "returned", call.now
    _resolve(call, old, "returned")
    session.flush()
    if request is not None:
        request.new_unit_id = new.unit_id
    return new


def rule_return(call: OperatorCall, assignment_id) -> dict[str, Any]:
    """The commission reassigns a lead/sole/separate unit's case or refuses: the branch data."""
    old = _assignment(call, assignment_id)
    co = [call.session.get(Assignment, c["assignment_id"])
          for c in call.data["branch"].get("co_units", [])]
    new = _rule_on_request(call, old)
    return branch_of(new or old, co)


def rule_co_return(call: OperatorCall, assignment_id) -> dict[str, Any]:
    """The same ruling for a co-unit: the co-unit the co-handling continues with."""
    old = _assignment(call, assignment_id)
    current = _rule_on_request(call, old) or old
    return {"assignment_id": current.id, "unit": current.unit.code, "resume": "acknowledge"}


def open_co_units(assignment_id) -> list[dict[str, Any]]:
    """Script global: the co-units of the case a lead assignment belongs to that have not given
    their opinion yet, each with the step it resumes at (`resume`: acknowledge, decide_return
    for a return request not yet ruled on, or opinion once acknowledged). Co-handling starts at
    assignment and starts again when the lead unit is reassigned: a co-unit neither redoes what
    it did nor is asked again once it has given its opinion."""
    session = step_session("open_co_units")
    lead = session.get(Assignment, int(assignment_id))
    opined = select(CoOpinion.assignment_id)
    pending = select(ReturnRequest.assignment_id).where(ReturnRequest.status == "pending")
    rows = session.execute(select(Assignment.id, Unit.code, Assignment.acknowledged_at,
                                  Assignment.id.in_(pending)).join(Unit).where(
        Assignment.suggestion_id == lead.suggestion_id, Assignment.role == "co",
        Assignment.status.not_in(("returned", "replied", "closed")),
        Assignment.id.not_in(opined)).order_by(Assignment.id))
    return [{"assignment_id": id_, "unit": code,
             "resume": "opinion" if acknowledged is not None
             else "decide_return" if pending_return else "acknowledge"}
            for id_, code, acknowledged, pending_return in rows]


def current_co_units(assignment_id) -> list[dict[str, Any]]:
    """Script global: the co-units of the case a lead assignment belongs to, as they stand now
    (a co-unit returned and replaced during co-handling is replaced here too)."""
    session = step_session("current_co_units")
    lead = session.get(Assignment, int(assignment_id))
    rows = session.execute(select(Assignment.id, Unit.code).join(Unit).where(
        Assignment.suggestion_id == lead.suggestion_id, Assignment.role == "co",
        Assignment.status != "returned").order_by(Assignment.id))
    return [{"assignment_id": id_, "unit": code} for id_, code in rows]


def unit_name(code) -> str:
    """Script global for task subjects: a unit's name by its code."""
    return unit_by_code(step_session("unit_name"), code).name


def record_distribution(call: OperatorCall, assignment_id) -> dict:
    """分办 inside the unit: lead division and co-divisions."""
    from models import Division
    assignment = _assignment(call, assignment_id)
    names = [call.data["lead_division"], *(call.data.get("co_divisions") or [])]
    found = {d.name: d.id for d in call.session.scalars(
        select(Division).where(Division.unit_id == assignment.unit_id, Division.name.in_(names)))}
    # A name that matches none of the unit's divisions is refused, never stored as "no division":
    # the step is void, the form comes back with the value named beside its field.
    errors = {}
    if names[0] not in found:
        errors["lead_division"] = f"本单位没有处室“{names[0]}” (no division named '{names[0]}' in this unit)"
    unknown = [n for n in names[1:] if n not in found]
    if unknown:
        listed = "、".join(unknown)
        errors["co_divisions"] = (f"本单位没有处室“{listed}” "
                                  f"(no division named {', '.join(map(repr, unknown))} in this unit)")
    if errors:
        raise FormError(errors)
    assignment.lead_division_id = found[names[0]]
    assignment.co_division_ids = [found[n] for n in names[1:]]
    return {}


def record_consultation(call: OperatorCall, assignment_id) -> dict:
    """面商."""
    data = call.data
    _assignment(call, assignment_id).consulted = True
    call.session.add(Consultation(
        assignment_id=int(assignment_id), held_on=data["consulted_on"],
        form=data["consultation_form"], participants=data["participants"],
        deputy_view=data["deputy_view"], recorded_by=call.actor, recorded_at=call.now))
    return {}


def record_co_opinion(call: OperatorCall, assignment_id) -> dict:
    """会办意见 from one co-unit to the lead unit."""
    assignment = _assignment(call, assignment_id)
    call.session.add(CoOpinion(assignment_id=assignment.id, opinion=call.data["opinion"],
                               submitted_by=call.actor, submitted_at=call.now))
    assignment.status = "replied"
    _first_reply(assignment, call.now)
    _resolve(call, assignment, "co_opinion_recorded")
    return {}


def _first_reply(assignment: Assignment, now) -> None:
    """The facts of the first reply (or co-opinion), which the figures count."""
    if assignment.replied_at is None:
        assignment.replied_at, assignment.on_time = now, now <= assignment.reply_due


REPORT_PERIODS = {"midyear": ("年中督办推进会进展报告", "mid-year progress report"),
                  "november": ("11月进展报告", "November progress report")}


def record_progress_report(call: OperatorCall, assignment_id, period=None) -> dict:
    """Key suggestions: a progress report to the supervising leader, who is told of it (the
    leader named on the case, else every provincial leader); the notice is audited."""
    from models import AuditEvent, User
    from .notifications import notify
    if period is not None and period not in REPORT_PERIODS:
        raise ValueError(f"unknown report period {period!r}")
    assignment = _assignment(call, assignment_id)
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
    assignment = _assignment(call, assignment_id)
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
            _resolve(call, assignment, "extension_approved")
    return {"approved": approved}


def escalate(call: OperatorCall, assignment_id, level, reason, cause=None, once=False) -> dict:
    """督办 / 提请高位协调: a visible escalation record, with the cause whose end resolves it
    (workflows.escalations; told from the assignment's facts unless the BPMN names it).

    `once`: none is raised if one of this level and cause is already open for the assignment
    (a co-unit's timers armed again when co-handling restarts after the lead unit was
    reassigned fire at once for a deadline already escalated)."""
    assignment = _assignment(call, assignment_id)
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


LEVEL_NAMES = {"reminder": ("答复期限提醒", "Reply deadline reminder"),
               "supervision": ("督办", "Supervision"),
               "high_level": ("提请高位协调", "High-level coordination")}


def _notify_escalation(call: OperatorCall, assignment: Assignment, level: str, reason: str) -> None:
    """Reminders go to the unit's handlers; escalations to the commission (and the leader)."""
    from models import User
    from .notifications import notify
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


def record_coordination_request(call: OperatorCall, assignment_id) -> dict:
    """The handler's explicit request for high-level coordination."""
    return escalate(call, assignment_id, "high_level",
                    call.data.get("coordination_reason") or "承办单位提请高位协调",
                    cause="coordination")


def issue_reply(call: OperatorCall, assignment_id) -> dict:
    """答复: the reply is issued in the unit's name; on time if before the reply deadline."""
    session, data = call.session, call.data
    assignment = _assignment(call, assignment_id)
    previous = session.scalar(select(func.count()).select_from(Reply)
                              .where(Reply.assignment_id == assignment.id))
    reply = Reply(
        assignment_id=assignment.id, round=previous + 1, answer_class=data["answer_class"],
        doc_number=data["doc_number"], answer_text=data["answer_text"],
        contact_person=data["contact_person"], contact_phone=data["contact_phone"],
        copy_to=COPY_TO_GOVERNMENT if assignment.unit.kind == "government" else COPY_TO,
        publish=bool(data.get("publish")), issued_by=call.actor, issued_at=call.now,
        on_time=call.now <= assignment.reply_due)
    session.add(reply)
    assignment.status, assignment.answer_class = "replied", reply.answer_class
    _first_reply(assignment, call.now)
    _set_status(session, assignment.suggestion_id, "replied")
    session.flush()
    _resolve(call, assignment, "reply_issued")
    merging.notify_reply(session, assignment, call.now)  # 并案: each merged deputy too
    return {"reply_id": reply.id, "round": reply.round, "answer_class": reply.answer_class}


def record_feedback(call: OperatorCall, assignment_id, satisfaction, comment=None) -> dict:
    """反馈 on one unit; the latest round counts, earlier rounds stay in history."""
    return _record_feedback(call, assignment_id, satisfaction, comment, call.data)


def _record_feedback(call: OperatorCall, assignment_id, satisfaction, comment,
                     answer: dict[str, Any]) -> dict:
    """One rating, with who recorded it and whether the commission recorded the deputy's paper
    form (代录), as the completion of its task said (`answer`: workflows.tasks stamps both)."""
    on_behalf = bool(answer.get(ON_BEHALF_KEY))
    session = call.session
    assignment = _assignment(call, assignment_id)
    rounds = session.scalar(select(func.count()).select_from(Feedback)
                            .where(Feedback.assignment_id == assignment.id, _OWN))
    session.add(Feedback(assignment_id=assignment.id, round=rounds + 1, satisfaction=satisfaction,
                         comment=comment, given_by=answer.get(RECORDED_BY_KEY) or call.actor,
                         given_at=call.now, recorded_on_behalf=on_behalf))
    # The final rating is the one that counts, and whether it was recorded on the deputy's behalf.
    assignment.satisfaction = satisfaction
    assignment.feedback_recorded_on_behalf = on_behalf
    session.flush()
    dissatisfied = session.scalar(select(func.count()).select_from(Feedback).where(
        Feedback.assignment_id == assignment.id, _OWN, Feedback.satisfaction == "dissatisfied"))
    return {"round": rounds + 1, "dissatisfied": satisfaction == "dissatisfied",
            "dissatisfied_count": dissatisfied}


# The ratings of the case's own lead deputy (not those of merged suggestions' deputies).
_OWN = Feedback.suggestion_id.is_(None)


def record_merged_feedback(call: OperatorCall, assignment_id, items) -> dict:
    """并案: each merged suggestion's lead deputy's rating of the shared reply (one
    multi-instance answer each, stamped on its own like a co-unit rating: 代录 or in person),
    kept on the lead assignment under the merged suggestion. It counts for that suggestion
    (workflows.statistics) and decides no re-handling: the case runs on its own deputy's."""
    assignment = _assignment(call, assignment_id)
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
    assignment = _assignment(call, assignment_id)
    assignment.reply_due = deadlines.rehandling(call.session, call.now)
    assignment.status = "acknowledged"
    _set_status(call.session, assignment.suggestion_id, "handling")
    return {}


def record_follow_up(call: OperatorCall, assignment_id) -> dict:
    """跟踪办理 of a Class-B case: a report; `done` ends the follow-up."""
    done = bool(call.data.get("follow_up_done"))
    assignment = _assignment(call, assignment_id)
    call.session.add(FollowUp(assignment_id=assignment.id, report=call.data["follow_up_report"],
                              done=done, reported_by=call.actor, reported_at=call.now))
    assignment.status = "follow_up" if not done else assignment.status
    return {"done": done}


def close_assignment(call: OperatorCall, assignment_id) -> dict:
    """办结 of one unit's part."""
    assignment = _assignment(call, assignment_id)
    assignment.status, assignment.closed_at = "closed", call.now
    _resolve(call, assignment, "assignment_closed")
    return {}


def close_case(call: OperatorCall, suggestion_id) -> dict:
    """办结 of the suggestion (and the suggestions merged into it)."""
    session = call.session
    suggestion = session.get(Suggestion, int(suggestion_id))
    merged = session.scalars(select(Suggestion).where(Suggestion.merged_into_id == suggestion.id))
    for each in [suggestion, *merged]:
        each.status, each.closed_at = "closed", call.now
    resolve_escalations(session, suggestion, "case_closed", call.actor, call.now,
                        instance_id=call.instance_id)
    return {}


def _resolve(call: OperatorCall, assignment: Assignment, ended: str) -> None:
    """The cause of some of the assignment's escalations ended in this step."""
    resolve_escalations(call.session, assignment, ended, call.actor, call.now,
                        instance_id=call.instance_id)


OPERATORS = {
    name: globals()[name] for name in (
        "record_assignment", "record_acknowledgement", "record_co_acknowledgement",
        "request_return", "rule_return", "rule_co_return", "record_distribution",
        "record_consultation",
        "record_co_opinion", "record_progress_report", "record_extension",
        "record_coordination_request", "escalate", "issue_reply", "record_feedback",
        "record_co_feedback", "record_merged_feedback", "start_rehandling", "record_follow_up",
        "close_assignment",
        "close_case")
}
