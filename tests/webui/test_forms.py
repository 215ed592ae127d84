"""Task forms keep what the user meant: buttons no field can answer, every ticked checkbox,
formats checked, the draft beside the decision, uploads that keep the typed form."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from models import Assignment, Attachment, HumanTask, Suggestion, TaskDraft, Unit

from ..workflows.helpers import Cases
from .test_pages import SOLE

DRAFT = {"answer_class": "B", "doc_number": "湘交函〔2026〕88号",
         "answer_text": "一、已列入明年计划。\n\n二、分两期实施。", "contact_person": "刘芳",
         "contact_phone": "0731-88880000", "action": "submit"}


def _ready(cases, case, step):
    [task] = cases.tasks(case)[step]
    return task


def test_save_draft_with_next_step_submit_saves_and_does_not_submit(login_as, db, domain_engine,
                                                                   org):
    """答复拟稿: the schema's `action` field (下一步 = 提交审核) never answers which button was
    pressed; 暂存 keeps the draft and the task stays at the drafter."""
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    task = _ready(cases, case, "draft_reply")
    handler = login_as("transport_unit_handler")
    page = handler.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'name="_action" value="save"' in page and 'name="action" value="submit"' in page
    assert 'id="draft-letter"' not in page  # the drafter writes it; approvers read the letter
    saved = handler.post(f"/tasks/{task.id}", {**DRAFT, "_action": "save"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/tasks/{task.id}")
    assert set(cases.tasks(case)) == {"draft_reply"}
    with db.session() as s:
        assert s.get(TaskDraft, (task.id, "transport_unit_handler")).data["action"] == "submit"
    done = handler.post(f"/tasks/{task.id}", {**DRAFT, "_action": "complete"})
    assert done.status_code == 302 and "review" in cases.tasks(case)


def _assign(login_as, cases, data):
    sid = cases.register()
    task = _ready(cases, cases.case(sid), "assign")
    commission = login_as("commission")
    return sid, commission.post(f"/tasks/{task.id}", {"_action": "complete", **data})


def _units(db, sid):
    with db.session() as s:
        return s.execute(select(Assignment.role, Unit.code).join(Unit).where(
            Assignment.suggestion_id == sid).order_by(Assignment.id)).all()


def test_every_ticked_unit_is_kept_in_order(login_as, db, domain_engine, org):
    """主办+会办 with two co-units keeps both; 分办 to three units assigns three."""
    cases = Cases(db, domain_engine, org)
    sid, response = _assign(login_as, cases, {"mode": "lead_co", "lead_unit": "transport",
                                               "co_units": ["finance", "water"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _units(db, sid) == [("lead", "transport"), ("co", "finance"), ("co", "water")]
    sid, response = _assign(login_as, cases, {"mode": "separate",
                                               "units": ["education", "finance", "water"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [code for _role, code in _units(db, sid)] == ["education", "finance", "water"]
    with db.session() as s:
        assert s.get(Suggestion, sid).mode == "separate"


def test_ticked_values_are_deduplicated_and_checked_against_the_choices(login_as, db,
                                                                        domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, response = _assign(login_as, cases, {"mode": "separate",
                                               "units": ["water", "finance", "water"]})
    assert response.status_code == 302
    assert [code for _role, code in _units(db, sid)] == ["water", "finance"]
    sid, response = _assign(login_as, cases, {"mode": "separate",
                                               "units": ["water", "nowhere"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-field="units"' in html
    assert "请选择列表中的一项" in html and _units(db, sid) == []


def test_a_date_in_another_format_is_refused_beside_its_field_as_typed(login_as, db,
                                                                       domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"consult"})
    task = _ready(cases, case, "consult")
    handler = login_as("transport_unit_handler")
    bad = handler.post(f"/tasks/{task.id}", {
        "_action": "complete", "consulted_on": "2026年12月3日", "consultation_form": "phone",
        "participants": "王处长", "deputy_view": "同意"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'value="2026年12月3日"' in html
    assert "YYYY-MM-DD" in html.split('data-field="consulted_on"')[1].split("</div>")[0]
    assert "consult" in cases.tasks(case)


def test_the_engine_refuses_a_date_in_another_format(db, domain_engine, org):
    """Every path (the web, the simulator, imports) validates formats, not only the date input."""
    from engine import FormError
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"consult"})
    with pytest.raises(FormError) as err:
        cases.complete("transport_unit_handler", case, "consult", {
            "consulted_on": "2026年12月3日", "consultation_form": "phone",
            "participants": "王处长", "deputy_view": "同意"})
    assert "consulted_on" in err.value.errors


@pytest.mark.parametrize("step, username, key", [
    ("review", "transport_reviewer", False), ("sign_off", "transport_signer", False),
    ("leader_review", "leader", True)])
def test_reviewer_and_signer_see_the_letter_they_approve(login_as, db, domain_engine, org, step,
                                                        username, key):
    cases = Cases(db, domain_engine, org)
    assign = {**SOLE, "key_suggestion": key, **({"supervising_leader": "leader"} if key else {})}
    sid, case = cases.new(assign)
    cases.drive(case, stop_at={"draft_reply"})
    cases.complete("transport_unit_handler", case, "draft_reply", DRAFT)
    cases.drive(case, stop_at={step})
    task = _ready(cases, case, step)
    page = login_as(username).get(f"/tasks/{task.id}").get_data(as_text=True)
    letter = page.split('id="draft-letter"')[1].split("</section>")[0]
    for text in ("B类", "湘交函〔2026〕88号", "关于十四届人大三次会议第001号建议的答复",
                 "一、", "已列入明年计划。", "二、", "分两期实施。", "王芳代表：", "省交通运输厅",
                 "联系人：刘芳", "0731-88880000"):
        assert text in letter, text


def test_upload_keeps_what_was_typed(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    task = _ready(cases, case, "draft_reply")
    handler = login_as("transport_unit_handler")
    page = handler.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'form="task-form"' in page and 'name="_file"' in page
    response = handler.post(f"/tasks/{task.id}/attachments", {
        **DRAFT, "_action": "upload", "_file": (io.BytesIO(b"%PDF-1.4 plan"), "plan.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    html = handler.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "湘交函〔2026〕88号" in html and "分两期实施。" in html and "plan.pdf" in html
    with db.session() as s:
        assert s.scalar(select(Attachment.filename)) == "plan.pdf"
        assert s.get(HumanTask, task.id).state == "ready"  # uploading never submits


def test_upload_with_a_typing_error_shows_it_again_as_typed(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"consult"})
    task = _ready(cases, case, "consult")
    handler = login_as("transport_unit_handler")
    handler.get(f"/tasks/{task.id}")
    response = handler.post(f"/tasks/{task.id}/attachments", {
        "_action": "upload", "participants": "王处长\x00", "deputy_view": "认可",
        "_file": (io.BytesIO(b"minutes"), "minutes.txt")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "认可" in html and "minutes.txt" in html
