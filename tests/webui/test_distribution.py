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
