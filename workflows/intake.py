"""Deputies submit suggestions online (提出): the `intake` process (bpmn/intake.bpmn).

The lead deputy drafts (撰写建议) and invites co-signers, who each confirm or decline (联名确认,
rule in `cosign`); once every listed co-signer has confirmed the current text the deputy submits,
and the commission's intake review (立案审查) accepts and registers the suggestion (its case
starts as /register starts it), returns it for revision with a reason, or converts it into an
opinion letter (转为意见, the case ends). Every step is audited.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Engine
from engine.scripts import OperatorCall
from models import (AuditEvent, CongressSession, Deputy, HumanTask, ProcessInstance,
                    Suggestion, User)
from models.vocabulary import FIELDS

from . import congress_sessions, cosign, notifications, suggestions, text
from .errors import DomainError

PROCESS_ID = "intake"
DRAFT, COSIGN, REVIEW = "intake_draft", "intake_cosign", "intake_review"
DRAFT_KEYS = ("title", "field", "body", "from_research", "co_signers")
_TO_START = "intake_registered"  # session.info: suggestions registered in this step


# ---------------------------------------------------------------- who
def lead_of(session: Session, instance_id: int) -> Deputy | None:
    """The deputy who started the case (the lead deputy)."""
    return session.scalar(select(Deputy).join(User, User.deputy_id == Deputy.id).join(
        ProcessInstance, ProcessInstance.started_by == User.username).where(
        ProcessInstance.id == instance_id))


def start_draft(session: Session, engine: Engine, user: User) -> int:
    """A new online suggestion of a deputy with a deputy record; returns the case id."""
    if user.role != "deputy" or user.deputy_id is None:
        raise DomainError("只有代表可以提出建议 (only deputies submit suggestions)")
    return engine.start(session, PROCESS_ID, {}, actor=user.username).instance_id


def _deputies(session: Session, ids: list[str]) -> dict[str, tuple[Deputy, str | None]]:
    """deputy id (text) -> (deputy, username or None), for the ids that name a deputy."""
    numbers = [int(i) for i in ids if isinstance(i, str) and i.isascii() and i.isdigit()
               and len(i) <= 9]
    if not numbers:
        return {}
    rows = session.execute(select(Deputy, User.username).outerjoin(
        User, User.deputy_id == Deputy.id).where(Deputy.id.in_(numbers)))
    return {str(d.id): (d, u) for d, u in rows}


# ---------------------------------------------------------------- checks at completion
def check(session: Session, engine: Engine, task_id: str, bpmn_id: str,
          data: dict[str, Any]) -> dict[str, str]:
    """field -> why the answer is refused (the task page shows it beside the field)."""
    if bpmn_id == DRAFT:
        row = session.get(HumanTask, task_id)
        lead = lead_of(session, row.instance_id) if row is not None else None
        status = engine.task_data(session, task_id).get("cosign") or {}
        return draft_problems(session, lead, status, data)
    if bpmn_id == REVIEW:
        decision = data.get("decision")
        if decision in ("return", "convert") and not (data.get("reason") or "").strip():
            return {"reason": "退回修改或转为意见须写明理由 (give a reason)"}
        if decision == "accept" and session.scalar(select(func.count(CongressSession.id))) == 0:
            return {"decision": "尚未设置届次，无法立案 (no congress session set up)"}
    return {}


def draft_problems(session: Session, lead: Deputy | None, status: dict,
                   data: dict[str, Any]) -> dict[str, str]:
    errors = text.problems(text.SUGGESTION, {k: data.get(k) or "" for k in
                                             ("title", "body", "field")})
    if "field" not in errors and data.get("field") not in FIELDS:
        errors["field"] = "请从列表中选择领域 (choose a field from the list)"
    listed = list(data.get("co_signers") or [])
    known = _deputies(session, listed)
    unknown = [i for i in listed if i not in known]
    if unknown or len(listed) > cosign.MAX_CO_SIGNERS:
        errors["co_signers"] = "联名代表须从代表名单中选择 (choose co-signers from the list)"
        return errors
    if lead is not None and str(lead.id) in listed:
        errors["co_signers"] = "领衔代表不能同时联名 (the lead deputy cannot co-sign)"
        return errors
    words = cosign.fingerprint(data.get("title") or "", data.get("body") or "")
    waiting = cosign.pending(listed, status, words)
    if data.get("action") == "invite":
        if not waiting:
            errors["action"] = "没有需要确认的联名代表，可直接提交 (no co-signer to ask: submit)"
        no_account = [known[i][0].name for i in waiting if known[i][1] is None]
        if no_account:
            errors["co_signers"] = ("以下代表尚未开通账号，无法在线确认联名：" + "、".join(no_account)
                                    + " (these deputies have no account to confirm with)")
    elif data.get("action") == "submit" and waiting:
        errors["action"] = ("以下联名代表尚未确认本稿，请先请其确认或移出名单：" + "、".join(
            known[i][0].name for i in waiting)
            + " (these co-signers have not confirmed this text: ask them or remove them)")
    return errors


# ---------------------------------------------------------------- operators
def prepare_intake(call: OperatorCall) -> dict[str, Any]:
    """After the draft: whom to ask (co-signers without a confirmation of this text) and what
    the review shows (the lead's name, the confirmed co-signers)."""
    data = call.data
    lead = lead_of(call.session, call.instance_id)
    words = cosign.fingerprint(data.get("title") or "", data.get("body") or "")
    status = data.get("cosign") or {}
    listed = list(data.get("co_signers") or [])
    known = _deputies(call.session, listed)
    waiting = cosign.pending(listed, status, words)
    return {"text": words, "lead_name": lead.name if lead else "",
            "to_invite": [{"deputy_id": int(i), "name": known[i][0].name,
                           "username": known[i][1]} for i in waiting if i in known],
            "confirmed_names": [known[i][0].name for i in listed
                                if i in known and cosign.confirmed(status, i, words)]}


def record_cosign(call: OperatorCall) -> dict[str, dict]:
    """Each co-signer's answer, kept with the text it was given for (audited)."""
    status = dict(call.data.get("cosign") or {})
    words = (call.data.get("intake") or {}).get("text", "")
    for item in call.data.get("co_answers") or []:
        signer = item.get("co_signer") or {}
        deputy_id, answer = str(signer.get("deputy_id")), item.get("answer")
        status = cosign.answered(status, deputy_id, answer, words, signer.get("name", ""))
        call.session.add(AuditEvent(at=call.now, actor=call.actor, action="intake_cosign",
                                    instance_id=call.instance_id, bpmn_id=COSIGN, detail={
                                        "deputy_id": deputy_id, "answer": answer,
                                        "comment": item.get("comment") or ""}))
    return status


def register_intake(call: OperatorCall) -> dict[str, int]:
    """立案: register the suggestion through the registration path, the next number of the
    newest congress session, with the co-signers who confirmed; its case starts after the
    step (`after_step`), as /register starts it."""
    data = call.data
    session = call.session
    lead = lead_of(session, call.instance_id)
    if lead is None:
        raise DomainError("领衔代表已不存在 (the lead deputy no longer exists)")
    congress = congress_sessions.latest(session)
    if congress is None:
        raise DomainError("尚未设置届次 (no congress session set up)")
    number = (session.scalar(select(func.max(Suggestion.number)).where(
        Suggestion.congress_session_id == congress.id)) or 0) + 1
    words = cosign.fingerprint(data.get("title") or "", data.get("body") or "")
    status = data.get("cosign") or {}
    listed = list(data.get("co_signers") or [])
    known = _deputies(session, listed)
    co = [known[i][0] for i in listed if i in known and cosign.confirmed(status, i, words)]
    suggestion = suggestions.register(
        session, None, congress_session=congress, number=number, title=data["title"],
        body=data["body"], field=data["field"], lead_deputy=lead, co_signers=co,
        actor=call.actor, now=call.now, start_case=False,
        from_research=bool(data.get("from_research")))
    session.info.setdefault(_TO_START, []).append(suggestion.id)
    session.add(AuditEvent(at=call.now, actor=call.actor, action="intake_registered",
                           instance_id=call.instance_id, bpmn_id=REVIEW, detail={
                               "suggestion_id": suggestion.id, "number": number}))
    return {"suggestion_id": suggestion.id, "number": number}


def return_intake(call: OperatorCall) -> dict[str, str]:
    """退回修改: back to the deputy's draft with the reason (shown on the draft page)."""
    reason = call.data.get("reason") or ""
    call.session.add(AuditEvent(at=call.now, actor=call.actor, action="intake_returned",
                                instance_id=call.instance_id, bpmn_id=REVIEW,
                                detail={"reason": reason}))
    return {"reason": reason, "by": call.actor, "at": call.now.isoformat()}


def convert_intake(call: OperatorCall) -> dict[str, str]:
    """转为意见: the submission is handled as an opinion letter; the case ends here, the lead
    deputy is told why."""
    reason = call.data.get("reason") or ""
    title = call.data.get("title") or ""
    call.session.add(AuditEvent(at=call.now, actor=call.actor, action="intake_converted",
                                instance_id=call.instance_id, bpmn_id=REVIEW,
                                detail={"reason": reason, "title": title}))
    deputy = call.session.scalar(select(ProcessInstance.started_by).where(
        ProcessInstance.id == call.instance_id))
    notifications.notify(call.session, [deputy] if deputy else [], "reply", (
        f"您提出的《{title}》经代表工委审查转为意见处理：{reason}",
        f"Your submission “{title}” is handled as an opinion letter: {reason}"),
        f"/instances/{call.instance_id}", call.now)
    return {"reason": reason, "by": call.actor, "at": call.now.isoformat()}


OPERATORS = {"prepare_intake": prepare_intake, "record_cosign": record_cosign,
             "register_intake": register_intake, "return_intake": return_intake,
             "convert_intake": convert_intake}


def after_step(session: Session, engine: Engine, actor: str) -> None:
    """Start the cases of the suggestions the step registered (the engine is not re-entered
    from inside a step)."""
    for suggestion_id in session.info.pop(_TO_START, []):
        suggestions.start(session, engine, session.get(Suggestion, suggestion_id), actor)


# ---------------------------------------------------------------- the draft page
def prefill(session: Session, engine: Engine, task: HumanTask) -> dict[str, Any]:
    """What a draft task opens with: what the deputy wrote last time, decliners taken off."""
    if task.bpmn_id != DRAFT:
        return {}
    data = engine.task_data(session, task.id)
    values = {k: data[k] for k in DRAFT_KEYS if k in data}
    if "co_signers" in values:
        values["co_signers"] = cosign.kept(values["co_signers"], data.get("cosign") or {})
    return values


def draft_view(session: Session, engine: Engine, task: HumanTask) -> dict[str, Any] | None:
    """The side panel of a draft: the commission's reason if returned, the co-signers' answers."""
    if task.bpmn_id != DRAFT:
        return None
    data = engine.task_data(session, task.id)
    status = data.get("cosign") or {}
    words = cosign.fingerprint(data.get("title") or "", data.get("body") or "")
    rows = []
    for deputy_id, entry in status.items():
        answer = entry.get("answer")
        if answer == cosign.CONFIRMED and entry.get("text") != words:
            answer = "outdated"
        rows.append({"name": entry.get("name", ""), "answer": answer})
    lead = lead_of(session, task.instance_id)
    return {"returned": data.get("returned"), "cosign": rows,
            "lead_id": str(lead.id) if lead else ""}


def my_submissions(session: Session, engine: Engine, username: str) -> list[dict[str, Any]]:
    """The deputy's online suggestions, newest first: title, where each stands (drafting,
    waiting for co-signers, under review, registered with its number, converted) and the
    draft task to come back to."""
    found = []
    for instance in session.scalars(select(ProcessInstance).where(
            ProcessInstance.process_id == PROCESS_ID, ProcessInstance.started_by == username)
            .order_by(ProcessInstance.id.desc())):
        data = engine.instance_data(session, instance)
        ready = {t.bpmn_id: t for t in session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == "ready"))}
        stage = next((s for s in (DRAFT, COSIGN, REVIEW) if s in ready), None)
        if stage is None:
            stage = "registered" if data.get("registered") else \
                "converted" if data.get("converted") else instance.status
        found.append({"id": instance.id, "title": data.get("title") or "", "stage": stage,
                      "started": instance.created_at, "draft_task": ready.get(DRAFT),
                      "number": (data.get("registered") or {}).get("number")})
    return found


__all__ = ["COSIGN", "DRAFT", "OPERATORS", "PROCESS_ID", "REVIEW", "after_step", "check",
           "draft_problems", "draft_view", "lead_of", "my_submissions", "prefill", "start_draft"]
