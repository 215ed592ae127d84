"""Re-handling (重新办理) after 不满意: the new reply is reviewed and signed like the first one."""
from __future__ import annotations

import io

import docx
import pytest

from models import AuditEvent, Reply
from workflows import simulate
from workflows.errors import PermissionDenied
from workflows.replies import reply_letter

from .test_process import DISSATISFIED, SOLE, cases, rows  # noqa: F401 (cases: fixture)

NEW_DRAFT = {**simulate.DRAFT, "answer_class": "B", "doc_number": "湘交函〔2026〕99号",
             "answer_text": "一、重新调研后已列入明年计划。\n\n二、已安排专项资金。"}


def _at_rehandle(cases, assign=SOLE):
    sid, case = cases.new(assign)
    cases.drive(case, stop_at={"feedback"})
    cases.complete("dep_1", case, "feedback", DISSATISFIED)
    assert set(cases.tasks(case)) == {"rehandle"}
    return sid, case


def _decisions(cases, case, *bpmn_ids):
    events = rows(cases, AuditEvent, AuditEvent.action == "complete",
                  AuditEvent.instance_id == case, AuditEvent.bpmn_id.in_(bpmn_ids))
    return [(e.bpmn_id, e.actor, e.detail["data"].get("review_decision") or
             e.detail["data"].get("sign_decision") or e.detail["data"].get("leader_decision"))
            for e in events]


def test_a_rehandled_reply_is_reviewed_and_signed_by_the_units_heads(cases):
    sid, case = _at_rehandle(cases)
    cases.complete("transport_unit_handler", case, "rehandle", NEW_DRAFT)
    [review] = cases.tasks(case)["review_again"]
    assert (review.candidate_role, review.candidate_unit) == ("reviewer", "transport")
    assert len(rows(cases, Reply)) == 1  # nothing leaves the unit before it is signed
    for who in ("transport_unit_handler", "transport_signer", "finance_reviewer"):
        with pytest.raises(PermissionDenied):
            cases.complete(who, case, "review_again", {"review_decision": "approve"})

    # the reviewer and then the signer may send the new draft back, as in the first round
    cases.complete("transport_reviewer", case, "review_again",
                   {"review_decision": "send_back", "review_reason": "请补充资金来源"})
    assert set(cases.tasks(case)) == {"rehandle"}
    cases.complete("transport_unit_handler", case, "rehandle", NEW_DRAFT)
    cases.complete("transport_reviewer", case, "review_again", {"review_decision": "approve"})
    [sign] = cases.tasks(case)["sign_off_again"]
    assert (sign.candidate_role, sign.candidate_unit) == ("signer", "transport")
    with pytest.raises(PermissionDenied):
        cases.complete("transport_reviewer", case, "sign_off_again", {"sign_decision": "approve"})
    cases.complete("transport_signer", case, "sign_off_again",
                   {"sign_decision": "send_back", "sign_reason": "措辞需修改"})
    assert set(cases.tasks(case)) == {"rehandle"}
    assert len(rows(cases, Reply)) == 1
    cases.complete("transport_unit_handler", case, "rehandle", NEW_DRAFT)
    cases.complete("transport_reviewer", case, "review_again", {"review_decision": "approve"})
    cases.complete("transport_signer", case, "sign_off_again", {"sign_decision": "approve"})

    assert set(cases.tasks(case)) == {"feedback_again"}
    assert [r.round for r in rows(cases, Reply)] == [1, 2]
    assert _decisions(cases, case, "review_again", "sign_off_again") == [
        ("review_again", "transport_reviewer", "send_back"),
        ("review_again", "transport_reviewer", "approve"),
        ("sign_off_again", "transport_signer", "send_back"),
        ("review_again", "transport_reviewer", "approve"),
        ("sign_off_again", "transport_signer", "approve")]
    assert cases.drive(case) == set()


def test_a_rehandled_key_suggestion_goes_to_the_leader_again(cases):
    sid, case = _at_rehandle(cases, {**SOLE, "key_suggestion": True,
                                     "supervising_leader": "leader"})
    cases.drive(case, stop_at={"leader_review_again"}, answers={"rehandle": NEW_DRAFT})
    [review] = cases.tasks(case)["leader_review_again"]
    assert review.assignee == "leader"
    assert len(rows(cases, Reply)) == 1
    cases.complete("leader", case, "leader_review_again",
                   {"leader_decision": "send_back", "leader_note": "请进一步协调"})
    assert set(cases.tasks(case)) == {"rehandle"}
    cases.drive(case, stop_at={"feedback_again"}, answers={"rehandle": NEW_DRAFT})
    assert [d[0] for d in _decisions(cases, case, "review_again", "sign_off_again",
                                     "leader_review_again")] == [
        "review_again", "sign_off_again", "leader_review_again",
        "review_again", "sign_off_again", "leader_review_again"]
    assert [r.round for r in rows(cases, Reply)] == [1, 2]


def test_the_second_reply_letter_carries_the_new_draft_as_signed(cases, db):
    sid, case = _at_rehandle(cases)
    # the reviewer sends the first re-drafted reply back; the letter carries the corrected one
    rejected = {**NEW_DRAFT, "doc_number": "湘交函〔2026〕98号", "answer_text": "一、仍在研究。"}
    cases.drive(case, stop_at={"feedback_again"}, answers={
        "rehandle": [rejected, NEW_DRAFT],
        "review_again": [{"review_decision": "send_back", "review_reason": "答复过于简单"},
                         {"review_decision": "approve"}]})
    first, second = rows(cases, Reply)
    assert (second.round, second.answer_class, second.doc_number) == (2, "B", "湘交函〔2026〕99号")
    with db.session() as session:
        texts = ["\n".join(p.text for p in docx.Document(io.BytesIO(
            reply_letter(session, reply.id)[1])).paragraphs) for reply in (first, second)]
    assert "湘交函〔2026〕99号" in texts[1] and "B类" in texts[1]
    assert "重新调研后已列入明年计划" in texts[1]
    assert "仍在研究" not in texts[1] and "98号" not in texts[1]
    assert simulate.DRAFT["doc_number"] in texts[0] and "重新调研" not in texts[0]
