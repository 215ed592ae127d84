"""Deploy rules: what a BPMN package must satisfy, and how refusals name file, element and reason."""
from __future__ import annotations

import pytest

from engine import DeployError, Package, compile_package

from ..conftest import PROCESSES

OPERATORS = {"record_title"}


def fixture(name: str) -> str:
    return (PROCESSES / name).read_text(encoding="utf-8")


def refused(files: dict[str, str]) -> list[tuple[str, str, str]]:
    with pytest.raises(DeployError) as err:
        compile_package(Package(files), OPERATORS)
    return [(p.file, p.element_id, p.reason) for p in err.value.problems]


def linear(**replace) -> dict[str, str]:
    text = fixture("linear10.bpmn")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return {"linear10.bpmn": text, "note.schema.json": fixture("note.schema.json")}


def test_the_fixture_package_is_valid():
    compiled = compile_package(Package.from_folder(PROCESSES), OPERATORS)
    assert {"linear10", "loop", "dmn_rule", "review_sub"} <= set(compiled.specs)
    assert "note.schema.json" in compiled.forms


def test_content_hash_depends_on_every_file():
    a = Package({"a.bpmn": "x", "b.json": "{}"})
    assert a.content_hash == Package({"b.json": "{}", "a.bpmn": "x"}).content_hash
    assert a.content_hash != Package({"a.bpmn": "x ", "b.json": "{}"}).content_hash


def test_malformed_xml_is_refused_with_its_line():
    [(file, element, reason)] = refused({"broken.bpmn": "<bpmn:definitions>\n<oops"})
    assert file == "broken.bpmn" and "malformed XML (line" in reason


def test_external_entities_are_refused_and_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>\n'
           '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
           '<bpmn:process id="p" name="&x;"/></bpmn:definitions>')
    problems = refused({"xxe.bpmn": xxe})
    assert problems == [("xxe.bpmn", "", "DOCTYPE and ENTITY declarations are not allowed")]
    assert "TOP-SECRET" not in repr(problems)


def test_entity_expansion_bombs_are_refused():
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                     for i in range(1, 9))
           + ']><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
           '&lol8;</bpmn:definitions>')
    [(_, _, reason)] = refused({"bomb.dmn": lol})
    assert "DOCTYPE" in reason


def test_a_user_task_without_a_form_deploys():
    """A formless user task is a step a person marks done (SpiffArena's convention)."""
    form = '<spiffworkflow:property name="formJsonSchemaFilename" value="note.schema.json" />'
    files = linear(**{form: ""})
    compiled = compile_package(Package(files), OPERATORS)
    assert "linear10" in compiled.specs


def test_a_manual_task_deploys_and_is_a_human_task():
    from engine.bpmn import is_human_task
    files = linear(**{'<bpmn:userTask id="step_01" name="Step 01">':
                      '<bpmn:manualTask id="step_01" name="Step 01">'})
    text = files["linear10.bpmn"]
    end = text.index("</bpmn:userTask>", text.index('id="step_01"'))
    files["linear10.bpmn"] = text[:end] + "</bpmn:manualTask>" + text[end + len("</bpmn:userTask>"):]
    spec, _ = compile_package(Package(files), OPERATORS).spec("linear10")
    assert type(spec.task_specs["step_01"]).__name__ == "ManualTask"
    assert is_human_task(spec.task_specs["step_01"])


def test_form_file_missing_from_the_package_is_refused():
    files = linear()
    del files["note.schema.json"]
    problems = refused(files)
    assert ("linear10.bpmn", "step_01", "form file 'note.schema.json' is not in the package") in problems
    assert len(problems) == 10


def test_invalid_json_schema_is_refused():
    files = linear()
    files["note.schema.json"] = '{"type": "objekt"}'
    [(file, _, reason)] = refused(files)
    assert file == "note.schema.json" and "not a valid JSON Schema" in reason


def test_a_user_task_outside_every_lane_deploys():
    """It goes to whoever started the case (see test_runtime); lanes are the domain's data."""
    files = linear(**{"<bpmn:flowNodeRef>step_01</bpmn:flowNodeRef>": ""})
    spec, _ = compile_package(Package(files), OPERATORS).spec("linear10")
    assert spec.task_specs["step_01"].lane is None


def test_any_lane_name_deploys_in_the_engine():
    """The engine is domain-free: which lanes have assignment rules is checked by the domain."""
    files = linear(**{'name="LeadUnit"': 'name="WhateverOffice"'})
    spec, _ = compile_package(Package(files), OPERATORS).spec("linear10")
    assert spec.task_specs["step_02"].lane == "WhateverOffice"


def _with_script(script: str) -> dict[str, str]:
    text = fixture("linear10.bpmn")
    # Turn the first flow's target into a script task between start and step_01.
    task = (f'<bpmn:scriptTask id="prepare"><bpmn:incoming>x</bpmn:incoming>'
            f'<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>')
    text = text.replace("</bpmn:process>", task + "</bpmn:process>", 1)
    return {"linear10.bpmn": text, "note.schema.json": fixture("note.schema.json")}


@pytest.mark.parametrize("script, reason", [
    ("x = ().__class__.__bases__[0]", "name '__class__' is not allowed"),
    ("import os", "'import' is not allowed"),
    ("y = _secret", "name '_secret' is not allowed"),
    ("z = getattr(a, 'b')", "'getattr' is not allowed"),
    ("w = eval('1')", "'eval' is not allowed"),
])
def test_unsafe_scripts_are_refused_with_the_script_task_id(script, reason):
    problems = refused(_with_script(script))
    assert any(p[1] == "prepare" and reason in p[2] for p in problems), problems


def test_unsafe_condition_expression_is_refused_with_the_flow_id():
    text = fixture("loop.bpmn")
    assert "satisfied == True" in text
    files = {"loop.bpmn": text.replace("satisfied == True", "satisfied.__class__ == bool", 1),
             "feedback.schema.json": fixture("feedback.schema.json"),
             "note.schema.json": fixture("note.schema.json")}
    [(file, element, reason)] = refused(files)
    assert (file, element) == ("loop.bpmn", "flow_satisfied_gw_to_end")
    assert "__class__" in reason


def test_unsafe_subject_expression_is_refused_with_the_task_id():
    text = fixture("boundary_timer.bpmn")
    assert "handle_due[:10]" in text
    files = {"boundary_timer.bpmn": text.replace("handle_due[:10]", "handle_due.__len__()", 1),
             "note.schema.json": fixture("note.schema.json")}
    [(file, element, reason)] = refused(files)
    assert (file, element) == ("boundary_timer.bpmn", "handle")
    assert reason.startswith("subject expression") and "__len__" in reason


def test_unsafe_dmn_entry_is_refused():
    files = {name: fixture(name) for name in ("dmn_rule.bpmn", "answer_route.dmn",
                                              "classify.schema.json", "note.schema.json")}
    files["answer_route.dmn"] = files["answer_route.dmn"].replace('"B"', '"B".__len__()', 1)
    problems = refused(files)
    assert any(p[0] == "answer_route.dmn" and "__len__" in p[2] for p in problems)


def test_dangling_sequence_flow_is_refused():
    text = fixture("linear10.bpmn")
    files = linear(**{'targetRef="step_02"': 'targetRef="nowhere"'})
    problems = refused(files)
    assert any("targetRef 'nowhere'" in p[2] for p in problems)
    assert any(p[1] == "step_02" and "no incoming" in p[2] for p in problems)
    assert text  # the original is untouched


def test_unknown_service_operator_is_refused():
    files = {name: fixture(name) for name in ("service_task.bpmn", "enter.schema.json",
                                              "note.schema.json")}
    with pytest.raises(DeployError) as err:
        compile_package(Package(files), operators=set())
    [problem] = err.value.problems
    assert (problem.element_id, problem.reason) == (
        "record_title_task", "no service-task operator named 'record_title'")


def test_problems_of_every_file_are_reported_together():
    files = linear(**{'targetRef="step_02"': 'targetRef="nowhere"'})
    files["bad.bpmn"] = "<not-closed>"
    problems = refused(files)
    assert {p[0] for p in problems} == {"bad.bpmn", "linear10.bpmn"}


SUB_IN_LANE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="sub_lanes" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_a" name="Commission">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>inner</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_b" name="LeadUnit"><bpmn:flowNodeRef>approve</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="inner"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:startEvent id="s2"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="approve"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="note.schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="e2"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="approve" />
      <bpmn:sequenceFlow id="g2" sourceRef="approve" targetRef="e2" />
    </bpmn:subProcess>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="inner" />
    <bpmn:sequenceFlow id="f2" sourceRef="inner" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_user_task_whose_lane_an_embedded_subprocess_would_override_is_refused():
    files = {"sub.bpmn": SUB_IN_LANE, "note.schema.json": fixture("note.schema.json")}
    [(file, element, reason)] = refused(files)
    assert (file, element) == ("sub.bpmn", "approve")
    assert "lane 'LeadUnit'" in reason and "subprocess 'inner'" in reason
    # Same lane, or the subprocess outside any lane: accepted.
    compile_package(Package({**files, "sub.bpmn": SUB_IN_LANE.replace(
        'name="LeadUnit"', 'name="Commission"')}), OPERATORS)
    compile_package(Package({**files, "sub.bpmn": SUB_IN_LANE.replace(
        "<bpmn:flowNodeRef>inner</bpmn:flowNodeRef>", "")}), OPERATORS)
