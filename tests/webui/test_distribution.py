"""分办 from the web: an unknown division is refused with its name, the form kept."""
from __future__ import annotations

from sqlalchemy import select

from models import Assignment, HumanTask

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def test_the_web_form_names_the_unknown_division(login_as, db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"distribute"})
    [task] = cases.tasks(case)["distribute"]
    handler = login_as("transport_unit_handler")
    handler.get(f"/tasks/{task.id}")
    refused = handler.post(f"/tasks/{task.id}", {"action": "complete",
                                                 "lead_division": "不存在处"})
    assert refused.status_code == 400 and "不存在处" in refused.get_data(as_text=True)
    with db.session() as s:
        assert s.get(HumanTask, task.id).state == "ready"
    assert cases.read(lambda s: s.scalars(select(Assignment).where(
        Assignment.suggestion_id == sid)).one().lead_division_id) is None


def test_an_extension_asked_for_after_the_deadline_is_refused_beside_the_field_as_typed(
        login_as, db, domain_engine, org, clock):
    """The reply deadline passing while the draft sits: the request for an extension is
    refused beside 下一步, the reason typed is kept, the case stays at its draft."""
    from datetime import timedelta
    from workflows import simulate
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    [task] = cases.tasks(case)["draft_reply"]
    due = cases.read(lambda s: s.scalars(select(Assignment.reply_due).where(
        Assignment.suggestion_id == sid)).one())
    clock.now = due + timedelta(days=1)
    handler = login_as("transport_unit_handler")
    handler.get(f"/tasks/{task.id}")
    answer = {key: value for key, value in simulate.ANSWERS["draft_reply"].items()
              if isinstance(value, str)}
    refused = handler.post(f"/tasks/{task.id}", {
        **answer, "_action": "complete", "action": "request_extension",
        "extension_reason": "需跨年度安排资金，请求延期"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400, page[:500]
    assert "不能再申请延期" in page and "需跨年度安排资金，请求延期" in page
    with db.session() as s:
        assert s.get(HumanTask, task.id).state == "ready"
