"""The online submission pages (提出建议): a deputy drafts on the task page with the side panel,
the commission reviews; hostile parameters are refused with what was typed kept."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import HumanTask, Suggestion
from workflows import intake

from ..workflows.helpers import Cases
from ..workflows.intake_helpers import BODY, Intake

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def flow(db, domain_engine, org):
    return Intake(db, domain_engine, org)


def _draft_task(db, case):
    with db.session() as s:
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == case,
                                                   HumanTask.bpmn_id == intake.DRAFT,
                                                   HumanTask.state == "ready"))


def _form(co=(), **extra):
    return {"title": "关于加快城际铁路建设的建议", "field": "交通", "body": BODY,
            "from_research": "on", "co_signers": list(co), "action": "submit",
            "_action": "complete", **extra}


def test_a_deputy_starts_drafts_saves_and_submits(flow, login_as, db):
    deputy = login_as(flow.user("王芳"))
    assert "撰写新建议" in deputy.get("/intake").get_data(as_text=True)
    started = deputy.post("/intake/new")
    assert started.status_code == 302 and "/tasks/" in started.headers["Location"]
    page = deputy.get(started.headers["Location"]).get_data(as_text=True)
    assert 'id="intake-similar"' in page and "intake.js" in page and "<script>" not in page
    task_id = started.headers["Location"].rsplit("/", 1)[1]
    saved = deputy.post(f"/tasks/{task_id}", _form(_action="save", title="半成品标题"))
    assert saved.status_code == 302
    assert "半成品标题" in deputy.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert deputy.post(f"/tasks/{task_id}", _form()).status_code == 302
    listing = deputy.get("/intake").get_data(as_text=True)
    assert "等待代表工委立案审查" in listing and "关于加快城际铁路建设的建议" in listing


def test_a_returned_draft_opens_with_the_text_and_the_reason(flow, login_as, db):
    case = flow.start()
    flow.draft(case, "submit", title="第一稿的建议")
    flow.review(case, "return", "请补充调研数据")
    page = login_as(flow.user("王芳")).get(f"/tasks/{_draft_task(db, case)}").get_data(as_text=True)
    assert "请补充调研数据" in page and "第一稿的建议" in page


def test_another_deputys_draft_is_not_reachable(flow, login_as, db):
    case = flow.start("王芳")
    task_id = _draft_task(db, case)
    other = login_as(flow.user("李强"))
    assert other.get(f"/tasks/{task_id}").status_code == 403
    assert other.post(f"/tasks/{task_id}", _form()).status_code == 403
    assert "关于" not in other.get("/intake").get_data(as_text=True).split("<tbody>")[1]
    assert _draft_task(db, case) == task_id  # still open, untouched


@pytest.mark.parametrize("change, field", [
    ({"title": "长" * 300}, "title"),
    ({"body": "长" * 20001}, "body"),
    ({"field": "no-such-field"}, "field"),
    ({"co_signers": ["99999"]}, "co_signers"),
    ({"co_signers": ["x'; drop table"]}, "co_signers"),
    ({"action": "publish"}, "action"),
])
def test_hostile_drafts_are_refused_keeping_what_was_typed(flow, login_as, db, change, field):
    case = flow.start()
    task_id = _draft_task(db, case)
    deputy = login_as(flow.user("王芳"))
    refused = deputy.post(f"/tasks/{task_id}", _form(**change))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "城际铁路" in page  # the rest of what was typed is kept
    assert _draft_task(db, case) == task_id


def test_assist_returns_similar_suggestions_with_their_replies_and_hints(flow, login_as, db,
                                                                        domain_engine, org):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE, title="关于加快城际铁路建设的建议")
    cases.drive(case, stop_at={"feedback"})
    deputy = login_as(flow.user("李强"))
    deputy.get("/intake")
    found = deputy.http.post("/intake/assist", data={"title": "关于城际铁路建设的建议",
                                                      "body": "路不好走"},
                             headers={"X-CSRFToken": deputy.token}).get_json()
    [first, *_rest] = found["similar"]
    assert first["title"] == "关于加快城际铁路建设的建议"
    assert first["replies"] and first["replies"][0]["answer_class"] in "ABCD"
    assert [h["code"] for h in found["hints"]] == ["no_research", "no_ask", "too_short"]


@pytest.mark.parametrize("data", [{"title": "长" * 300}, {"body": "长" * 20001},
                                  {"title": "a\x00b"}, {"title": "第一行\n第二行"}])
def test_assist_refuses_hostile_text(flow, login_as, data):
    deputy = login_as(flow.user("王芳"))
    deputy.get("/intake")
    response = deputy.http.post("/intake/assist", data=data,
                                headers={"X-CSRFToken": deputy.token})
    assert response.status_code == 400 and "error" in response.get_json()


def test_assist_needs_the_csrf_token(flow, login_as):
    deputy = login_as(flow.user("王芳"))
    assert deputy.http.post("/intake/assist", data={"title": "x"}).status_code == 400


def test_the_commission_accepts_and_the_suggestion_is_in_cases(flow, login_as, db):
    case = flow.start()
    flow.draft(case, "invite", co=["李强"])
    flow.answer(case, "李强", "confirmed")
    flow.draft(case, "submit", co=["李强"])
    commission = login_as("commission")
    with db.session() as s:
        review = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == case,
                                                     HumanTask.bpmn_id == intake.REVIEW))
    page = commission.get(f"/tasks/{review}").get_data(as_text=True)
    assert "李强" in page and "关于加快城际铁路建设的建议" in page
    refused = commission.post(f"/tasks/{review}", {"decision": "return", "_action": "complete"})
    assert refused.status_code == 400
    done = commission.post(f"/tasks/{review}", {"decision": "accept", "_action": "complete"})
    assert done.status_code == 302
    with db.session() as s:
        suggestion = s.scalars(select(Suggestion)).one()
    assert "关于加快城际铁路建设的建议" in commission.get("/cases").get_data(as_text=True)
    assert "李强" in commission.get(f"/cases/{suggestion.id}").get_data(as_text=True)
