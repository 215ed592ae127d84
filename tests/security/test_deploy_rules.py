"""Deploy refuses what would fail at run time: a lane without an assignment rule."""
from __future__ import annotations

import pytest

from engine import DeployError, Package

from ..conftest import BPMN


def _renamed(old: str, new: str) -> Package:
    files = dict(Package.from_folder(BPMN).files)
    text = files["unit_handling.bpmn"]
    assert f'name="{old}"' in text
    files["unit_handling.bpmn"] = text.replace(f'name="{old}"', f'name="{new}"', 1)
    return Package(files)


def test_a_lane_without_a_rule_is_refused_with_the_lane_id_and_its_elements(db, domain_engine):
    from workflows import designer
    with db.session() as s:
        [problem] = designer.validate(s, domain_engine, dict(_renamed("Reviewer", "Finance").files))
    assert (problem.file, problem.element_id) == ("unit_handling.bpmn", "lane_Reviewer")
    assert problem.reason.startswith("流程 unit_handling 的泳道“Finance”没有分派规则，其中的元素："
                                     "review, ")


def test_the_refused_lane_is_shown_by_the_designer(app, login_as, db):
    from workflows.users import create_user
    with db.write() as s:
        create_user(s, "designer", "设计", "designer", "pw")
    designer = login_as("designer")
    designer.get("/designer")
    response = designer.http.post("/designer/validate",
                                  json={"files": dict(_renamed("Signer", "GeneralOffice").files)},
                                  headers={"X-CSRFToken": designer.token})
    problems = response.get_json()["problems"]
    assert any(p["element_id"] == "lane_Signer" and "GeneralOffice" in p["reason"]
               for p in problems), problems


def test_every_shipped_lane_has_a_rule(db, domain_engine):
    from workflows import designer
    with db.session() as s:
        assert designer.validate(s, domain_engine, dict(Package.from_folder(BPMN).files)) == []


ELSEWHERE = [
    ("a conditional event", '<bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>a</bpmn:incoming>'
     '<bpmn:outgoing>b</bpmn:outgoing><bpmn:conditionalEventDefinition id="c"><bpmn:condition>'
     'EXPR</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>'),
    ("a signal payload", '<bpmn:intermediateThrowEvent id="wait"><bpmn:incoming>a</bpmn:incoming>'
     '<bpmn:outgoing>b</bpmn:outgoing><bpmn:extensionElements><spiffworkflow:payloadExpression>'
     'EXPR</spiffworkflow:payloadExpression></bpmn:extensionElements>'
     '<bpmn:signalEventDefinition id="c" /></bpmn:intermediateThrowEvent>'),
    ("a message payload", '<bpmn:intermediateThrowEvent id="wait"><bpmn:incoming>a</bpmn:incoming>'
     '<bpmn:outgoing>b</bpmn:outgoing><bpmn:messageEventDefinition id="c"><bpmn:extensionElements>'
     '<spiffworkflow:messagePayload>EXPR</spiffworkflow:messagePayload></bpmn:extensionElements>'
     '</bpmn:messageEventDefinition></bpmn:intermediateThrowEvent>'),
]


@pytest.mark.parametrize("where, element", ELSEWHERE, ids=[e[0] for e in ELSEWHERE])
def test_expressions_outside_scripts_are_checked_too(where, element):
    from engine import compile_package
    from ..conftest import PROCESSES
    text = (PROCESSES / "linear10.bpmn").read_text()
    hostile = element.replace("EXPR", "(x for x in [1]).gi_frame")
    files = {"linear10.bpmn": text.replace("</bpmn:process>", hostile + "</bpmn:process>", 1),
             "note.schema.json": (PROCESSES / "note.schema.json").read_text()}
    with pytest.raises(DeployError) as err:
        compile_package(Package(files))
    assert any(p.element_id in ("wait", "c") and "gi_frame" in p.reason
               for p in err.value.problems), err.value.problems


def test_a_stored_version_that_todays_rules_refuse_never_runs(db, domain_engine, org, login_as):
    """A version stored before a rule existed (here: written straight into the database) is
    not run: `jianyi check` names it, and its case's pages and completions answer 409 with
    the case unchanged."""
    from sqlalchemy import select, update

    from engine.consistency import check_instances, check_versions
    from models import HumanTask, ProcessVersion
    from .test_script_escapes import _package, _state, commission_lane
    with db.write() as s:
        commission_lane(s)
        version = domain_engine.deploy(s, _package("n = 1"), "designer")
        case = domain_engine.start(s, "scripted", {}, actor="commission").instance_id
        files = dict(version.files)
        files["scripted.bpmn"] = files["scripted.bpmn"].replace(
            "n = 1", "g = (x for x in [1])\nb = g.gi_frame.f_back.f_builtins")
        s.execute(update(ProcessVersion).where(ProcessVersion.id == version.id)
                  .values(files=files))
    domain_engine._versions.clear()  # as after a restart: the stored files are read again
    with db.session() as s:
        task = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == case))
        [problem] = check_versions(s, domain_engine)
        assert f"process version {version.id} no longer passes" in problem and "gi_frame" in problem
        assert [p.split(":")[0] for p in check_instances(s, domain_engine)] == [f"case {case}"]
    before = _state(db, case)
    commission = login_as("commission")
    page = commission.get(f"/tasks/{task}")
    assert page.status_code == 409 and "流程版本已不能运行" in page.get_data(as_text=True)
    assert commission.post(f"/tasks/{task}", {"note": "x"}).status_code == 409
    assert _state(db, case) == before


def test_names_longer_than_the_inbox_keeps_are_refused():
    """PostgreSQL would refuse them when the task opens, failing every case that reaches it."""
    from engine import compile_package
    from ..conftest import PROCESSES
    text = (PROCESSES / "linear10.bpmn").read_text()
    assert 'id="step_01" name="' in text
    long_name = "很长的步骤名称" * 40
    files = {"linear10.bpmn": text.replace('id="step_01" name="', f'id="step_01" name="{long_name}', 1),
             "note.schema.json": (PROCESSES / "note.schema.json").read_text()}
    with pytest.raises(DeployError) as err:
        compile_package(Package(files))
    assert [(p.element_id, p.reason) for p in err.value.problems] == [
        ("step_01", "name is longer than 255 characters")]
