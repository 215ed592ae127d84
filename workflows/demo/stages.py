"""The demo's ordinary cases: each is assigned at the meeting and driven to the stage it stops at
(``tables.STAGES``), so the province shows every stage of handling at once."""
from __future__ import annotations

from datetime import timedelta

from .. import simulate, suggestions, tasks


def _assign_data(number: int, lead: str, co: list[str]) -> dict:
    key = number % 9 == 0
    data = {"mode": "lead_co", "lead_unit": lead, "co_units": co, "key_suggestion": key,
            "special_committee": "财政经济委员会" if key else ""}
    if key:
        data["supervising_leader"] = "leader"
    if number % 11 == 0:
        data = {"mode": "separate", "units": [lead, *co], "lead_unit": lead,
                "key_suggestion": False}
    elif number % 7 == 0:
        data = {"mode": "sole", "lead_unit": lead, "co_units": [], "key_suggestion": False}
    return data


def run_stage(session, engine, clock, commission, suggestion, stage, number, lead, co, meeting,
              now) -> None:
    instance = suggestion.instance_id
    if stage == "to_assign":
        return
    task = suggestions.assign_task(session, suggestion)
    clock.now = meeting
    tasks.complete(session, engine, commission, task.id, _assign_data(number, lead, co))
    if stage == "to_acknowledge":
        return
    if stage == "return_pending":
        simulate.drive(session, engine, instance, stop_at={"decide_return"}, answers={
            "acknowledge": {"decision": "request_return", "return_reason": "不属于本单位职能",
                            "suggested_unit": co[0] if co else "fgw"}})
        return
    # Later stages happen over the months after the meeting.
    clock.now = meeting + timedelta(days=20)
    if stage == "handling":
        simulate.drive(session, engine, instance, stop_at={"draft_reply", "co_opinion"})
        return
    if stage in ("in_review", "overdue", "long_overdue"):
        simulate.drive(session, engine, instance, stop_at={"review", "sign_off"} if stage ==
                       "in_review" else {"draft_reply"})
        if stage in ("overdue", "long_overdue"):
            clock.now = meeting + timedelta(days=100 if stage == "overdue" else 140)
        return
    if stage == "coordination_requested":
        simulate.drive(session, engine, instance, stop_at={"draft_reply"})
        simulate.complete_one(session, engine, instance, "draft_reply", {
            **simulate.ANSWERS["draft_reply"], "action": "request_coordination",
            "coordination_reason": "涉及多部门职能，需省领导协调"})
        return
    clock.now = meeting + timedelta(days=60)
    answer_class = "B" if stage == "follow_up" else rng_class(number)
    draft = {**simulate.ANSWERS["draft_reply"], "answer_class": answer_class,
             "doc_number": f"湘{lead}函〔2026〕{number}号"}
    stop = {"feedback", "co_feedback"} if stage == "awaiting_feedback" else \
        {"rehandle"} if stage == "rehandling" else \
        {"supervise_meeting"} if stage == "twice_dissatisfied" else \
        {"follow_up_report"} if stage == "follow_up" else set()
    dissatisfied = {"satisfaction": "dissatisfied", "comment": "答复未解决实际问题"}
    answers = {"draft_reply": draft, "rehandle": draft}
    if stage in ("rehandling", "twice_dissatisfied"):
        answers["feedback"] = dissatisfied
        answers["feedback_again"] = dissatisfied
    simulate.drive(session, engine, instance, stop_at=stop, answers=answers)


def rng_class(number: int) -> str:
    return "ACAD"[number % 4] if number % 5 else "A"

