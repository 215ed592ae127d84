"""并案 (merged handling): identical suggestions handled as one case, each deputy still answered.

The commission assigns one suggestion (the host) in mode `merged` and names the numbers of the
identical suggestions of the same session. Each of them:
- is checked before anything is written (`problems`): it must exist in the host's session, not
  be the host, appear once, and still wait for assignment (not assigned, not merged already);
- is closed as merged when the host is assigned (`close_merged_cases`): its own case, waiting at
  `assign`, is cancelled by the assigning commission member (audited `case_cancelled` with the
  reason `merged` and the host), and the suggestion points to the host (`merged_into_id`,
  status `merged`, then `closed` with the host);
- receives the host's reply: its lead deputy is notified (`notify_reply`), its case page shows
  the reply and its own letter, and its lead deputy rates the reply in a `merged_feedback` task
  of the host's case (the items come from `feedback_items`; a deputy without an account answers
  on paper and the commission records it, 代录).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, Assignment, HumanTask, ProcessInstance, Suggestion, Unit, User
from .notifications import notify

MERGED_FEEDBACK = "merged_feedback"  # the BPMN id of the merged deputies' feedback tasks
REASON = "merged"  # the reason a merged suggestion's own case was cancelled


def merged_into(session: Session, host_id: int) -> list[Suggestion]:
    """The suggestions merged into `host_id`, in number order."""
    return list(session.scalars(select(Suggestion).where(Suggestion.merged_into_id == host_id)
                                .order_by(Suggestion.number)))


def problems(session: Session, host: Suggestion, numbers: list[Any]) -> str | None:
    """Why these numbers cannot be merged into `host` ("中文 (English)", one reason per number),
    or None if they all can."""
    reasons, seen = [], set()
    for number in numbers or []:
        if not isinstance(number, int) or isinstance(number, bool):
            reasons.append(f"编号须为整数 (a number must be a whole number): {number}")
            continue
        if number in seen:
            reasons.append(f"第{number}号重复 (number {number} appears twice)")
            continue
        seen.add(number)
        if number == host.number:
            reasons.append(f"第{number}号是本建议，不能并入自身 "
                           f"(suggestion {number} is this one; it cannot merge into itself)")
            continue
        found = session.scalar(select(Suggestion).where(
            Suggestion.congress_session_id == host.congress_session_id,
            Suggestion.number == number))
        if found is None:
            elsewhere = session.scalar(select(Suggestion.id).where(
                Suggestion.number == number,
                Suggestion.congress_session_id != host.congress_session_id).limit(1))
            reasons.append(
                f"第{number}号建议不属于本次会议 (suggestion {number} is of another session)"
                if elsewhere else
                f"本次会议没有第{number}号建议 (no suggestion {number} in this session)")
        elif found.merged_into_id is not None:
            into = session.get(Suggestion, found.merged_into_id)
            reasons.append(f"第{number}号建议已并入第{into.number}号建议 "
                           f"(suggestion {number} is already merged into {into.number})")
        elif found.status != "registered":
            reasons.append(f"第{number}号建议已交办，不能再并案 "
                           f"(suggestion {number} is already assigned)")
    return "；".join(reasons) or None


def close_merged_cases(session: Session, engine, host_instance_id: int, actor: str) -> list[int]:
    """After the host's assignment: cancel the running cases of the suggestions merged into it
    (their `assign` will never be done); returns their case ids."""
    host = session.scalar(select(Suggestion).where(Suggestion.instance_id == host_instance_id))
    if host is None or host.mode != "merged":
        return []
    closed = []
    for merged in merged_into(session, host.id):
        if merged.instance_id is None:  # registered without a case (the bulk import)
            continue
        status = session.scalar(select(ProcessInstance.status).where(
            ProcessInstance.id == merged.instance_id))
        if status != "running":
            continue
        engine.cancel(session, merged.instance_id, actor, detail={
            "reason": REASON, "into_suggestion_id": host.id, "into_number": host.number})
        closed.append(merged.instance_id)
    return closed


def subject(number: int, unit: str) -> str:
    """The subject of a merged deputy's feedback task: whose suggestion, which unit's reply."""
    return f"{subject_prefix(number)}· {unit}"


def subject_prefix(number: int) -> str:
    """How the subject of a `merged_feedback` task names its suggestion (the task rows carry
    no case data: handing a task to a deputy's new account finds it by this)."""
    return f"第{number}号建议（并案）"


def feedback_items(session: Session, assignment_id: int) -> list[dict[str, Any]]:
    """One item per suggestion merged into the case of a lead assignment (none for other
    assignments): what each `merged_feedback` instance rates, for whom."""
    assignment = session.get(Assignment, int(assignment_id))
    if assignment is None or assignment.role != "lead":
        return []
    unit = session.scalar(select(Unit.name).where(Unit.id == assignment.unit_id))
    return [{"suggestion_id": s.id, "number": s.number, "subject": subject(s.number, unit)}
            for s in merged_into(session, assignment.suggestion_id)]


def notify_reply(session: Session, assignment: Assignment, now: datetime) -> None:
    """Tell the lead deputy (with an account) of each merged suggestion that the reply is out."""
    if assignment.role != "lead":
        return
    host = session.get(Suggestion, assignment.suggestion_id)
    for merged in merged_into(session, host.id):
        people = list(session.scalars(select(User.username).where(
            User.deputy_id == merged.lead_deputy_id, User.role == "deputy",
            User.active.is_(True))))
        notify(session, people, "reply",
               (f"已答复：第{merged.number}号建议（并入第{host.number}号建议办理）",
                f"Replied: suggestion {merged.number} (merged into suggestion {host.number})"),
               f"/cases/{merged.id}", now)


@dataclass
class CasePage:
    """What a case page shows of merged handling: for a merged suggestion, the host, who merged
    it and when, the host's assignments (whose replies answer it too) and its own open rating
    task; for a host, the suggestions merged into it."""

    host: Suggestion | None = None
    merged_by: str | None = None
    merged_at: datetime | None = None
    assignments: list[Assignment] = field(default_factory=list)
    open_tasks: list[HumanTask] = field(default_factory=list)
    merged: list[Suggestion] = field(default_factory=list)


def page(session: Session, suggestion: Suggestion) -> CasePage:
    """The merged-handling part of `suggestion`'s case page."""
    if suggestion.merged_into_id is None:
        return CasePage(assignments=list(suggestion.assignments),
                        merged=merged_into(session, suggestion.id))
    host = session.get(Suggestion, suggestion.merged_into_id)
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.instance_id == suggestion.instance_id,
        AuditEvent.action == "case_cancelled")) if suggestion.instance_id else None
    tasks = list(session.scalars(select(HumanTask).where(
        HumanTask.instance_id == host.instance_id, HumanTask.state == "ready",
        HumanTask.bpmn_id == MERGED_FEEDBACK,
        HumanTask.subject.startswith(subject_prefix(suggestion.number), autoescape=True)))) \
        if host.instance_id else []
    # the person's name, as the case's history shows people (not the login name)
    merged_by = session.scalar(select(User.name).where(User.username == event.actor)) \
        or event.actor if event else None
    return CasePage(host=host, merged_by=merged_by,
                    merged_at=event.at if event else suggestion.assigned_at,
                    assignments=list(host.assignments), open_tasks=tasks)
