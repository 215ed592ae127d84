"""Deputies submit suggestions online (bpmn/intake.bpmn): every path of the process."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import FormError
from models import AuditEvent, Notification, ProcessInstance, Suggestion
from workflows import intake

from .intake_helpers import Intake


@pytest.fixture
def flow(db, domain_engine, org):
    return Intake(db, domain_engine, org)


def _suggestions(db):
    with db.session() as s:
        return [(x.number, x.title, x.lead_deputy.name, sorted(d.name for d in x.co_signers),
                 x.from_research, x.instance_id is not None)
                for x in s.scalars(select(Suggestion))]


def _actions(db, case):
    with db.session() as s:
        return [a for a in s.scalars(select(AuditEvent.action).where(
            AuditEvent.instance_id == case, AuditEvent.action.like("intake_%")))]


def test_accept_registers_with_the_confirmed_co_signer_and_starts_the_case(flow, db):
    case = flow.start()
    flow.draft(case, "invite", co=["李强"])
    assert [t.assignee for t in flow.ready(case, intake.COSIGN)] == [flow.user("李强")]
    flow.answer(case, "李强", "confirmed")
    flow.draft(case, "submit", co=["李强"])
    flow.review(case, "accept")
    assert _suggestions(db) == [(1, "关于加快城际铁路建设的建议", "王芳", ["李强"], True, True)]
    with db.session() as s:
        suggestion = s.scalars(select(Suggestion)).one()
        assert s.get(ProcessInstance, suggestion.instance_id).process_id == "suggestion"
        assert s.get(ProcessInstance, case).status == "completed"
    assert _actions(db, case) == ["intake_cosign", "intake_registered"]


def test_return_then_resubmit(flow, db, domain_engine):
    case = flow.start()
    flow.draft(case, "submit")
    flow.review(case, "return", "请补充调研数据")
    [draft] = flow.ready(case, intake.DRAFT)
    with db.session() as s:
        view = intake.draft_view(s, domain_engine, draft)
        assert view["returned"]["reason"] == "请补充调研数据"
        assert intake.prefill(s, domain_engine, draft)["title"] == "关于加快城际铁路建设的建议"
    flow.draft(case, "submit", title="关于加快城际铁路建设的建议（修改稿）")
    flow.review(case, "accept")
    assert [row[1] for row in _suggestions(db)] == ["关于加快城际铁路建设的建议（修改稿）"]
    assert _actions(db, case) == ["intake_returned", "intake_registered"]


def test_convert_ends_the_case_and_tells_the_deputy(flow, db):
    case = flow.start()
    flow.draft(case, "submit")
    flow.review(case, "convert", "属于意见性质")
    assert _suggestions(db) == []
    with db.session() as s:
        assert s.get(ProcessInstance, case).status == "completed"
        [notice] = s.scalars(select(Notification).where(
            Notification.username == flow.user("王芳"), Notification.kind == "reply"))
        assert "属于意见性质" in notice.message
    assert _actions(db, case) == ["intake_converted"]


def test_a_decliner_is_taken_off_and_blocks_nothing_once_removed(flow, db, domain_engine):
    case = flow.start()
    flow.draft(case, "invite", co=["李强", "张伟"])
    flow.answer(case, "李强", "confirmed")
    flow.answer(case, "张伟", "declined")
    [draft] = flow.ready(case, intake.DRAFT)
    with db.session() as s:
        assert intake.prefill(s, domain_engine, draft)["co_signers"] == [flow.id("李强")]
        assert {r["name"]: r["answer"] for r in intake.draft_view(
            s, domain_engine, draft)["cosign"]} == {"李强": "confirmed", "张伟": "declined"}
    with pytest.raises(FormError) as refused:  # still listed: submit is refused, naming him
        flow.draft(case, "submit", co=["李强", "张伟"])
    assert "张伟" in refused.value.errors["action"]
    flow.draft(case, "submit", co=["李强"])
    flow.review(case, "accept")
    assert _suggestions(db)[0][3] == ["李强"]


def test_editing_the_text_after_confirmation_asks_again(flow, db):
    case = flow.start()
    flow.draft(case, "invite", co=["李强"])
    flow.answer(case, "李强", "confirmed")
    with pytest.raises(FormError) as refused:
        flow.draft(case, "submit", co=["李强"], title="另一个标题的建议")
    assert "李强" in refused.value.errors["action"]
    flow.draft(case, "invite", co=["李强"], title="另一个标题的建议")
    assert len(flow.ready(case, intake.COSIGN)) == 1


@pytest.mark.parametrize("data, field", [
    ({"field": "不存在的领域"}, "field"),
    ({"co_signers": ["999999"]}, "co_signers"),
    ({"co_signers": ["abc"]}, "co_signers"),
    ({"title": "x" * 300}, "title"),
])
def test_hostile_drafts_are_refused(flow, data, field):
    case = flow.start()
    with pytest.raises(FormError) as refused:
        flow.draft(case, "submit", **data)
    assert field in refused.value.errors


def test_the_lead_cannot_co_sign_and_invite_needs_someone_to_ask(flow):
    case = flow.start()
    with pytest.raises(FormError) as refused:
        flow.draft(case, "invite", co=["王芳"])
    assert "co_signers" in refused.value.errors
    with pytest.raises(FormError) as refused:
        flow.draft(case, "invite")
    assert "action" in refused.value.errors


def test_return_and_convert_need_a_reason(flow):
    case = flow.start()
    flow.draft(case, "submit")
    for decision in ("return", "convert"):
        with pytest.raises(FormError) as refused:
            flow.review(case, decision)
        assert "reason" in refused.value.errors


def test_only_deputies_with_a_record_start(flow, db, domain_engine):
    from models import User
    from workflows.errors import DomainError
    with db.write() as s:
        commission = s.scalar(select(User).where(User.username == "commission"))
        with pytest.raises(DomainError):
            intake.start_draft(s, domain_engine, commission)
