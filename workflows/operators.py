"""The registry of service-task operators: the names the BPMN uses (docs/process.md) -> the
domain functions that write the records.

An operator gets the engine's OperatorCall (session, case, actor, time, task data) and the
parameters the BPMN names; what it returns becomes the service task's result variable. The
operators themselves live with their domain concept: assignments (交办, 签收, 分办, 办结),
returns (退回), handling (面商, 会办意见, 进展报告, 延期), replies (答复), feedback (反馈,
重新办理, 跟踪办理) and escalations (督办, 提请高位协调).
"""
from __future__ import annotations

from . import assignments, escalations, feedback, handling, intake, replies, returns

OPERATORS = {
    "record_assignment": assignments.record_assignment,
    "record_acknowledgement": assignments.record_acknowledgement,
    "record_co_acknowledgement": assignments.record_co_acknowledgement,
    "request_return": returns.request_return,
    "rule_return": returns.rule_return,
    "rule_co_return": returns.rule_co_return,
    "record_distribution": assignments.record_distribution,
    "record_consultation": handling.record_consultation,
    "record_co_opinion": handling.record_co_opinion,
    "record_progress_report": handling.record_progress_report,
    "record_extension": handling.record_extension,
    "record_coordination_request": escalations.record_coordination_request,
    "escalate": escalations.escalate,
    "issue_reply": replies.issue_reply,
    "record_feedback": feedback.record_feedback,
    "record_co_feedback": feedback.record_co_feedback,
    "record_merged_feedback": feedback.record_merged_feedback,
    "start_rehandling": feedback.start_rehandling,
    "record_follow_up": feedback.record_follow_up,
    "close_assignment": assignments.close_assignment,
    "close_case": assignments.close_case,
    **intake.OPERATORS,  # 代表提出建议 (bpmn/intake.bpmn)
}
