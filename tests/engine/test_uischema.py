"""uiSchema files at deploy: told from JSON Schemas by name, checked against the task's form
(fields, widgets, ui:order, choice sources), and the engine's validation of what is submitted
(if/then, dependencies, nested paths)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import DeployError, FormError, Package
from engine.package import compile_package
from engine.runtime import Engine

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
CHOICES = ["units", "leaders"]


def _files(**changes) -> dict[str, str]:
    files = dict(Package.from_folder(FIXTURE).files)
    for name, value in changes.items():
        name = name.replace("__", ".")
        files[name] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return files


def _ui(**changes):
    ui = json.loads((FIXTURE / "contact.uischema.json").read_text(encoding="utf-8"))
    ui.update(changes)
    return ui


def _problems(files) -> list[tuple[str, str, str]]:
    with pytest.raises(DeployError) as err:
        compile_package(Package(files), None, CHOICES)
    return [(p.file, p.element_id, p.reason) for p in err.value.problems]


def test_the_fixture_compiles_with_its_ui_schema_for_the_task_that_names_it():
    compiled = compile_package(Package(_files()), None, CHOICES)
    assert "contact.uischema.json" not in compiled.forms  # not a JSON Schema form
    assert compiled.ui_form("fill_in", "contact.schema.json")["kind"] == {"ui:widget": "radio"}
    assert compiled.ui_form("check", "contact.schema.json") is None


@pytest.mark.parametrize("ui, reason", [
    (_ui(nickname={"ui:widget": "text"}), "names field 'nickname'"),
    (_ui(address={"town": {"ui:widget": "text"}}), "names field 'town' at 'address'"),
    (_ui(contacts={"items": {"phone": {}}}), "names field 'phone' at 'contacts.items'"),
    (_ui(note={"ui:widget": "richtext"}), "unknown widget 'richtext'"),
    (_ui(**{"ui:order": ["name", "nickname", "*"]}), "ui:order names unknown fields: nickname"),
    (_ui(name={"ui:options": {"choices": "planets"}}), "unknown choices source 'planets'"),
    (_ui(name={"ui:options": {"rows": 0}}), "rows at 'name' must be a whole number"),
    (_ui(name={"ui:colour": "red"}), "unknown uiSchema key 'ui:colour'"),
    (_ui(name={"ui:help": 5}), "ui:help at 'name' must be a text"),
])
def test_a_bad_ui_schema_is_refused_with_file_task_and_reason(ui, reason):
    problems = _problems(_files(contact__uischema__json=ui))
    assert any(file == "contact.uischema.json" and element == "fill_in" and reason in why
               for file, element, why in problems), problems


def test_ui_schema_files_are_told_apart_by_name():
    bpmn = (FIXTURE / "form_demo.bpmn").read_text(encoding="utf-8")
    # a uiSchema named as a form file is a JSON Schema (and this one names no valid schema)
    files = _files(**{"contact-ui.json": _ui()})
    files["form_demo.bpmn"] = bpmn.replace('value="contact.uischema.json"',
                                           'value="contact-ui.json"')
    del files["contact.uischema.json"]
    assert any("must be named <form>.uischema.json" in why or "JSON Schema" in why
               for _f, _e, why in _problems(files))
    # SpiffArena's own naming is a uiSchema too
    files = _files(**{"contact-uischema.json": _ui()})
    files["form_demo.bpmn"] = bpmn.replace('value="contact.uischema.json"',
                                           'value="contact-uischema.json"')
    compiled = compile_package(Package(files), None, CHOICES)
    assert compiled.ui_form("fill_in", "contact.schema.json") is not None
    # a task's form must be a JSON Schema, not a uiSchema
    files = _files()
    files["form_demo.bpmn"] = bpmn.replace(
        'name="formJsonSchemaFilename" value="contact.schema.json" />\n          <spiffworkflow:'
        'property name="formUiSchemaFilename"', 'name="formJsonSchemaFilename" value="contact.'
        'uischema.json" />\n          <spiffworkflow:property name="formUiSchemaFilename"')
    assert any("is a uiSchema file" in why for _f, _e, why in _problems(files))


def test_a_missing_or_broken_ui_schema_file_is_a_problem():
    files = _files()
    del files["contact.uischema.json"]
    assert any("'contact.uischema.json' is not in the package" in why
               for _f, _e, why in _problems(files))
    assert any("not valid JSON" in why
               for _f, _e, why in _problems(_files(contact__uischema__json="{nope")))


def test_field_names_are_checked_in_nested_objects_rows_and_branches():
    schema = json.loads((FIXTURE / "contact.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["address"]["properties"]["post.code"] = {"type": "string"}
    schema["properties"]["contacts"]["items"]["properties"]["a b"] = {"type": "string"}
    schema["then"]["properties"]["0why"] = {"type": "string"}
    found = {(f, e) for f, e, why in _problems(_files(contact__schema__json=schema))
             if "form field name" in why}
    assert found == {("contact.schema.json", "address.post.code"),
                     ("contact.schema.json", "contacts.a b"), ("contact.schema.json", "0why")}


def test_engine_validation_enforces_if_then_dependencies_and_names_nested_fields():
    schema = json.loads((FIXTURE / "contact.schema.json").read_text(encoding="utf-8"))
    schema["dependencies"]["urgent"] = ["visit_on"]  # a property dependency (draft-07)
    compiled = compile_package(Package(_files(contact__schema__json=schema)), None,
                               CHOICES)

    def errors(data):
        with pytest.raises(FormError) as err:
            Engine.validate_form(compiled, "contact.schema.json", data)
        return err.value.errors
    base = {"name": "王芳", "kind": "person", "address": {"city": "长沙"}}
    Engine.validate_form(compiled, "contact.schema.json", base)
    assert errors({**base, "address": {}}) == {"address.city": "必填 (required)"}
    assert errors({**base, "contacts": [{"person": "张三"}, {"email": "x@y.cn"}]}) == {
        "contacts.1.person": "必填 (required)"}
    assert errors({**base, "contacts": [{"person": "张三", "email": "bad"}]}) == {
        "contacts.0.email": "请输入有效的电子邮箱 (enter a valid email address)"}
    assert errors({**base, "visit_on": "2026年3月1日"}) == {
        "visit_on": "请按 YYYY-MM-DD 输入日期 (enter a date as YYYY-MM-DD)"}
    found = errors({**base, "urgent": True})
    assert found == {"urgent_reason": "必填 (required)", "visit_on": "必填 (required)"}
    # the branch of the dependency's oneOf that 单位 chooses names its own field
    assert errors({**base, "kind": "org"}) == {"org_name": "必填 (required)"}
    assert errors({**base, "kind": "org", "org_name": ""}) == {
        "org_name": "不能为空 (must not be empty)"}
    Engine.validate_form(compiled, "contact.schema.json", {**base, "kind": "org",
                                                           "org_name": "某公司"})
