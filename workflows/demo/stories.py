"""The demo's particular cases, one story each: a re-handled reply sent back and re-signed, a key
suggestion with its mid-year report, a resolved escalation, a merged case (并案), and co-units
that went ahead of a lead unit that was later replaced."""
from __future__ import annotations

from datetime import timedelta

from models import Suggestion

from .. import deadlines, simulate, suggestions, tasks


def rehandled_and_re_signed(session, engine, clock, congress, commission, deputies, number,
                            meeting) -> None:
    """A re-handled reply that was sent back once by the reviewer, then reviewed, signed and
    rated satisfactory (重新办理后再次审核、签发). The unacknowledged overdue cases are the
    `to_acknowledge` stage's: their clock runs from the meeting."""
    suggestion = suggestions.register(
        session, engine, congress_session=congress, number=number,
        title="关于完善城乡公交一体化的建议", body="关于完善城乡公交一体化的建议。建议加大财政补贴。",
        field="交通", lead_deputy=deputies[0], co_signers=deputies[1:3], actor="commission")
    clock.now = meeting
    tasks.complete(session, engine, commission, suggestions.assign_task(session, suggestion).id,
                   {"mode": "sole", "lead_unit": "jtt", "co_units": [], "key_suggestion": False})
    clock.now = meeting + timedelta(days=50)
    first = {**simulate.ANSWERS["draft_reply"], "doc_number": f"湘jtt函〔2026〕{number}号"}
    again = {**simulate.DRAFT, "answer_class": "B", "doc_number": f"湘jtt函〔2026〕{number}-2号",
             "answer_text": "一、已重新调研，将城乡公交一体化列入明年计划。\n\n二、已安排专项补贴资金。"}
    simulate.drive(session, engine, suggestion.instance_id, stop_at={"feedback_again"}, answers={
        "draft_reply": first,
        "feedback": {"satisfaction": "dissatisfied", "comment": "答复未解决实际问题"},
        "rehandle": [{**again, "answer_text": "一、正在研究。"}, again],
        "review_again": [{"review_decision": "send_back", "review_reason": "答复过于简单，请补充措施"},
                         {"review_decision": "approve"}]})
    clock.now = meeting + timedelta(days=70)
    simulate.drive(session, engine, suggestion.instance_id, stop_at={"follow_up_report"})


def key_suggestion_with_midyear_report(session, engine, clock, commission, congress, deputy,
                                       number, meeting, now) -> Suggestion | None:
    """A key suggestion (重点处理建议) whose unit filed its mid-year progress report for the
    supervision meeting (督办推进会) — the supervising leader was told — and then replied, the
    leader approving the reply. It is assigned at the meeting, or 30 days before the report's
    task opens if the meeting came later in the year; none while the session's mid-year
    meeting is still ahead (a demo loaded in June for a session opened that January)."""
    opens = deadlines.report_open_at(session, "midyear", congress.year)
    if opens + timedelta(days=5) >= now:
        return None
    clock.now = min(meeting, opens - timedelta(days=30))
    suggestion = suggestions.register(
        session, engine, congress_session=congress, number=number,
        title="关于加快湘江流域水生态修复的建议", field="环境", lead_deputy=deputy,
        body="关于加快湘江流域水生态修复的建议。建议统筹规划、分段治理，加大省级资金支持。",
        actor="commission")
    tasks.complete(session, engine, commission, suggestions.assign_task(session, suggestion).id, {
        "mode": "sole", "lead_unit": "sthjt", "co_units": [], "key_suggestion": True,
        "supervising_leader": "leader", "special_committee": "环境与资源保护委员会"})
    instance = suggestion.instance_id
    simulate.drive(session, engine, instance, stop_at={"draft_reply"})
    clock.now = opens + timedelta(days=1)
    while engine.fire_due_timers(session, clock.now):  # the mid-year report's task opens
        pass
    simulate.complete_one(session, engine, instance, "midyear_report", {
        "progress": "已编制湘江干流生态修复实施方案，首批12个项目开工，完成投资3.2亿元。"})
    clock.now = opens + timedelta(days=5)
    simulate.drive(session, engine, instance, answers={"draft_reply": {
        **simulate.ANSWERS["draft_reply"], "doc_number": f"湘sthjt函〔{congress.year}〕{number}号"}})
    return suggestion


def resolved_escalation(session, engine, clock, commission, congress, deputy, number,
                        meeting) -> None:
    """A resolved escalation: the unit asked for high-level coordination (提请高位协调), the
    supervising leader recorded it a week later, and the unit went on to reply (workflows.escalations)."""
    clock.now = meeting - timedelta(days=5)
    suggestion = suggestions.register(
        session, engine, congress_session=congress, number=number,
        title="关于跨市域水污染联防联治的建议", body="关于跨市域水污染联防联治的建议。建议建立流域协调机制。",
        field="环境", lead_deputy=deputy, actor="commission")
    clock.now = meeting
    tasks.complete(session, engine, commission, suggestions.assign_task(session, suggestion).id,
                   {"mode": "sole", "lead_unit": "sthjt", "co_units": [], "key_suggestion": False})
    clock.now = meeting + timedelta(days=20)
    simulate.drive(session, engine, suggestion.instance_id, stop_at={"draft_reply"})
    simulate.complete_one(session, engine, suggestion.instance_id, "draft_reply", {
        **simulate.ANSWERS["draft_reply"], "action": "request_coordination",
        "coordination_reason": "涉及上下游多个设区市，需省领导协调"})
    clock.now = meeting + timedelta(days=27)
    simulate.complete_one(session, engine, suggestion.instance_id, "coordinate_requested",
                          {"coordination_note": "已召开流域协调会，明确各市责任"})
    clock.now = meeting + timedelta(days=45)
    simulate.drive(session, engine, suggestion.instance_id, stop_at={"feedback"},
                   answers={"draft_reply": {**simulate.ANSWERS["draft_reply"],
                                            "doc_number": f"湘sthjt函〔2026〕{number}号"}})


def merged_case(session, engine, clock, congress, commission, number, deputy, host_deputy,
                paper_deputy, meeting) -> None:
    """并案: two identical suggestions registered on their own (the demo `deputy`'s and the
    account-less deputy's) merged into a third when it is assigned. Their own cases closed as
    merged; the reply went out, the host's deputy rated it, and each merged deputy's rating
    waits: the demo deputy's in their inbox, the paper one in the commission's queue (代录)."""
    clock.now = meeting - timedelta(days=5)
    title = "关于城际铁路沿线站点设置的建议"
    merged = [suggestions.register(
        session, engine, congress_session=congress, number=number + i, title=title,
        body=f"{title}。建议在沿线县市增设站点。", field="交通", lead_deputy=lead,
        actor="commission") for i, lead in ((1, deputy), (2, paper_deputy))]
    host = suggestions.register(
        session, engine, congress_session=congress, number=number + 3,
        title="关于城际铁路沿线设站的建议", body="关于城际铁路沿线设站的建议。建议统筹规划站点。",
        field="交通", lead_deputy=host_deputy, actor="commission")
    clock.now = meeting
    tasks.complete(session, engine, commission, suggestions.assign_task(session, host).id, {
        "mode": "merged", "lead_unit": "jtt", "co_units": ["fgw"], "key_suggestion": False,
        "merged_numbers": [s.number for s in merged]})
    clock.now = meeting + timedelta(days=60)
    simulate.drive(session, engine, host.instance_id, stop_at={"merged_feedback"}, answers={
        "draft_reply": {**simulate.ANSWERS["draft_reply"], "answer_class": "B",
                        "doc_number": f"湘jtt函〔2026〕{host.number}号"}})


def co_units_ahead_of_the_lead(session, engine, clock, commission, congress, deputy, number,
                               meeting) -> None:
    """Co-units start at assignment (issue 14 item 2): 省发改委 gave its opinion while the lead
    unit had not acknowledged; the lead unit's return was granted and the case reassigned to
    住建厅, which now acknowledges; 财政厅, acknowledged before, still owes its opinion and did
    not acknowledge again; 发改委's opinion stands for the new lead unit."""
    clock.now = meeting - timedelta(days=5)
    title = "关于推进城际铁路站城融合开发的建议"
    suggestion = suggestions.register(
        session, engine, congress_session=congress, number=number, title=title,
        body=f"{title}。建议统筹站点周边土地开发。", field="交通", lead_deputy=deputy,
        actor="commission")
    instance = suggestion.instance_id
    clock.now = meeting
    tasks.complete(session, engine, commission, suggestions.assign_task(session, suggestion).id,
                   {"mode": "lead_co", "lead_unit": "jtt", "co_units": ["fgw", "czt"],
                    "key_suggestion": False})
    clock.now = meeting + timedelta(days=3)
    for step, answer in (("co_acknowledge", {"co_decision": "acknowledge"}),
                         ("co_opinion", {"opinion": "建议将站城融合纳入省级重点项目统筹推进。"})):
        simulate.complete_one(session, engine, instance, step, answer, unit="fgw")
    simulate.complete_one(session, engine, instance, "co_acknowledge",
                          {"co_decision": "acknowledge"}, unit="czt")
    clock.now = meeting + timedelta(days=5)
    simulate.complete_one(session, engine, instance, "acknowledge", {
        "decision": "request_return", "return_reason": "站城融合开发属住房城乡建设职能",
        "suggested_unit": "zjt"})
    clock.now = meeting + timedelta(days=8)
    simulate.complete_one(session, engine, instance, "decide_return", {
        "return_decision": "reassign", "new_unit": "zjt", "ruling_note": "同意改交住建厅主办"})
