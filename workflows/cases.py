"""Who may see a case, and what its page shows: summary, timeline, deadlines, diagram state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import Engine
from models import (Assignment, AuditEvent, Escalation, ProcessInstance,
                    Suggestion, SuggestionCoSigner, Unit, User)

from . import committees

SEE_ALL = {"commission", "provincial_leader", "admin"}


def visible_suggestions(user: User):
    """SQL condition on Suggestion: the cases this user may see."""
    if user.role in SEE_ALL:
        return Suggestion.id.isnot(None)
    if user.role == committees.ROLE:  # their committee's field only (对口督办)
        return committees.visible_to(user)
    if user.role == "deputy":
        co_signed = select(SuggestionCoSigner.suggestion_id).where(
            SuggestionCoSigner.deputy_id == user.deputy_id)
        return or_(Suggestion.lead_deputy_id == user.deputy_id, Suggestion.id.in_(co_signed))
    if user.unit_id is not None:
        return Suggestion.id.in_(select(Assignment.suggestion_id)
                                 .where(Assignment.unit_id == user.unit_id))
    return Suggestion.id.is_(None)


def may_see(session: Session, user: User, suggestion_id: int) -> bool:
    return session.scalar(select(Suggestion.id).where(
        Suggestion.id == suggestion_id, visible_suggestions(user))) is not None


@dataclass
class TimelineEntry:
    """One audited step: who did what (action + BPMN step + decision) and when."""

    at: datetime
    actor: str
    action: str
    step: str
    decision: str
    detail: dict[str, Any]
    on_behalf_of: str = ""  # 代理: the absent person's name the actor did the step for


DECISION_KEYS = ("review_decision", "sign_decision", "leader_decision", "decision", "action",
                 "return_decision", "extension_decision", "satisfaction")


def timeline(session: Session, instance_id: int) -> list[TimelineEntry]:
    """The case's audit trail, oldest first, with actors' names (read with the events; the
    names of absent colleagues a step was done for (代理), if any, with one more statement)."""
    rows = session.execute(select(AuditEvent, User.name)
                           .outerjoin(User, User.username == AuditEvent.actor)
                           .where(AuditEvent.instance_id == instance_id)
                           .order_by(AuditEvent.at, AuditEvent.id)).all()
    absent = {a for event, _name in rows
              if isinstance(a := ((event.detail or {}).get("data") or {}).get("on_behalf_of"), str)}
    names = dict(session.execute(select(User.username, User.name)
                                 .where(User.username.in_(absent))).tuples().all()) if absent else {}
    entries = []
    for event, actor_name in rows:
        data = (event.detail or {}).get("data") or {}
        decision = next((data[k] for k in DECISION_KEYS if isinstance(data.get(k), str)
                         and data[k] not in ("approve", "acknowledge", "submit")), "")
        on_behalf = data.get("on_behalf_of")
        entries.append(TimelineEntry(event.at, actor_name or event.actor, event.action,
                                     event.bpmn_id or "", decision, event.detail or {},
                                     names.get(on_behalf, on_behalf)
                                     if isinstance(on_behalf, str) else ""))
    return entries


def escalations(session: Session, suggestion_id: int) -> list[Escalation]:
    return list(session.scalars(select(Escalation).where(Escalation.suggestion_id == suggestion_id)
                                .order_by(Escalation.raised_at)))


@dataclass
class DiagramState:
    """For each BPMN file of the case: the element ids that are active and those done."""

    files: dict[str, str]
    active: dict[str, set[str]]
    done: dict[str, set[str]]


def diagram_state(session: Session, engine: Engine, instance: ProcessInstance) -> DiagramState:
    """Which elements of which file are active or completed, read from the workflow."""
    states = engine.element_states(session, instance)
    files = engine.stored_files(session, instance.process_version_id)
    # The file that defines the case's process and those of the processes it has reached (a
    # package holds every process: another process's diagram says nothing about this case).
    shown = {states.file, *states.active, *states.done}
    bpmn = {name: text for name, text in files.items() if name.endswith(".bpmn") and name in shown}
    return DiagramState(bpmn, {f: set(ids) for f, ids in states.active.items()},
                        {f: set(ids) for f, ids in states.done.items()})


def unit_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Unit.code, Unit.name)).tuples().all())
