"""The process designer pages: library, editor, validate, deploy, preview, diff, migration."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models import AuditEvent, ProcessInstance, ProcessVersion
from workflows.users import create_user

from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def designer(db, login_as):
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    return login_as("designer")


def newest(db) -> ProcessVersion:
    with db.session() as s:
        return s.scalars(select(ProcessVersion).order_by(ProcessVersion.id.desc())).first()


def post_json(client, url, files):
    client.get("/designer")  # picks up the CSRF token
    return client.http.post(url, json={"files": files}, headers={"X-CSRFToken": client.token})


def test_library_lists_versions_with_running_cases_and_files(db, domain_engine, org, designer):
    Cases(db, domain_engine, org).new(SOLE, deputy="王芳")
    page = designer.get("/designer").get_data(as_text=True)
    version = newest(db)
    assert version.content_hash[:12] in page and "suggestion.bpmn" in page
    assert 'data-process="suggestion">1<' in page
    raw = designer.get(f"/designer/versions/{version.id}/files/assign.schema.json")
    # Served as inert plain text to download (tests/security/test_uploaded_xml.py), not as JSON.
    assert raw.mimetype == "text/plain" and json.loads(raw.data)["type"] == "object"
    editor = designer.get(f"/designer/versions/{version.id}/edit").get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in editor and "package-files" in editor


def test_validate_lists_problems_with_file_and_element(db, designer):
    files = dict(newest(db).files)
    assert post_json(designer, "/designer/validate", files).get_json() == {"problems": []}
    files["suggestion.bpmn"] = files["suggestion.bpmn"].replace(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="assign.schema.json" />',
        '<spiffworkflow:property name="formJsonSchemaFilename" value="gone.schema.json" />')
    problems = post_json(designer, "/designer/validate", files).get_json()["problems"]
    assert {"file": "suggestion.bpmn", "element_id": "assign",
            "reason": "form file 'gone.schema.json' is not in the package"} in problems


def test_a_lane_without_a_rule_is_named_with_its_process_in_the_readers_language(db, designer):
    files = dict(newest(db).files)
    files["unit_handling.bpmn"] = files["unit_handling.bpmn"].replace(
        'name="Signer"', 'name="Finance"', 1)
    [problem] = post_json(designer, "/designer/validate", files).get_json()["problems"]
    assert (problem["element_id"], problem["process_id"], problem["lane"]) == (
        "lane_Signer", "unit_handling", "Finance")
    assert problem["reason"].startswith("流程 unit_handling 的泳道“Finance”没有分派规则，其中的元素：")
    designer.http.set_cookie("lang", "en")
    [problem] = post_json(designer, "/designer/validate", files).get_json()["problems"]
    assert problem["reason"].startswith("lane 'Finance' of process 'unit_handling' has no "
                                        "assignment rule; its elements: ")


def test_a_valid_edit_deploys_and_a_broken_one_is_refused_with_element_ids(db, designer):
    before = newest(db)
    files = dict(before.files)
    files["suggestion.bpmn"] = files["suggestion.bpmn"].replace('name="交办"', 'name="交办任务"')
    response = post_json(designer, "/designer/deploy", files)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["created"] and body["version_id"] == before.id + 1
    broken = dict(files, **{"suggestion.bpmn": files["suggestion.bpmn"].replace(
        'targetRef="record_assignment_task"', 'targetRef="nowhere"')})
    response = post_json(designer, "/designer/deploy", broken)
    assert response.status_code == 400
    assert any(p["element_id"] == "flow_assign_to_record_assignment_task"
               for p in response.get_json()["problems"])
    xxe = dict(files, **{"evil.bpmn": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                                      '"file:///etc/passwd">]><x>&e;</x>'})
    [problem] = post_json(designer, "/designer/deploy", xxe).get_json()["problems"]
    assert problem["file"] == "evil.bpmn" and "DOCTYPE" in problem["reason"]
    bad_name = post_json(designer, "/designer/deploy", {"../x.bpmn": "<x/>"}).get_json()
    assert bad_name["problems"][0]["file"] == "../x.bpmn"
    assert newest(db).id == before.id + 1  # nothing of the refused deploys was stored
    with db.session() as s:
        deploys = s.scalars(select(AuditEvent).where(AuditEvent.action == "deploy")).all()
    assert deploys[-1].actor == "designer" and deploys[-1].detail["version_id"] == before.id + 1
    again = post_json(designer, "/designer/deploy", files).get_json()
    assert (again["created"], again["version_id"]) == (False, before.id + 1)


def test_form_preview_uses_the_inbox_macros(designer):
    designer.get("/designer")
    schema = {"type": "object", "title": "核对 (Check)", "required": ["ok"],
              "properties": {"ok": {"type": "string", "title": "结论 (Outcome)",
                                    "enum": ["yes", "no"]}}}
    html = designer.post("/designer/preview", {"schema": json.dumps(schema)}).get_data(as_text=True)
    assert 'data-field="ok"' in html and 'type="radio"' in html and "核对" in html
    html = designer.post("/designer/preview", {"schema": "{not json"}).get_data(as_text=True)
    assert 'id="preview-error"' in html
    html = designer.post("/designer/preview", {"schema": '{"type": "objekt"}'}).get_data(as_text=True)
    assert "部署时将被拒绝" in html


def test_form_preview_shows_the_ui_schema_sent_with_it(designer):
    """The designer's preview is the task page's renderer with the form's uiSchema: widgets,
    order, help, the application's choices, nested objects, rows and conditional fields."""
    designer.get("/designer")
    schema = {"type": "object", "properties": {
        "note": {"type": "string", "title": "备注 (Note)"},
        "unit": {"type": "string", "title": "单位 (Unit)"},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
        "rows": {"type": "array", "items": {"type": "object",
                                            "properties": {"who": {"type": "string"}}}},
        "go": {"type": "string", "enum": ["yes", "no"]}},
        "if": {"properties": {"go": {"const": "yes"}}, "required": ["go"]},
        "then": {"properties": {"why": {"type": "string"}}}}
    ui = {"ui:order": ["unit", "*"], "note": {"ui:widget": "textarea", "ui:help": "写清楚"},
          "unit": {"ui:options": {"choices": "units"}}}
    html = designer.post("/designer/preview", {"schema": json.dumps(schema),
                                               "ui_schema": json.dumps(ui)}).get_data(as_text=True)
    assert html.index('data-field="unit"') < html.index('data-field="note"')
    assert '<textarea id="f-note"' in html and "写清楚" in html
    assert '<select id="f-unit"' in html and "省交通运输厅" in html
    assert 'name="address.city"' in html and 'name="rows.0.who"' in html
    assert 'data-field="why" data-show-when=' in html
    assert "部署时将被拒绝" not in html
    without = designer.post("/designer/preview", {"schema": json.dumps(schema)}).get_data(
        as_text=True)
    assert '<input id="f-note"' in without and "省交通运输厅" not in without
    for bad, reason in ((json.dumps({"nope": {}}), "nope"),
                        (json.dumps({"note": {"ui:widget": "fancy"}}), "fancy"),
                        (json.dumps({"unit": {"ui:options": {"choices": "planets"}}}), "planets"),
                        ("[1]", "JSON 对象"), ("{oops", "有效的 JSON"),
                        ("[" * 5000 + "]" * 5000, "JSON")):
        html = designer.post("/designer/preview", {"schema": json.dumps(schema),
                                                   "ui_schema": bad}).get_data(as_text=True)
        assert 'id="preview-error"' in html and reason in html, reason


def test_diff_page_and_migration_dry_run_then_real_run(db, domain_engine, org, designer):
    _sid, case = Cases(db, domain_engine, org).new(SOLE, deputy="王芳")
    old = newest(db)
    files = dict(old.files)
    files["suggestion.bpmn"] = files["suggestion.bpmn"].replace('name="交办"', 'name="交办任务"')
    new_id = post_json(designer, "/designer/deploy", files).get_json()["version_id"]
    page = designer.get(f"/designer/diff?old={old.id}&new={new_id}").get_data(as_text=True)
    assert "<code>assign</code>" in page and "name" in page
    form = {"process_id": "suggestion", "to_version": new_id, "from_version": old.id}
    page = designer.post("/designer/migrate", dict(form, action="dry_run")).get_data(as_text=True)
    assert "试运行结果" in page and f'data-case="{case}"' in page
    with db.session() as s:
        assert s.get(ProcessInstance, case).process_version_id == old.id
    page = designer.post("/designer/migrate", dict(form, action="migrate")).get_data(as_text=True)
    assert "已迁移" in page
    with db.session() as s:
        assert s.get(ProcessInstance, case).process_version_id == new_id
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "migrate")).all()
    assert (event.actor, event.instance_id, event.detail["from_version"],
            event.detail["to_version"]) == ("designer", case, old.id, new_id)
