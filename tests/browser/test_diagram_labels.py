"""The case diagram speaks the reader's language: Chinese names (the BPMN's) in Chinese, the
catalogue's English names by element id in English, lanes by their labels, never a gloss of the
other language; the stored BPMN stays as it is."""
from __future__ import annotations

import re

import pytest

from ..workflows.helpers import Cases
from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
HAN = re.compile(r"[\u4e00-\u9fff]")


def diagram_texts(page, diagram: str) -> dict[str, str]:
    """Element id -> the text the viewer drew for it (labels of events and gateways included)."""
    page.wait_for_selector(f"{diagram}[data-ready=true] .djs-element.active")
    return page.eval_on_selector_all(f"{diagram} .djs-element[data-element-id]", """els =>
        Object.fromEntries(els.map(e => [e.dataset.elementId,
            Array.from(e.querySelectorAll('text')).map(t => t.textContent).join(' ').trim()])
          .filter(([, text]) => text))""")


def test_the_diagram_shows_names_in_the_readers_language(server, browser, shots, db,
                                                         domain_engine, org):
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"consult"})
    commission = Person(browser, server, "commission", shots)
    page = commission.page
    page.goto(f"{server}/cases/{sid}")
    # The case's files, newest name first: unit_handling.bpmn, then suggestion.bpmn.
    unit, chinese = diagram_texts(page, "#diagram-1"), diagram_texts(page, "#diagram-2")
    assert unit["start_label"] == "交办到单位" and unit["consult"] == "面商"
    chinese.update((k, v) for k, v in unit.items() if k != "start_label")
    commission.shot("01-diagram-zh")
    assert chinese["acknowledge"] == "签收" and chinese["consult"] == "面商"
    assert chinese["lane_Commission"] == "代表工委" and chinese["start_label"] == "建议已登记"
    assert chinese["return_time_gw_label"] == "在退回期限内？"  # no number a setting changes
    assert "完成「签收」" in page.inner_text("#timeline")
    assert [(i, t) for i, t in chinese.items() if re.search(r"[A-Za-z]{2,}", t)] == []

    page.goto(f"{server}/lang/en")
    page.goto(f"{server}/cases/{sid}")
    unit, english = diagram_texts(page, "#diagram-1"), diagram_texts(page, "#diagram-2")
    assert unit["start_label"] == "Assigned to the unit"  # one id, two processes
    english.update((k, v) for k, v in unit.items() if k != "start_label")
    commission.shot("02-diagram-en")
    assert english["acknowledge"] == "Acknowledge" and english["consult"] == "Consult the deputy"
    assert english["lane_Commission"] == "Commission staff"
    assert english["start_label"] == "Registered"
    assert english["return_time_gw_label"] == "Within the return period?"
    assert [(i, t) for i, t in english.items() if HAN.search(t)] == []
    assert "completed “Acknowledge”" in page.inner_text("#timeline")
