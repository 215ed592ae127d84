"""The `jianyi` command line: validate and deploy report problems the way designers need."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from models import AuditEvent, Database, ProcessInstance, ProcessVersion
from webui.cli import main

from ..conftest import BPMN, PROCESSES
from ..workflows.helpers import Cases


def _env(tmp_path):
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def _folder(tmp_path, names):
    """Fixture files for the domain's CLI (process `loop`, lanes Deputy and LeadUnit)."""
    folder = tmp_path / "bpmn"
    folder.mkdir()
    for name in names:
        (folder / name).write_text((PROCESSES / name).read_text())
    return folder


def _rules(runner, env):
    """Give the lanes of the fixture process `loop` their rules."""
    for lane, kind in (("Deputy", ["--kind", "initiator"]),
                       ("LeadUnit", ["--kind", "unit_role", "--role", "unit_handler",
                                     "--path", "branch.unit"])):
        result = runner.invoke(main, ["lanes", "set", "--process", "loop", "--lane", lane,
                                      *kind, "--actor", "designer1"], env=env)
        assert result.exit_code == 0, result.output


def test_validate_then_deploy_a_valid_folder(tmp_path):
    runner, env = CliRunner(), _env(tmp_path)
    folder = _folder(tmp_path, ["loop.bpmn", "feedback.schema.json", "note.schema.json"])
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["bpmn", "validate", str(folder)], env=env)
    assert result.exit_code == 1
    assert "loop.bpmn  lane_LeadUnit  流程 loop 的泳道“LeadUnit”没有分派规则，其中的元素：rehandle\n" \
        in result.output
    result = runner.invoke(main, ["bpmn", "validate", str(folder)], env={**env, "JIANYI_LANG": "en"})
    assert ("loop.bpmn  lane_LeadUnit  lane 'LeadUnit' of process 'loop' has no assignment "
            "rule; its elements: rehandle\n") in result.output
    assert "refused: 2 problem(s)" in result.output
    _rules(runner, env)
    result = runner.invoke(main, ["lanes", "list", "--process", "loop"], env=env)
    assert "loop\tLeadUnit\tunit_role\tunit_handler\tbranch.unit" in result.output
    result = runner.invoke(main, ["bpmn", "validate", str(folder)], env=env)
    assert result.exit_code == 0 and "valid: loop" in result.output
    result = runner.invoke(main, ["bpmn", "deploy", str(folder), "--by", "designer1"], env=env)
    assert result.exit_code == 0, result.output
    assert "deployed version 1" in result.output
    database = Database(env["DATABASE_URL"])
    with database.session() as session:
        assert session.scalar(select(ProcessVersion.deployed_by)) == "designer1"
        deploy = session.scalars(select(AuditEvent).where(AuditEvent.action == "deploy")).one()
    assert deploy.actor == "designer1" and deploy.detail["processes"] == ["loop"]
    database.dispose()


def test_validate_lists_every_problem_with_file_and_element(tmp_path):
    runner, env = CliRunner(), _env(tmp_path)
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    _rules(runner, env)
    folder = _folder(tmp_path, ["loop.bpmn", "feedback.schema.json"])  # note form missing
    result = runner.invoke(main, ["bpmn", "validate", str(folder)], env=env)
    assert result.exit_code == 1
    assert "loop.bpmn  rehandle  form file 'note.schema.json' is not in the package" in result.output
    assert "refused: 1 problem(s)" in result.output


def test_a_refused_deploy_stores_nothing(tmp_path):
    runner, env = CliRunner(), _env(tmp_path)
    runner.invoke(main, ["db", "upgrade"], env=env)
    _rules(runner, env)
    folder = _folder(tmp_path, ["loop.bpmn", "feedback.schema.json", "note.schema.json"])
    (folder / "loop.bpmn").write_text((folder / "loop.bpmn").read_text()
                                      .replace("satisfied == True", "__import__('os')"))
    result = runner.invoke(main, ["bpmn", "deploy", str(folder)], env=env)
    assert result.exit_code == 1 and "__import__" in result.output
    database = Database(env["DATABASE_URL"])
    with database.session() as session:
        assert session.scalars(select(ProcessVersion)).all() == []
    database.dispose()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_migrate_is_a_dry_run_until_applied(db, org, domain_engine, tmp_path):
    """`jianyi bpmn migrate`: a case waiting at `assign` moves to a version that renames it."""
    cases = Cases(db, domain_engine, org)
    case = cases.case(cases.register())
    folder = tmp_path / "v2"
    shutil.copytree(BPMN, folder)
    text = (folder / "suggestion.bpmn").read_text()
    (folder / "suggestion.bpmn").write_text(
        text.replace('name="交办"', 'name="交办建议"'))
    runner = CliRunner()
    env = {"DATABASE_URL": db.url.render_as_string(hide_password=False)}
    deployed = runner.invoke(main, ["bpmn", "deploy", str(folder), "--by", "designer1"], env=env)
    assert deployed.exit_code == 0, deployed.output
    with db.session() as s:
        old, new = s.scalars(select(ProcessVersion.id).order_by(ProcessVersion.id)).all()

    dry = runner.invoke(main, ["bpmn", "migrate", "--case", str(case)], env=env)
    assert dry.exit_code == 0, dry.output
    assert f"case {case}: version {old} -> {new}: would migrate" in dry.output
    assert "(dry run)" in dry.output
    with db.session() as s:
        assert s.get(ProcessInstance, case).process_version_id == old

    applied = runner.invoke(main, ["bpmn", "migrate", "--process", "suggestion", "--at", "assign",
                                   "--apply", "--by", "designer1"], env=env)
    assert applied.exit_code == 0, applied.output
    assert f"case {case}: version {old} -> {new}: migrated" in applied.output
    with db.session() as s:
        assert s.get(ProcessInstance, case).process_version_id == new
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "migrate")).all()
    assert (event.actor, event.instance_id) == ("designer1", case)
