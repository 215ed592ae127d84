"""The semantic diff between two versions: elements added, removed, changed; layout ignored."""
from __future__ import annotations

import json

from engine.version_diff import diff_packages

from .test_migration import approval, with_check_step


def test_a_new_step_shows_as_added_elements_and_changed_neighbours():
    diff = diff_packages(approval(), with_check_step())
    added = {(c.element_id, c.kind) for c in diff.of("added")}
    assert added == {("check", "userTask"), ("flow_draft_check", "sequenceFlow"),
                     ("flow_check_review", "sequenceFlow")}
    assert {c.element_id for c in diff.of("removed")} == {"flow_draft_review"}
    changed = {c.element_id: c.details for c in diff.of("changed")}
    assert changed["draft"] == ("outgoing",)
    assert changed["review"] == ("incoming",)
    assert changed["lane_LeadUnit"] == ("flowNodeRef",)
    assert "approval" not in changed  # the process itself: only its children changed


def test_expression_documentation_and_form_changes_are_named():
    old = approval()
    new = approval(**{'"P3D"': '"P5D"', "Write the draft.": "Write it well."})
    form = json.loads(new.files["note.schema.json"])
    form["properties"]["extra"] = {"type": "string"}
    new = type(new)({**new.files, "note.schema.json": json.dumps(form)})
    changed = {(c.element_id or c.file): c.details for c in diff_packages(old, new).changes}
    assert changed == {"review_late_timer": ("timeDuration",), "draft": ("documentation",),
                       "note.schema.json": ("+extra",)}


def test_identical_versions_have_no_changes():
    old = approval()
    assert diff_packages(old, old).changes == []
