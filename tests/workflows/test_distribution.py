"""分办 inside the unit: a division name that matches none of the unit's divisions is refused."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import FormError
from models import Assignment

from .helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def cases(db, domain_engine, org):
    return Cases(db, domain_engine, org)


def _lead(cases, sid):
    return cases.read(lambda s: s.scalars(select(Assignment).where(
        Assignment.suggestion_id == sid)).one())


@pytest.mark.parametrize("answer, field, named", [
    ({"lead_division": "不存在处", "co_divisions": []}, "lead_division", "不存在处"),
    ({"lead_division": "省交通运输厅综合处", "co_divisions": ["省交通运输厅规划处", "虚构处"]},
     "co_divisions", "虚构处"),
    ({"lead_division": "省财政厅综合处", "co_divisions": []}, "lead_division", "省财政厅综合处"),
])
def test_an_unknown_division_is_refused_and_the_case_is_unchanged(cases, answer, field, named):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"distribute"})
    with pytest.raises(FormError) as refused:
        cases.complete("transport_unit_handler", case, "distribute", answer)
    assert named in refused.value.errors[field]
    assert set(cases.tasks(case)) == {"distribute"}  # still waiting, nothing stored
    lead = _lead(cases, sid)
    assert lead.lead_division_id is None and lead.co_division_ids == []


def test_known_divisions_are_stored(cases):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"distribute"})
    cases.complete("transport_unit_handler", case, "distribute", {
        "lead_division": "省交通运输厅综合处", "co_divisions": ["省交通运输厅规划处"]})
    lead = _lead(cases, sid)
    assert lead.lead_division_id is not None and len(lead.co_division_ids) == 1
    assert "distribute" not in cases.tasks(case)

