"""A process's settings file (`<process>.settings.toml`): read with its shape checked, applied
through the same checks as 流程设置, all or nothing; and `jianyi lanes load`."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from models import AuditEvent, LaneRule, StartPermission
from webui.cli import main
from workflows import process_settings

from ..conftest import START

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "deputy_meeting"
           / "deputy_meeting.settings.toml")


@pytest.mark.parametrize("text,reason", [
    ("process = ", "TOML"),
    ('process = "p"\nowner = "x"', "unknown keys"),
    ('start = ["deputy"]', "must name its process"),
    ('process = 3', "must name its process"),
    ('process = "p"\nstart = "deputy"', "list of role codes"),
    ('process = "p"\nlanes = 3', "table"),
    ('process = "p"\n[lanes."甲"]\nkind = "role"\nrole = "commission"\nscript = "x"', "甲"),
    ('process = "p"\n[lanes."甲"]\nkind = 1', "甲"),
    ("#" * 100_001, "at most"),
])
def test_a_file_of_another_shape_is_refused_saying_what(text, reason):
    with pytest.raises(process_settings.SettingsError) as refused:
        process_settings.parse(text)
    assert reason in str(refused.value)


def _counts(db):
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(LaneRule)),
                s.scalar(select(func.count()).select_from(StartPermission)))


@pytest.mark.parametrize("bad", [
    '[lanes."承办单位"]\nkind = "unit_role"\nrole = "unit_handler"\npath = "__class__.x"',
    '[lanes."承办单位"]\nkind = "role"\nrole = "no_such_role"',
    '[lanes."承办单位"]\nkind = "script"',
])
def test_a_refused_value_sets_nothing_of_the_file(db, bad):
    before = _counts(db)
    text = EXAMPLE.read_text("utf-8")
    text = text[:text.index('[lanes."承办单位"]')] + bad + "\n"
    with pytest.raises(process_settings.SettingsError) as refused, db.write() as s:
        process_settings.load(s, text, actor="designer", now=START)
    assert "承办单位" in str(refused.value)
    assert _counts(db) == before


def test_the_example_sets_its_rules_and_start_permission_audited(db):
    with db.write() as s:
        settings = process_settings.load(s, EXAMPLE.read_text("utf-8"), actor="designer",
                                         now=START)
    assert settings.start == ("deputy",)
    with db.session() as s:
        rules = {r.lane: (r.kind, r.role, r.path) for r in s.scalars(
            select(LaneRule).where(LaneRule.process_id == "deputy_meeting"))}
        audited = s.scalars(select(AuditEvent.action).where(AuditEvent.actor == "designer")).all()
    assert rules == {"代表": ("initiator", None, None),
                     "承办单位": ("unit_role", "unit_handler", "meeting_unit"),
                     "代表工委": ("role", "commission", None)}
    assert audited.count("lane_rule") == 3 and audited.count("start_permission") == 1


def test_jianyi_lanes_load(tmp_path):
    runner, env = CliRunner(), {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["lanes", "load", str(EXAMPLE), "--actor", "d1"], env=env)
    assert result.exit_code == 0, result.output
    assert "deputy_meeting: 3 lane rule(s), started by: deputy" in result.output
    listed = runner.invoke(main, ["lanes", "list", "--process", "deputy_meeting"], env=env).output
    assert "承办单位\tunit_role\tunit_handler\tmeeting_unit" in listed
    broken = tmp_path / "broken.settings.toml"
    broken.write_text('process = "deputy_meeting"\nstart = ["nobody"]\n', encoding="utf-8")
    result = runner.invoke(main, ["lanes", "load", str(broken)], env=env)
    assert result.exit_code != 0 and "role" in result.output
