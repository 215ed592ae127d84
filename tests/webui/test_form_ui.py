"""Forms in SpiffArena's (react-jsonschema-form's) conventions: the uiSchema decides widgets,
order, help and the application's choices; nested objects, repeating rows and conditional
fields are rendered, read back and kept as the schema says."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings, strategies as st
from werkzeug.datastructures import MultiDict

from webui import form_fields, form_parsing

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
BPMN = Path(__file__).resolve().parents[2] / "bpmn"
CONTACT = json.loads((FIXTURE / "contact.schema.json").read_text(encoding="utf-8"))
CONTACT_UI = json.loads((FIXTURE / "contact.uischema.json").read_text(encoding="utf-8"))
DRAFT = json.loads((BPMN / "draft_reply.schema.json").read_text(encoding="utf-8"))
DRAFT_UI = json.loads((BPMN / "draft_reply.uischema.json").read_text(encoding="utf-8"))


def _by_name(fields):
    return {f.name: f for f in fields}


def test_ui_widget_title_help_placeholder_and_rows():
    schema = {"type": "object", "properties": {
        "a": {"type": "string", "title": "甲"}, "b": {"type": "string", "enum": ["x", "y"]},
        "c": {"type": "string", "enum": list("vwxyz"), "enumNames": list("一二三四五")},
        "d": {"type": "string"}, "e": {"type": "integer"}, "f": {"type": "string"},
        "g": {"type": "string"}}}
    ui = {"a": {"ui:widget": "textarea", "ui:options": {"rows": 3}, "ui:title": "乙",
                "ui:help": "帮助", "ui:placeholder": "例如"},
          "b": {"ui:widget": "select"}, "c": {"ui:widget": "radio"},
          "d": {"ui:widget": "date"}, "e": {"ui:widget": "updown"}, "f": {"ui:widget": "hidden"},
          "g": {"ui:widget": "email"}}
    got = _by_name(form_fields.fields(schema, None, ui))
    a = got["a"]
    assert (a.kind, a.rows, a.title, a.help, a.placeholder) == ("textarea", 3, "乙", "帮助", "例如")
    assert got["b"].kind == "select"  # two options would be radio buttons without the uiSchema
    assert got["c"].kind == "radio" and got["c"].options[:2] == [("v", "一"), ("w", "二")]
    assert [got[n].kind for n in "defg"] == ["date", "number", "hidden", "email"]
    assert [f.kind for f in form_fields.fields(schema)] == ["text", "radio", "select", "text",
                                                     "number", "text", "text"]


def test_ui_order_with_star_puts_the_rest_where_the_star_stands():
    schema = {"type": "object", "properties": {n: {"type": "string"} for n in "abcde"}}
    assert [f.name for f in form_fields.fields(schema, None, {"ui:order": ["d", "*", "a"]})] == \
        ["d", "b", "c", "e", "a"]
    assert [f.name for f in form_fields.fields(schema, None, {"ui:order": ["e", "c"]})] == \
        ["e", "c", "a", "b", "d"]


def test_choices_come_from_the_named_source_not_the_field_name():
    schema = {"type": "object", "properties": {
        "lead_unit": {"type": "string"}, "where": {"type": "string"},
        "many": {"type": "array", "items": {"type": "string"}}}}
    asked = []

    def source(name):
        asked.append(name)
        return [("t", "交通厅"), ("f", "财政厅")] if name == "units" else None
    ui = {"where": {"ui:options": {"choices": "units"}},
          "many": {"ui:options": {"choices": "units"}}}
    got = _by_name(form_fields.fields(schema, source, ui))
    assert got["lead_unit"].kind == "text"  # a field's name no longer decides its widget
    assert got["where"].kind == "select" and got["where"].options == [("t", "交通厅"), ("f", "财政厅")]
    assert got["many"].kind == "checkboxes"
    assert set(asked) == {"units"}
    data, errors = form_parsing.parse(schema, MultiDict([("many", "t"), ("many", "x")]), source, ui)
    assert errors == {"many": form_parsing.NOT_AN_OPTION}


def test_nested_object_is_a_fieldset_submitted_as_dotted_names():
    got = _by_name(form_fields.fields(CONTACT, None, CONTACT_UI))
    address = got["address"]
    assert address.kind == "object" and address.required
    assert [(c.path, c.required) for c in address.children] == [("address.city", True),
                                                                ("address.street", False)]
    data, errors = form_parsing.parse(CONTACT, MultiDict({
        "name": "王芳", "kind": "person", "address.city": "长沙", "address.street": "",
        "address.evil": "x", "address": "y"}), None, CONTACT_UI)
    assert errors == {}
    assert data["address"] == {"city": "长沙"}  # only names the schema gives are read


def test_rows_are_read_in_order_blank_rows_dropped_and_errors_named_by_kept_row():
    form = MultiDict([("name", "王芳"), ("kind", "person"), ("address.city", "长沙"),
                      ("contacts.3.person", "李四"), ("contacts.3.email", "li@example.cn"),
                      ("contacts.0.person", "张三"), ("contacts.0.email", ""),
                      ("contacts.1.person", ""), ("contacts.1.email", " "),
                      ("contacts.7.person", "王五"), ("contacts.7.email", "no-at-sign"),
                      ("contacts.x.person", "ignored"), ("contacts.1234.person", "ignored")])
    data, errors = form_parsing.parse(CONTACT, form, None, CONTACT_UI)
    assert [r.get("person") for r in data["contacts"]] == ["张三", "李四", "王五"]
    assert data["contacts"][1] == {"person": "李四", "email": "li@example.cn"}
    assert errors == {"contacts.2.email": form_parsing.NOT_AN_EMAIL}


def test_too_many_rows_is_refused_beside_the_rows():
    form = MultiDict([(f"contacts.{i}.person", f"人{i}") for i in range(11)])
    _data, errors = form_parsing.parse(CONTACT, form, None, CONTACT_UI)
    assert errors["contacts"] == form_parsing.TOO_MANY_ROWS


def test_conditional_fields_from_schema_dependencies_with_one_of():
    org = _by_name(form_fields.fields(CONTACT, None, CONTACT_UI))["org_name"]
    assert org.required and org.shown_when == [[{"f": "kind", "in": ["org"],
                                                 "absent_ok": False, "not": False}]]
    base = {"name": "王芳", "address.city": "长沙", "org_name": "某公司"}
    kept, _ = form_parsing.parse(CONTACT, MultiDict({**base, "kind": "org"}), None, CONTACT_UI)
    dropped, _ = form_parsing.parse(CONTACT, MultiDict({**base, "kind": "person"}), None, CONTACT_UI)
    assert kept["org_name"] == "某公司" and "org_name" not in dropped


def test_conditional_field_from_if_then_and_else():
    schema = {"type": "object", "properties": {"n": {"type": "integer"}},
              "if": {"properties": {"n": {"enum": [1, 2]}}},
              "then": {"properties": {"small": {"type": "string"}}},
              "else": {"properties": {"big": {"type": "string"}}}}
    got = _by_name(form_fields.fields(schema))
    assert got["small"].shown_when == [[{"f": "n", "in": [1, 2], "absent_ok": True,
                                         "not": False}]]
    assert got["big"].shown_when == [[{"f": "n", "in": [1, 2], "absent_ok": True, "not": True}]]
    form = {"small": "s", "big": "b"}
    assert form_parsing.parse(schema, MultiDict({**form, "n": "2"}))[0] == {"n": 2, "small": "s"}
    assert form_parsing.parse(schema, MultiDict({**form, "n": "9"}))[0] == {"n": 9, "big": "b"}
    assert form_parsing.parse(schema, MultiDict(form))[0] == {"small": "s"}  # absent: `if` holds


def test_a_hidden_conditional_fields_error_is_dropped_with_it():
    form = MultiDict({"action": "submit", "extension_reason": "\x00bad"})
    data, errors = form_parsing.parse(DRAFT, form, None, DRAFT_UI)
    assert "extension_reason" not in data and "extension_reason" not in errors
    form = MultiDict({"action": "request_extension", "extension_reason": "\x00bad"})
    data, errors = form_parsing.parse(DRAFT, form, None, DRAFT_UI)
    assert "extension_reason" in errors


def test_draft_reply_shows_each_reason_only_for_its_next_step():
    got = _by_name(form_fields.fields(DRAFT, None, DRAFT_UI))
    assert [f.name for f in form_fields.fields(DRAFT, None, DRAFT_UI)][-3:] == [
        "action", "extension_reason", "coordination_reason"]
    assert got["extension_reason"].kind == got["coordination_reason"].kind == "textarea"
    assert got["extension_reason"].shown_when[0][0]["in"] == ["request_extension"]
    assert got["coordination_reason"].shown_when[0][0]["in"] == ["request_coordination"]
    assert got["extension_reason"].required and got["coordination_reason"].required


ACTIONS = st.sampled_from(["submit", "request_extension", "request_coordination", "", "other"])
TEXT = st.text(alphabet="理由 abc", max_size=5)


@settings(max_examples=150, deadline=None)
@given(action=ACTIONS, extension=st.none() | TEXT, coordination=st.none() | TEXT)
def test_random_draft_replies_never_keep_a_hidden_reason_nor_skip_a_visible_required_one(
        action, extension, coordination):
    """Whatever is sent, a reason is kept only with its 下一步, and the engine's JSON Schema
    check (jsonschema, with if/then) refuses a missing or blank reason for it."""
    from engine.package import FORMAT_CHECKER, FormValidator
    sent = {"action": action}
    if extension is not None:
        sent["extension_reason"] = extension
    if coordination is not None:
        sent["coordination_reason"] = coordination
    data, _errors = form_parsing.parse(DRAFT, MultiDict(sent), None, DRAFT_UI)
    for name, step in (("extension_reason", "request_extension"),
                       ("coordination_reason", "request_coordination")):
        if action != step:
            assert name not in data
        else:
            failing = {".".join(map(str, e.absolute_path)) or e.message.split("'")[1]
                       for e in FormValidator(DRAFT, format_checker=FORMAT_CHECKER)
                       .iter_errors(data)}
            assert (name in failing) == ((sent.get(name) or "").strip() == "")


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(["person", "org", "", "x"]), urgent=st.booleans(),
       org=st.none() | TEXT, reason=st.none() | TEXT)
def test_random_contacts_keep_conditional_values_exactly_when_shown(kind, urgent, org, reason):
    sent = {"name": "王芳", "kind": kind, "address.city": "长沙"}
    if urgent:
        sent["urgent"] = "on"
    if org is not None:
        sent["org_name"] = org
    if reason is not None:
        sent["urgent_reason"] = reason
    from engine.package import FORMAT_CHECKER, FormValidator
    data, _ = form_parsing.parse(CONTACT, MultiDict(sent), None, CONTACT_UI)
    assert ("org_name" in data) == (kind == "org")  # shown: kept ("" when left blank)
    assert ("urgent_reason" in data) == urgent
    errors = list(FormValidator(CONTACT, format_checker=FORMAT_CHECKER).iter_errors(data))
    paths = {".".join(map(str, e.absolute_path)) for e in errors}
    assert ("urgent_reason" in paths) == (urgent and (reason or "").strip() == "")
    if kind == "org" and (org or "").strip() == "":
        assert errors  # a blank organisation is refused (the dependency's oneOf fails)


def test_a_conditional_field_in_a_nested_object_names_its_controller_by_full_name():
    schema = {"type": "object", "properties": {"address": {
        "type": "object", "properties": {"abroad": {"type": "boolean"}},
        "if": {"properties": {"abroad": {"const": True}}, "required": ["abroad"]},
        "then": {"properties": {"country": {"type": "string"}}, "required": ["country"]}}}}
    [address] = form_fields.fields(schema)
    country = address.children[1]
    assert (country.path, country.required) == ("address.country", True)
    assert country.shown_when == [[{"f": "address.abroad", "in": [True], "absent_ok": False,
                                    "not": False}]]
    form = {"address.country": "法国"}
    assert form_parsing.parse(schema, MultiDict(form))[0] == {"address": {"abroad": False}}
    assert form_parsing.parse(schema, MultiDict({**form, "address.abroad": "on"}))[0] == {
        "address": {"abroad": True, "country": "法国"}}
