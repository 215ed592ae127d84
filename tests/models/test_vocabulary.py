"""Every code list is written once (models.vocabulary), and every other list of the same codes
(the forms' enums, the models' tuples, the statistics' columns, webui TERMS) is that one — so a
code cannot be added, or a label changed, in one place only."""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

import models
from models import vocabulary
from workflows import deadlines, escalations, handling, labels, letter, reports, statistics
from workflows.assignment_table import columns

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def _choices(schema: str, prop: str) -> list[dict]:
    return json.loads((BPMN / schema).read_text("utf-8"))["properties"][prop]["oneOf"]


def _codes(schema: str, prop: str) -> tuple[str, ...]:
    return tuple(choice["const"] for choice in _choices(schema, prop))


@pytest.mark.parametrize("schema, prop, codes", [
    ("feedback.schema.json", "satisfaction", vocabulary.SATISFACTION),
    ("draft_reply.schema.json", "answer_class", vocabulary.ANSWER_CLASSES),
    ("rehandle.schema.json", "answer_class", vocabulary.ANSWER_CLASSES),
    ("assign.schema.json", "mode", vocabulary.MODES),
    ("consult.schema.json", "consultation_form", vocabulary.CONSULTATION_FORMS),
])
def test_the_forms_offer_exactly_the_vocabulary_codes_in_order(schema, prop, codes):
    assert _codes(schema, prop) == codes.codes


def test_the_forms_name_satisfaction_classes_modes_and_consultations_as_the_vocabulary_does():
    for choice in _choices("feedback.schema.json", "satisfaction"):
        assert labels.split(choice["title"]) == vocabulary.SATISFACTION[choice["const"]].pair
    for schema in ("draft_reply.schema.json", "rehandle.schema.json"):
        for choice in _choices(schema, "answer_class"):
            term = vocabulary.ANSWER_CLASSES[choice["const"]]
            assert choice["title"] == f"{term.code} {term.zh} ({term.en})"
    for choice in _choices("assign.schema.json", "mode"):
        assert labels.split(choice["title"])[0] == vocabulary.MODES[choice["const"]].zh
    for choice in _choices("consult.schema.json", "consultation_form"):  # the ledger's words
        assert labels.split(choice["title"]) == \
            vocabulary.CONSULTATION_FORMS[choice["const"]].pair


def test_the_other_lists_are_the_vocabulary():
    assert models.MODES == columns.MODES == vocabulary.MODES.codes
    assert models.ASSIGNMENT_ROLES == vocabulary.ASSIGNMENT_ROLES.codes
    assert set(vocabulary.LEAD_ROLES) | {"co"} == set(vocabulary.ASSIGNMENT_ROLES.codes)
    assert reports.LEAD_ROLES == statistics.SCOPES["lead"] == vocabulary.LEAD_ROLES
    assert models.ROLES == vocabulary.ROLES.codes
    assert models.ROLE_NAMES == vocabulary.ROLES.pairs()
    assert statistics.SATISFACTION == vocabulary.SATISFACTION.codes
    assert statistics.CLASSES == tuple(letter.ANSWER_CLASSES) == vocabulary.ANSWER_CLASSES.codes
    assert tuple(handling.REPORT_PERIODS) == deadlines.REPORT_PERIODS \
        == vocabulary.REPORT_PERIODS.codes
    assert tuple(escalations.LEVEL_NAMES) == vocabulary.ESCALATION_LEVELS.codes
    assert set(columns.MODE_ALIASES.values()) == set(vocabulary.MODES.codes)


def test_the_figures_count_every_satisfaction_level_and_answer_class():
    counted = {f.name for f in fields(statistics.Figures)}
    assert set(vocabulary.SATISFACTION.codes) <= counted
    assert {f"class_{code.lower()}" for code in vocabulary.ANSWER_CLASSES.codes} <= counted
    assert set(statistics.COUNTS) <= counted


def test_a_code_two_lists_share_has_the_same_labels_in_both():
    seen: dict[str, tuple[str, str]] = {}
    for codes in vocabulary.ALL:
        assert len(set(codes.codes)) == len(codes), codes.name
        for term in codes:
            assert term.zh and term.en, (codes.name, term.code)
            assert seen.setdefault(term.code, term.pair) == term.pair, (codes.name, term.code)


def test_labels_and_parsing():
    modes = vocabulary.MODES
    assert modes.label("lead_co") == "主办+会办" and modes.label("lead_co", english=True) \
        == "Lead + co-handling"
    assert modes.label(None) == "" and modes.label("odd") == "odd"
    assert modes.label("odd", default="") == ""
    assert [modes.parse(text) for text in ("主办会办", "分办", "sole", "其他")] == \
        ["lead_co", "separate", "sole", None]
