"""The reply letter of an issued reply, as a real .docx."""
from __future__ import annotations

import io

import docx
from sqlalchemy import select

from models import Reply
from workflows import simulate
from workflows.replies import reply_letter

from .helpers import Cases


def test_an_issued_reply_has_its_letter(db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new({"mode": "lead_co", "lead_unit": "transport", "co_units": ["finance"],
                           "key_suggestion": False})
    draft = {**simulate.ANSWERS["draft_reply"], "answer_class": "B",
             "doc_number": "湘交函〔2026〕7号", "answer_text": "一、已立项。\n\n二、明年开工。"}
    cases.drive(case, stop_at={"feedback", "co_feedback"}, answers={"draft_reply": draft})
    with db.session() as session:
        reply = session.scalars(select(Reply)).one()
        name, data = reply_letter(session, reply.id)
    assert name == "答复函-第001号.docx"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "关于十四届人大三次会议第001号建议的答复" in text
    assert "湘交函〔2026〕7号" in text and "B类" in text
    assert "省交通运输厅" in text and "王芳代表" in text
    assert "已立项" in text and "明年开工" in text
    assert "抄送：省人大常委会代表工作委员会，省人民政府办公厅" in text


def test_merged_suggestions_each_get_a_letter_for_their_own_deputy(db, domain_engine, org):
    from models import Suggestion
    from workflows.replies import addressees
    cases = Cases(db, domain_engine, org)
    # number 1; merged into the next one, it runs no case of its own (as in the bulk import)
    other = cases.register(deputy="李强", title="关于城际铁路站点设置的建议", start_case=False)
    sid, case = cases.new({"mode": "merged", "lead_unit": "transport", "co_units": [],
                           "merged_numbers": [1], "key_suggestion": False})
    cases.drive(case)
    with db.session() as session:
        merged = session.get(Suggestion, other)
        assert merged.merged_into_id == sid and merged.status == "closed"
        reply = session.scalars(select(Reply)).one()
        assert [s.id for s in addressees(session, reply)] == [sid, other]
        name, data = reply_letter(session, reply.id, other)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert name == "答复函-第001号.docx"
    assert "第001号建议的答复" in text and "李强代表" in text
