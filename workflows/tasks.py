"""Completing tasks with the domain's checks (who may do a task: `task_access`)."""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import Engine, FormError, NotFoundError
from engine.instance import StepResult
from models import Assignment, HumanTask, Suggestion, User

from . import deputies, escalations, intake, merging, reply_text, substitution, task_access
from .calendar import CHINA
from .errors import DomainError, PermissionDenied
from .task_access import Who
from .units import unit_by_code

NOT_YOURS = "这不是您的任务 (this task is not yours)"


_ORDER = (HumanTask.due_at, HumanTask.created_at)
_CASE_READY = select(HumanTask).where(HumanTask.state == "ready",
                                      HumanTask.instance_id == bindparam("instance_id")
                                      ).order_by(*_ORDER)


def my_tasks(session: Session, user: User, instance_id: int | None = None) -> list[HumanTask]:
    """The user's ready tasks by the one rule (`task_access`), earliest due first. Of one case:
    its few ready tasks are read by the case's index and the rule asked of each (the same rule
    as its SQL form, which a test checks)."""
    if instance_id is not None:
        return [task for task in session.scalars(_CASE_READY, {"instance_id": instance_id})
                if task_access.allows(user, task)]
    return list(session.scalars(select(HumanTask).where(
        HumanTask.state == "ready", task_access.visible(user)).order_by(*_ORDER)))


def next_task(session: Session, user: Who, instance_id: int) -> HumanTask | None:
    """After a step: the case's next ready task the user may do, earliest due first."""
    found = my_tasks(session, user, instance_id)
    return found[0] if found else None


def waiting_at(session: Session, instance_id: int) -> list[tuple[HumanTask, str | None]]:
    """Where a case waits: its ready tasks, each with its holder's name (None: in a queue)."""
    return [tuple(row) for row in session.execute(
        select(HumanTask, User.name).outerjoin(User, User.username == HumanTask.assignee)
        .where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
        .order_by(HumanTask.created_at, HumanTask.id))]


Check = Callable[[Session, dict[str, Any]], dict[str, str]]


def _known_unit(session: Session, code: str) -> bool:
    try:
        unit_by_code(session, code)
    except DomainError:
        return False
    return True


def _check_assign(session: Session, data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    mode = data.get("mode")
    units = list(data.get("units") or []) if mode == "separate" else \
        [data.get("lead_unit")] + list(data.get("co_units") or [])
    if mode != "separate" and not data.get("lead_unit"):
        errors["lead_unit"] = "主办单位必填 (lead unit required)"
    if mode == "separate" and len(units) < 2:
        errors["units"] = "分办至少两个单位 (separate handling needs two or more units)"
    if mode == "sole" and data.get("co_units"):
        errors["co_units"] = "独办不设会办单位 (sole handling has no co-units)"
    unknown = [u for u in units if u and not _known_unit(session, u)]
    if unknown:
        errors["units" if mode == "separate" else "co_units"] = f"未知单位 (unknown units): {', '.join(unknown)}"
    if len([u for u in units if u]) != len({u for u in units if u}):
        errors["co_units"] = "单位重复 (a unit appears twice)"
    if data.get("key_suggestion") and not data.get("supervising_leader"):
        errors["supervising_leader"] = "重点建议须指定督办领导 (key suggestions need a leader)"
    return errors


def _check_merged(session: Session, task_id: str, data: dict[str, Any]) -> dict[str, str]:
    """并案: the numbers merged into the suggestion being assigned must be mergeable
    (workflows.merging.problems); refused beside the field, with what was typed kept."""
    if data.get("mode") != "merged":
        return {}
    host = session.scalar(select(Suggestion).join(
        HumanTask, HumanTask.instance_id == Suggestion.instance_id).where(HumanTask.id == task_id))
    refused = merging.problems(session, host, list(data.get("merged_numbers") or [])) \
        if host is not None else None
    return {"merged_numbers": refused} if refused else {}


def _extension_too_late(session: Session, engine: Engine, task_id: str) -> str | None:
    """延期 is asked for before the reply deadline (the commission could not approve it after:
    `handling.record_extension`); past it, the unit owes its reply."""
    branch = engine.task_data(session, task_id).get("branch")
    assignment_id = branch.get("assignment_id") if isinstance(branch, dict) else None
    assignment = session.get(Assignment, assignment_id) if isinstance(assignment_id, int) else None
    if assignment is None or engine.clock() < assignment.reply_due:
        return None
    due = assignment.reply_due.astimezone(CHINA)
    return (f"答复期限已于{due:%Y年%m月%d日}届满，不能再申请延期，请答复代表 "
            f"(the reply deadline passed on {due:%Y-%m-%d}: no extension can be asked for now)")


def _check_return(session: Session, data: dict[str, Any]) -> dict[str, str]:
    if data.get("decision") == "request_return" and not (data.get("return_reason") or "").strip():
        return {"return_reason": "申请退回须说明理由 (a return request needs a reason)"}
    return {}


def _check_reassign(session: Session, data: dict[str, Any]) -> dict[str, str]:
    if data.get("return_decision") == "reassign":
        code = data.get("new_unit")
        if not code or not _known_unit(session, code):
            return {"new_unit": "须指定新的承办单位 (choose the new unit)"}
    return {}


def _check_draft(session: Session, data: dict[str, Any]) -> dict[str, str]:
    action = data.get("action")
    if action == "request_extension" and not (data.get("extension_reason") or "").strip():
        return {"extension_reason": "申请延期须说明理由 (an extension needs a reason)"}
    if action == "request_coordination" and not (data.get("coordination_reason") or "").strip():
        return {"coordination_reason": "提请高位协调须说明理由 (give a reason)"}
    return _check_answer(session, data) if action == "submit" else {}


def _check_answer(session: Session, data: dict[str, Any]) -> dict[str, str]:
    """The letter numbers the answer's items: an answer of only a salutation, an opening and a
    closing has nothing to say."""
    text = data.get("answer_text")
    if isinstance(text, str) and text.strip() and not reply_text.has_items(text):
        return {"answer_text": "答复正文须有具体答复内容，不能只有称呼、开头语和结束语 "
                               "(the answer needs its substance, not only a salutation, opening "
                               "and closing)"}
    return {}


CHECKS: dict[str, Check] = {"assign": _check_assign, "acknowledge": _check_return,
                            "decide_return": _check_reassign, "decide_co_return": _check_reassign,
                            "draft_reply": _check_draft, "rehandle": _check_answer}


def complete(session: Session, engine: Engine, user: Who, task_id: str,
             data: dict[str, Any]) -> StepResult:
    """Complete a task as `user`: permission, domain checks, then the engine (one transaction).
    The checks read the task's row the engine reads anyway."""

    follow_up: dict[str, Any] = {}
    user = substitution.acting(session, user, engine.clock())

    def prepare(task, data: dict[str, Any]) -> dict[str, Any]:
        if not task_access.allows(user, task):
            raise PermissionDenied(NOT_YOURS)
        data = substitution.mark(session, user, task, data)
        if task.task_state != "ready":  # someone got there first: the engine says so, before
            return data                 # a check of the day refuses what is already done
        if task.candidate_role in ESCALATION_ROLES:  # a supervisor's or leader's task: which
            lane = session.scalar(select(HumanTask.lane).where(HumanTask.id == task_id))
            if lane in escalations.FOLLOW_UP_LANES:  # escalations does it follow?
                follow_up.update(lane=lane, ids=escalations.escalation_ids_in(
                    engine.task_data(session, task_id)))
                escalations.task_will_end(session, lane, follow_up["ids"])
        check = CHECKS.get(task.bpmn_id)
        errors = check(session, data) if check else {}
        if task.bpmn_id == "assign":
            errors.update(_check_merged(session, task_id, data))
        if task.bpmn_id in (intake.DRAFT, intake.REVIEW):
            errors.update(intake.check(session, engine, task_id, task.bpmn_id, data))
        if errors:
            raise FormError(errors)
        if task.bpmn_id == "draft_reply" and data.get("action") == "request_extension":
            late = _extension_too_late(session, engine, task_id)
            if late:
                raise FormError({"action": late})
            data = {**data, "extension_requested_by": user.username}
        if user.role in (deputies.DEPUTY_ROLE, deputies.ON_BEHALF_ROLE):
            lane = session.scalar(select(HumanTask.lane).where(HumanTask.id == task_id))
            if lane in deputies.lead_deputy_lanes(session):  # the row decides, not the form
                data = {**data, deputies.RECORDED_BY_KEY: user.username,
                        deputies.ON_BEHALF_KEY: task.candidate_role != deputies.DEPUTY_ROLE}
        return data

    try:
        result = engine.complete(session, task_id, user.username, data, prepare=prepare)
    except NotFoundError:
        raise PermissionDenied(NOT_YOURS) from None
    finally:
        escalations.task_done(session)
    if follow_up.get("ids"):
        done_at = session.scalar(select(HumanTask.completed_at).where(HumanTask.id == task_id))
        escalations.resolve_after_task(session, follow_up["lane"], follow_up["ids"],
                                       user.username, done_at, result.instance_id)
    if result.completed is not None and result.completed[0] == "assign":
        # 并案: the merged suggestions' own cases end here, by the same person, audited.
        merging.close_merged_cases(session, engine, result.instance_id, user.username)
    intake.after_step(session, engine, user.username)  # 立案: the registered suggestion's case
    return result


# The roles of the Supervisor and ProvincialLeader lanes, whose tasks may end an escalation.
ESCALATION_ROLES = frozenset({"commission", "provincial_leader"})

