"""办理结果公开: review, masking, withholding, withdrawal and the public search (workflows)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, Deputy, Publication, PublicationIndex, Reply
from workflows import public_search, publication, simulate
from workflows.public_search import Filters

from .helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
TEXT = ("一、王芳代表提出的城际铁路建议已纳入规划。\n二、经办人李强，手机13812345678，"
        "邮箱li.qiang@example.cn。\n三、联系人刘芳，电话0731-88880000。湘交函〔2025〕12号。")


@pytest.fixture
def replied(db, domain_engine, org):
    """Drives a case to the deputy's feedback with a reply of `text`; returns the reply id."""
    cases = Cases(db, domain_engine, org)

    def make(text=TEXT, publish=True, title="关于加快城际铁路建设的建议"):
        _sid, case = cases.new(SOLE, title=title)
        draft = {**simulate.DRAFT, "answer_text": text, "publish": publish, "action": "submit"}
        cases.drive(case, stop_at={"feedback"}, answers={"draft_reply": draft})
        with db.session() as s:
            return s.scalars(select(Reply.id).order_by(Reply.id.desc())).first()
    return make


def public(db, query="", **filters):
    with db.session() as s:
        return public_search.search(s, query, Filters(**filters))


def test_approve_publishes_the_masked_text_only_and_keeps_the_reply(db, domain_engine, org, replied):
    reply_id = replied()
    now = domain_engine.clock()
    with db.write() as s:
        data = publication.review(s, reply_id)
        kinds = {(c.finding.kind, c.finding.text) for c in data.choices}
        assert {("name", "王芳"), ("name", "李强"), ("mobile", "13812345678"),
                ("email", "li.qiang@example.cn"), ("name", "刘芳")} <= kinds
        assert ("landline", "0731-88880000") in kinds
        assert not any("2025" in text for _kind, text in kinds)  # the document number
        publication.approve(s, reply_id, [c.index for c in data.choices], None,
                            actor="commission", now=now)
    with db.session() as s:
        reply = s.get(Reply, reply_id)
        assert reply.answer_text == TEXT  # never changed
        shown = s.scalar(select(Publication.public_text))
        audit = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "publication_approved")).one()
    for secret in ("王芳", "李强", "13812345678", "li.qiang@example.cn", "刘芳", "0731-88880000"):
        assert secret not in shown
    assert "138******78" in shown and "王某" in shown and "湘交函〔2025〕12号" in shown
    assert audit.actor == "commission" and audit.instance_id is not None
    assert audit.detail["reply_id"] == reply_id and audit.detail["published_as_typed"] == []
    results, total = public(db, "城际")
    assert total == 1 and results[0].public_text == shown


def test_an_unticked_finding_is_published_as_typed_but_contacts_never(db, domain_engine, org, replied):
    reply_id = replied()
    with db.write() as s:
        publication.approve(s, reply_id, [], TEXT + "\n补充：刘芳 0731-88880000",
                            actor="commission", now=domain_engine.clock())
    with db.session() as s:
        shown = s.scalar(select(Publication.public_text))
        audit = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "publication_approved")).one()
    assert "13812345678" in shown and "李强" in shown  # the commission's choice...
    assert {"kind": "mobile", "text": "13812345678"} in audit.detail["published_as_typed"]
    assert audit.detail["edited"] is True
    assert "刘芳" not in shown and "0731-88880000" not in shown  # ...but never the contact


def test_a_deputys_phone_is_always_masked(db, domain_engine, org, replied):
    with db.write() as s:
        s.get(Deputy, org.deputies["王芳"]).phone = "13900001111"
    reply_id = replied(text="已与代表电话13900001111沟通。")
    with db.write() as s:
        publication.approve(s, reply_id, [], None, actor="commission", now=domain_engine.clock())
    [result], _total = public(db, "沟通")
    assert "13900001111" not in result.public_text


def test_withhold_withdraw_and_publish_again(db, domain_engine, org, replied):
    reply_id = replied()
    clock = domain_engine.clock
    with db.write() as s:
        assert [r.id for r, _s, _u in publication.queue(s)] == [reply_id]
        publication.withhold(s, reply_id, "涉及在建项目", actor="commission", now=clock())
        assert publication.queue(s) == []
    assert public(db, "城际")[1] == 0
    with db.write() as s:
        publication.approve(s, reply_id, [0], None, actor="commission", now=clock())
    assert public(db, "城际")[1] == 1 and public(db, "城际铁路")[1] == 1
    with db.write() as s:
        publication.withdraw(s, reply_id, "代表要求撤回", actor="commission", now=clock())
    assert public(db, "城际")[1] == 0 and public(db)[1] == 0
    with db.session() as s:
        assert {public_search.decode(b) for b in s.scalars(select(PublicationIndex.bits))} == {0}
    with db.write() as s:
        publication.approve(s, reply_id, [0], None, actor="commission", now=clock())
    assert public(db, "城际")[1] == 1
    with db.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("publication_%")).order_by(AuditEvent.id)).all()
        reasons = s.scalars(select(AuditEvent.detail).where(
            AuditEvent.action.in_(["publication_withheld", "publication_withdrawn"]))).all()
    assert actions == ["publication_withheld", "publication_approved", "publication_withdrawn",
                       "publication_approved"]
    assert [r["reason"] for r in reasons] == ["涉及在建项目", "代表要求撤回"]


def test_refusals(db, domain_engine, org, replied):
    reply_id = replied()
    hidden = replied(publish=False, title="关于另一件事的建议")
    clock = domain_engine.clock
    with db.write() as s:
        for call in (lambda: publication.review(s, hidden),
                     lambda: publication.approve(s, hidden, [], None, actor="c", now=clock()),
                     lambda: publication.withhold(s, reply_id, "", actor="c", now=clock()),
                     lambda: publication.withdraw(s, reply_id, "理由", actor="c", now=clock()),
                     lambda: publication.approve(s, reply_id, [], "x" * 20_001, actor="c",
                                                 now=clock())):
            try:
                call()
            except publication.DomainError:
                continue
            raise AssertionError("not refused")
        publication.approve(s, reply_id, [], None, actor="c", now=clock())
        try:
            publication.approve(s, reply_id, [], None, actor="c", now=clock())
            raise AssertionError("published twice")
        except publication.DomainError:
            pass
    with db.session() as s:
        assert [r.id for r, _s, _u in publication.queue(s)] == []  # not marked: never queued
    assert public(db, "另一")[1] == 0


def test_search_words_filters_and_phrases(db, domain_engine, org, replied):
    first = replied(text="已将道路交通安全纳入计划。")
    second = replied(text="交通道路改造已完成。", title="关于乡村公路的建议")
    with db.write() as s:
        for rid in (first, second):
            publication.approve(s, rid, [], None, actor="commission", now=domain_engine.clock())
    assert public(db, "道路")[1] == 2 and public(db, "交通")[1] == 2
    assert [r.title for r in public(db, "道路交通")[0]] == ["关于加快城际铁路建设的建议"]
    assert public(db, "乡村 改造")[1] == 1 and public(db, "公路")[1] == 1  # the title too
    assert public(db, "道路", field="交通")[1] == 2 and public(db, "道路", field="教育")[1] == 0
    assert public(db, "道路", unit_id=10**6)[1] == 0
    with db.session() as s:
        unit = s.get(Reply, first).assignment.unit.name
    assert public(db, unit[1:5])[1] == 2  # the unit's name finds its replies (交通运输 …)
    assert public(db, "道路", congress_session_id=org.congress_session_id)[1] == 2
    assert public_search.query_problem("a") and public_search.query_problem("字" * 41)
    assert public_search.query_problem("道路 交通") is None
