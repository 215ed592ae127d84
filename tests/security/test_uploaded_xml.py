"""Uploaded BPMN/DMN never executes: deploy refuses elements outside the allowed vocabularies
(and processing instructions) with file, element id and reason - in the engine, in `jianyi bpmn
validate` and in the designer's validate/deploy - and stored files are served as inert text."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine import DeployError, Package, compile_package, safexml
from engine.xmlpolicy import check
from models import ProcessInstance, ProcessVersion
from webui.cli import main
from webui.headers import FILE_POLICY
from workflows.users import create_user

from ..conftest import BPMN, FIXTURES, PROCESSES
from ..webui.conftest import app, client, login_as  # noqa: F401 (fixtures)
from ..workflows.helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
XHTML = 'xmlns:h="http://www.w3.org/1999/xhtml"'
ASSIGN = '<bpmn:userTask id="assign" name="交办">\n      <bpmn:extensionElements>'
START = '<bpmn:startEvent id="start" name="建议已登记">'
ASSIGN_DI = '<bpmndi:BPMNShape id="assign_di" bpmnElement="assign">'


def in_assign(markup: str):
    """Put `markup` first in the `assign` task's extensionElements."""
    return lambda text: text.replace(ASSIGN, ASSIGN + markup, 1)


# (what is planted in suggestion.bpmn, the element id reported, what the reason names)
BPMN_CORPUS = {
    "xhtml script": (in_assign(f"<h:script {XHTML}>alert(document.cookie)</h:script>"),
                     "assign", ["<h:script>", "http://www.w3.org/1999/xhtml"]),
    "xhtml default namespace": (
        in_assign('<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>'),
        "assign", ["<script>", "http://www.w3.org/1999/xhtml"]),
    "svg onload": (in_assign('<s:svg xmlns:s="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
                   "assign", ["<s:svg>", "http://www.w3.org/2000/svg"]),
    "html iframe": (in_assign(f'<h:iframe {XHTML} src="javascript:alert(1)"/>'),
                    "assign", ["<h:iframe>"]),
    "mathml": (in_assign('<m:math xmlns:m="http://www.w3.org/1998/Math/MathML">'
                         '<m:maction actiontype="statusline"/></m:math>'),
               "assign", ["<m:math>", "MathML"]),
    "xslt": (in_assign('<x:stylesheet xmlns:x="http://www.w3.org/1999/XSL/Transform" '
                       'version="1.0"/>'), "assign", ["<x:stylesheet>"]),
    "xinclude": (in_assign('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                           'href="/etc/passwd" parse="text"/>'), "assign", ["<xi:include>"]),
    "no namespace": (in_assign('<script xmlns="">alert(1)</script>'),
                     "assign", ["<script>", "no namespace"]),
    "another engine's extension": (
        in_assign('<camunda:taskListener xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
                  'event="create"/>'), "assign", ["<camunda:taskListener>"]),
    "script nested in a spiffworkflow extension": (
        lambda text: text.replace(
            '<spiffworkflow:property name="formJsonSchemaFilename" value="assign.schema.json" />',
            '<spiffworkflow:property name="formJsonSchemaFilename" value="assign.schema.json">'
            f'<h:script {XHTML}>alert(1)</h:script></spiffworkflow:property>', 1),
        "assign", ["<h:script>"]),
    "html inside the diagram interchange": (
        lambda text: text.replace(ASSIGN_DI, ASSIGN_DI + '<di:extension><h:object '
                                  f'{XHTML} data="x.swf"/></di:extension>', 1),
        "assign_di", ["<h:object>"]),
    "xml-stylesheet before the root": (
        lambda text: text.replace("<bpmn:definitions", '<?xml-stylesheet type="text/xsl" '
                                  'href="data:,x"?>\n<bpmn:definitions', 1),
        "", ["<?xml-stylesheet?>"]),
    "processing instruction inside a task": (in_assign("<?php system('id'); ?>"),
                                             "assign", ["<?php?>"]),
    "xlink attribute": (
        lambda text: text.replace(START, START.replace(
            "<bpmn:startEvent ", '<bpmn:startEvent xmlns:xl="http://www.w3.org/1999/xlink" '
            'xl:href="javascript:alert(1)" '), 1),
        "start", ["xl:href", "http://www.w3.org/1999/xlink"]),
    "html event attribute": (
        lambda text: text.replace(START, START.replace(
            "<bpmn:startEvent ", f'<bpmn:startEvent {XHTML} h:onclick="alert(1)" '), 1),
        "start", ["h:onclick"]),
}


def shipped() -> dict[str, str]:
    return dict(Package.from_folder(BPMN).files)


def refused(files: dict[str, str]) -> list:
    with pytest.raises(DeployError) as caught:
        compile_package(Package(files))
    return caught.value.problems


@pytest.mark.parametrize("case", BPMN_CORPUS, ids=list(BPMN_CORPUS))
def test_deploy_refuses_foreign_markup_with_file_element_and_reason(case):
    plant, element_id, words = BPMN_CORPUS[case]
    files = shipped()
    files["suggestion.bpmn"] = plant(files["suggestion.bpmn"])
    assert files["suggestion.bpmn"] != shipped()["suggestion.bpmn"], "the planting missed"
    problems = refused(files)
    assert len(problems) == 1, problems  # the element once, not again for what it contains
    [problem] = problems
    assert (problem.file, problem.element_id) == ("suggestion.bpmn", element_id)
    for word in words:
        assert word in problem.reason


def test_foreign_markup_in_a_dmn_file_is_refused():
    files = dict(Package.from_folder(PROCESSES).files)
    compile_package(Package(files))  # the fixtures as they are compile
    dmn = files["answer_route.dmn"]
    files["answer_route.dmn"] = dmn.replace("<decisionTable ", (
        f'<extensionElements><h:script {XHTML}>alert(1)</h:script></extensionElements>'
        "<decisionTable "), 1)
    assert files["answer_route.dmn"] != dmn
    [problem] = refused(files)
    assert problem.file == "answer_route.dmn" and "<h:script>" in problem.reason
    assert problem.element_id  # the decision around it
    # A DMN file holds DMN only: BPMN's spiffworkflow extensions are not read there.
    files["answer_route.dmn"] = dmn.replace("<decisionTable ", (
        '<extensionElements><s:properties xmlns:s="http://spiffworkflow.org/bpmn/schema/1.0/'
        'core"/></extensionElements><decisionTable '), 1)
    [problem] = refused(files)
    assert "<s:properties>" in problem.reason and "DMN file" in problem.reason


def test_every_shipped_and_fixture_file_uses_only_allowed_vocabularies():
    paths = [p for folder in (BPMN, FIXTURES) for p in sorted(folder.rglob("*"))
             if p.suffix in (".bpmn", ".dmn")]
    assert len(paths) >= 10
    for path in paths:
        assert check(path.name, safexml.parse(path.read_text(encoding="utf-8"))) == [], path


# What other modellers write and the rule accepts: bpmn-js colours and Camunda Modeler's
# attributes, comments, xsi/xml attributes; DMN 1.1 with bpmn.io's biodi layout, DMN 1.2 DI.
MODELLER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<!-- written by Camunda Modeler -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:bioc="http://bpmn.io/schema/bpmn/biocolor/1.0"
    xmlns:color="http://www.omg.org/spec/BPMN/non-normative/color/1.0"
    xmlns:modeler="http://camunda.org/schema/modeler/1.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler"
    modeler:executionPlatform="Camunda Platform" xml:lang="zh-CN">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d">
    <bpmndi:BPMNPlane id="pl" bpmnElement="p">
      <bpmndi:BPMNShape id="s_di" bpmnElement="s" bioc:stroke="#831311" bioc:fill="#ffcdd2"
          color:background-color="#ffcdd2" color:border-color="#831311">
        <dc:Bounds x="1" y="1" width="36" height="36"/>
        <bpmndi:BPMNLabel color:color="#831311"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""
DMN_11 = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd"
    xmlns:biodi="http://bpmn.io/schema/dmn/biodi/1.0" id="d" name="DRD" namespace="x">
  <decision id="decide" name="Decide">
    <extensionElements><biodi:bounds x="150" y="150" width="180" height="80"/></extensionElements>
    <decisionTable id="t"><input id="i"><inputExpression id="ie" typeRef="string"><text>x</text>
    </inputExpression></input><output id="o" typeRef="string"/></decisionTable>
  </decision>
</definitions>
"""
DMN_12 = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/DMN/20180521/MODEL/"
    xmlns:dmndi="http://www.omg.org/spec/DMN/20180521/DMNDI/"
    xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/"
    xmlns:di="http://www.omg.org/spec/DMN/20180521/DI/" id="d" name="DRD" namespace="x">
  <decision id="decide" name="Decide">
    <decisionTable id="t"><output id="o"/></decisionTable>
  </decision>
  <dmndi:DMNDI><dmndi:DMNDiagram id="dd"><dmndi:DMNShape id="sh" dmnElementRef="decide">
    <dc:Bounds height="80" width="180" x="1" y="1"/></dmndi:DMNShape>
    <dmndi:DMNEdge id="e"><di:waypoint x="1" y="1"/></dmndi:DMNEdge>
  </dmndi:DMNDiagram></dmndi:DMNDI>
</definitions>
"""


@pytest.mark.parametrize("name, text", [("modeller.bpmn", MODELLER_BPMN),
                                        ("old.dmn", DMN_11), ("dmn12.dmn", DMN_12)])
def test_what_real_modellers_write_is_accepted(name, text):
    assert check(name, safexml.parse(text)) == []


def test_a_bpmn_file_may_not_hold_dmn_elements():
    text = MODELLER_BPMN.replace('<bpmn:startEvent id="s"/>', (
        '<bpmn:startEvent id="s"><bpmn:extensionElements><d:decision '
        'xmlns:d="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x"/>'
        "</bpmn:extensionElements></bpmn:startEvent>"))
    [problem] = check("m.bpmn", safexml.parse(text))
    assert problem.element_id == "s" and "<d:decision>" in problem.reason


# ---- the same refusal through the command line and the designer ----

def test_jianyi_bpmn_validate_names_the_element(tmp_path):
    folder = tmp_path / "bpmn"
    shutil.copytree(BPMN, folder)
    path = folder / "suggestion.bpmn"
    path.write_text(BPMN_CORPUS["xhtml script"][0](path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0  # lane rules
    result = CliRunner().invoke(main, ["bpmn", "validate", str(folder)], env=env)
    assert result.exit_code == 1
    assert "suggestion.bpmn  assign  element <h:script> is not allowed" in result.output


@pytest.fixture
def designer(db, login_as):  # noqa: F811
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    return login_as("designer")


def post_files(client, url, files):
    client.get("/designer")  # the CSRF token
    return client.http.post(url, json={"files": files}, headers={"X-CSRFToken": client.token})


def test_designer_validate_and_deploy_refuse_with_file_element_and_reason(db, designer):
    files = shipped()
    files["suggestion.bpmn"] = BPMN_CORPUS["svg onload"][0](files["suggestion.bpmn"])
    with db.session() as s:
        before = s.scalar(select(func.count(ProcessVersion.id)))
    for url in ("/designer/validate", "/designer/deploy"):
        response = post_files(designer, url, files)
        [problem] = response.get_json()["problems"]
        assert problem["file"] == "suggestion.bpmn" and problem["element_id"] == "assign"
        assert "<s:svg>" in problem["reason"]
    assert response.status_code == 400
    with db.session() as s:
        assert s.scalar(select(func.count(ProcessVersion.id))) == before  # nothing stored


# ---- stored files are served as data ----

def store_directly(db, files: dict[str, str]) -> int:
    """A version written straight into the database, as deploy would never accept it."""
    with db.write() as s:
        version = ProcessVersion(content_hash="f" * 64, files=files, deployed_by="mallory",
                                 deployed_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
                                 activated_at=datetime(2000, 1, 1, tzinfo=timezone.utc))
        s.add(version)
        s.flush()
        return version.id


def assert_inert(response, name: str, body: str):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"filename={name}" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == FILE_POLICY
    assert FILE_POLICY == "sandbox; default-src 'none'"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True) == body  # the data itself, unchanged


def test_stored_files_are_served_as_inert_downloads(db, designer):
    planted = BPMN_CORPUS["xhtml script"][0](shipped()["suggestion.bpmn"])
    form = json.dumps({"type": "object", "title": "<script>alert(1)</script>"})
    version_id = store_directly(db, {"suggestion.bpmn": planted, "forms/a b\".schema.json": form,
                                     "规则.dmn": DMN_11})
    base = f"/designer/versions/{version_id}/files/"
    assert_inert(designer.get(base + "suggestion.bpmn"), "suggestion.bpmn", planted)
    # Odd names reach the header only as letters, digits, `.`, `-`, `_`.
    response = designer.get(base + "forms/a%20b%22.schema.json")
    assert_inert(response, "a_b_.schema.json", form)
    response = designer.get(base + "规则.dmn")
    assert response.headers["Content-Disposition"].endswith(
        "filename*=UTF-8''%E8%A7%84%E5%88%99.dmn")
    assert designer.get(base + "missing.bpmn").status_code == 404


def test_case_diagrams_are_served_as_inert_downloads(db, domain_engine, org,
                                                     login_as):  # noqa: F811
    cases = Cases(db, domain_engine, org)
    sid, case = cases.new(SOLE)
    with db.write() as s:  # the running case's version changed underneath, bypassing deploy
        version = s.get(ProcessVersion, s.get(ProcessInstance, case).process_version_id)
        files = dict(version.files)
        files["unit_handling.bpmn"] = files["unit_handling.bpmn"].replace(
            "<bpmn:extensionElements>", f"<bpmn:extensionElements><h:script {XHTML}>alert(1)"
            "</h:script>", 1)
        version.files = files
    commission = login_as("commission")
    response = commission.get(f"/cases/{sid}/diagram/unit_handling.bpmn")
    assert_inert(response, "unit_handling.bpmn", files["unit_handling.bpmn"])
    assert "<h:script" in response.get_data(as_text=True)
    assert commission.get(f"/cases/{sid}/diagram/assign.schema.json").status_code == 404
