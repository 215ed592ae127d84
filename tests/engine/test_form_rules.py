"""Form rules at deploy and at completion: field names that cannot pass for the page's own
controls, and formats (date, date-time, email) checked."""
from __future__ import annotations

import json

import pytest

from engine import FormError, Package, compile_package
from engine.runtime import Engine

from .test_package import OPERATORS, linear, refused


def _with_note_schema(properties: dict) -> dict[str, str]:
    files = linear()
    files["note.schema.json"] = json.dumps({"type": "object", "properties": properties})
    return files


@pytest.mark.parametrize("name", ["_action", "_file", "csrf_token", "下一步", "a-b", "1st"])
def test_deploy_refuses_a_field_name_outside_the_identifier_namespace(name):
    problems = refused(_with_note_schema({"note": {"type": "string"}, name: {"type": "string"}}))
    assert [(f, e) for f, e, _reason in problems] == [("note.schema.json", name)]


def test_plain_field_names_deploy():
    compiled = compile_package(Package(_with_note_schema(
        {"action": {"type": "string"}, "answer_text": {"type": "string"}})), OPERATORS)
    assert "note.schema.json" in compiled.forms


@pytest.mark.parametrize("fmt, bad, good, says", [
    ("date", "2026年12月3日", "2026-12-03", "YYYY-MM-DD"),
    ("date", "2026-02-30", "2026-02-28", "YYYY-MM-DD"),
    ("date", "20261203", "2026-12-03", "YYYY-MM-DD"),
    ("date-time", "2026-12-03 上午", "2026-12-03T09:30:00+08:00", "YYYY-MM-DDThh:mm:ss"),
    ("email", "王芳", "wangfang@example.cn", "电子邮箱"),
])
def test_formats_are_checked_with_a_message_per_field(fmt, bad, good, says):
    compiled = compile_package(Package(_with_note_schema(
        {"note": {"type": "string"}, "when": {"type": "string", "format": fmt}})), OPERATORS)
    with pytest.raises(FormError) as err:
        Engine.validate_form(compiled, "note.schema.json", {"note": "x", "when": bad})
    assert list(err.value.errors) == ["when"] and says in err.value.errors["when"]
    Engine.validate_form(compiled, "note.schema.json", {"note": "x", "when": good})
