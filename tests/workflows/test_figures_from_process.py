"""The facts the operators keep on assignments agree with the records they wrote."""
from __future__ import annotations

from sqlalchemy import select

from models import Assignment, Deputy
from workflows import simulate
from workflows.statistics import Filters, refresh_facts, unit_figures

from .helpers import Cases


def test_operator_facts_match_a_recomputation(db, domain_engine, org, clock):
    cases = Cases(db, domain_engine, org)
    _, first = cases.new({"mode": "lead_co", "lead_unit": "transport",
                          "co_units": ["finance", "education"], "key_suggestion": False})
    cases.drive(first, answers={"draft_reply": {**simulate.ANSWERS["draft_reply"],
                                                "answer_class": "C"}})
    _, second = cases.new({"mode": "sole", "lead_unit": "transport", "co_units": [],
                           "key_suggestion": False})
    cases.drive(second, answers={
        "feedback": {"satisfaction": "dissatisfied", "comment": "x"},
        "rehandle": {**simulate.ANSWERS["draft_reply"], "answer_class": "A"},
        "feedback_again": {"satisfaction": "very_satisfied", "comment": ""}})
    _, third = cases.new({"mode": "sole", "lead_unit": "water", "co_units": [],
                          "key_suggestion": False})
    with db.write() as s:  # a lead deputy without an account: the commission records (代录)
        paper = Deputy(name="赵敏", electoral_unit="常德市")
        s.add(paper)
        s.flush()
        org.deputies[paper.name] = paper.id
    _, fourth = cases.new({"mode": "sole", "lead_unit": "education", "co_units": [],
                           "key_suggestion": False}, deputy="赵敏")
    cases.drive(fourth)
    columns = (Assignment.id, Assignment.replied_at, Assignment.on_time, Assignment.consulted,
               Assignment.answer_class, Assignment.satisfaction,
               Assignment.feedback_recorded_on_behalf)

    def facts():
        with db.session() as s:
            return sorted(s.execute(select(*columns)).tuples().all())

    with db.session() as s:
        before = {scope: unit_figures(s, Filters(), scope=scope, now=clock())
                  for scope in ("lead", "co")}
    kept = facts()
    with db.write() as s:
        refresh_facts(s)
    assert facts() == kept
    transport = next(f for f in before["lead"] if f.unit_code == "transport")
    assert (transport.assigned, transport.replied, transport.consulted) == (2, 2, 2)
    assert (transport.class_a, transport.class_c) == (1, 1)  # the re-handled reply stands
    assert (transport.very_satisfied, transport.dissatisfied) == (1, 0)
    assert transport.rated_on_behalf == 0
    education = next(f for f in before["lead"] if f.unit_code == "education")
    assert (education.rated, education.rated_on_behalf) == (1, 1)
    water = next(f for f in before["lead"] if f.unit_code == "water")
    assert (water.assigned, water.replied) == (1, 0)
    assert sum(f.replied for f in before["co"]) == 2
