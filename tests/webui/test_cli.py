"""The `jianyi` command line: validate and deploy report problems the way designers need."""
from __future__ import annotations

import shutil

from click.testing import CliRunner
from sqlalchemy import select

from models import AuditEvent, Database, ProcessVersion
from webui.cli import main

from ..conftest import PROCESSES


def _env(tmp_path):
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def _folder(tmp_path, names):
    folder = tmp_path / "bpmn"
    folder.mkdir()
    for name in names:
        shutil.copy(PROCESSES / name, folder / name)
    return folder


def test_validate_then_deploy_a_valid_folder(tmp_path):
    runner, env = CliRunner(), _env(tmp_path)
    folder = _folder(tmp_path, ["loop.bpmn", "feedback.schema.json", "note.schema.json"])
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
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
    folder = _folder(tmp_path, ["loop.bpmn", "feedback.schema.json"])  # note form missing
    result = CliRunner().invoke(main, ["bpmn", "validate", str(folder)], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "loop.bpmn  rehandle  form file 'note.schema.json' is not in the package" in result.output
    assert "refused: 1 problem(s)" in result.output


def test_a_refused_deploy_stores_nothing(tmp_path):
    runner, env = CliRunner(), _env(tmp_path)
    runner.invoke(main, ["db", "upgrade"], env=env)
    folder = _folder(tmp_path, ["loop.bpmn", "feedback.schema.json", "note.schema.json"])
    (folder / "loop.bpmn").write_text((folder / "loop.bpmn").read_text()
                                      .replace("satisfied == True", "__import__('os')"))
    result = runner.invoke(main, ["bpmn", "deploy", str(folder)], env=env)
    assert result.exit_code == 1 and "__import__" in result.output
    database = Database(env["DATABASE_URL"])
    with database.session() as session:
        assert session.scalars(select(ProcessVersion)).all() == []
    database.dispose()
