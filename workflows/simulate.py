"""Drive cases through the real process with plausible answers (demo data, tests, benchmarks).

Every step goes through `tasks.complete` as a user who may do it, exactly as a person would.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine
from models import Assignment, Division, HumanTask, Unit, User

from . import tasks

DRAFT = {"answer_class": "A", "doc_number": "函〔2026〕1号",
         "answer_text": "一、已将建议纳入年度工作计划。\n\n二、已安排专项资金推进落实。",
         "contact_person": "刘芳", "contact_phone": "0731-88880000", "publish": True}

ANSWERS: dict[str, dict[str, Any]] = {
    "acknowledge": {"decision": "acknowledge"},
    "decide_return": {"return_decision": "refuse", "ruling_note": "职能相符，不予退回"},
    "decide_co_return": {"return_decision": "refuse", "ruling_note": "职能相符，不予退回"},
    "consult": {"consulted_on": "2026-04-10", "consultation_form": "face_to_face",
                "participants": "处室负责同志、代表本人", "deputy_view": "认可办理思路"},
    "co_acknowledge": {"co_decision": "acknowledge"},
    "co_opinion": {"opinion": "同意主办单位意见，将在职责范围内配合推进。"},
    "progress_report": {"progress": "已完成前期调研，正在制定实施方案。"},
    "midyear_report": {"progress": "已完成前期调研，实施方案已报省政府审定。"},
    "november_report": {"progress": "项目已开工建设，年底前完成一期工程。"},
    "draft_reply": {**DRAFT, "action": "submit"},
    "approve_extension": {"extension_decision": "approve", "extension_note": "同意延期"},
    "review": {"review_decision": "approve"},
    "sign_off": {"sign_decision": "approve"},
    "leader_review": {"leader_decision": "approve", "leader_note": "同意"},
    # the re-handled reply is reviewed and signed again, on the same forms
    "review_again": {"review_decision": "approve"},
    "sign_off_again": {"sign_decision": "approve"},
    "leader_review_again": {"leader_decision": "approve", "leader_note": "同意"},
    "feedback": {"satisfaction": "satisfied", "comment": "办理认真"},
    "feedback_again": {"satisfaction": "satisfied", "comment": "重新办理后满意"},
    "co_feedback": {"satisfaction": "very_satisfied", "comment": ""},
    "merged_feedback": {"satisfaction": "satisfied", "comment": "并案办理，答复已收到"},
    "rehandle": dict(DRAFT),
    "supervise_overdue": {"supervision_note": "已电话督促承办单位"},
    "supervise_meeting": {"supervision_note": "已组织代表与承办单位面商"},
    "coordinate_overdue": {"coordination_note": "已协调相关部门"},
    "coordinate_requested": {"coordination_note": "已召开协调会"},
    "follow_up_report": {"follow_up_report": "项目已建成投用。", "follow_up_done": True},
}
Answer = dict[str, Any] | list[dict[str, Any]] | Callable[[HumanTask, int], dict[str, Any]]


def worker_for(session: Session, task: HumanTask) -> User:
    """Someone who may complete the task."""
    query = select(User).where(User.active.is_(True))
    if task.candidate_role is not None:  # None: one person's (the initiator's) in person
        query = query.where(User.role == task.candidate_role)
    if task.candidate_unit is not None:
        query = query.join(Unit, User.unit_id == Unit.id).where(Unit.code == task.candidate_unit)
    if task.assignee is not None:
        query = query.where(User.username == task.assignee)
    user = session.scalars(query.order_by(User.id)).first()
    if user is None:
        raise LookupError(f"nobody may do task '{task.bpmn_id}' ({task.candidate_role}, "
                          f"{task.candidate_unit}, {task.assignee})")
    return user


def _answer(session: Session, task: HumanTask, given: Answer | None, nth: int) -> dict[str, Any]:
    if callable(given):
        return given(task, nth)
    if isinstance(given, list):
        return dict(given[min(nth, len(given) - 1)])
    data = dict(given if given is not None else ANSWERS.get(task.bpmn_id, {}))
    if task.bpmn_id == "distribute" and not data:
        unit = session.scalar(select(Unit).where(Unit.code == task.candidate_unit))
        first = session.scalars(select(Division.name).where(Division.unit_id == unit.id)
                                .order_by(Division.id)).first()
        data = {"lead_division": first or "综合处", "co_divisions": []}
    return data


def drive(session: Session, engine: Engine, instance_id: int, *,
          stop_at: Iterable[str] = (), answers: dict[str, Answer] | None = None,
          max_steps: int = 200) -> list[HumanTask]:
    """Complete ready tasks of a case (except those in `stop_at`) until none is left to do.

    Returns the ready tasks left open.
    """
    stop, answers, seen = set(stop_at), answers or {}, Counter()
    for _ in range(max_steps):
        ready = list(session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.state == "ready")
            .order_by(HumanTask.created_at, HumanTask.id)))
        todo = [t for t in ready if t.bpmn_id not in stop]
        if not todo:
            return ready
        task = todo[0]
        data = _answer(session, task, answers.get(task.bpmn_id), seen[task.bpmn_id])
        seen[task.bpmn_id] += 1
        tasks.complete(session, engine, worker_for(session, task), task.id, data)
    raise RuntimeError(f"case {instance_id} still running after {max_steps} steps")


def assignments(session: Session, suggestion_id: int) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(Assignment.suggestion_id == suggestion_id)
                                .order_by(Assignment.id)))


def complete_one(session: Session, engine: Engine, instance_id: int, bpmn_id: str,
                 data: dict[str, Any], unit: str | None = None) -> None:
    """Complete the case's ready task `bpmn_id` (of `unit` if given: co-units each have one)
    with `data`, as someone who may."""
    query = select(HumanTask).where(HumanTask.instance_id == instance_id,
                                    HumanTask.state == "ready", HumanTask.bpmn_id == bpmn_id)
    if unit is not None:
        query = query.where(HumanTask.candidate_unit == unit)
    task = session.scalars(query.order_by(HumanTask.id)).first()
    if task is None:
        raise LookupError(f"case {instance_id} has no ready task '{bpmn_id}'")
    tasks.complete(session, engine, worker_for(session, task), task.id, data)
