"""Alembic migrations create exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from models import Base
from models.migrations import upgrade

from ..conftest import PG_URL


def _diff(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    return diff, tables


def test_upgrade_on_an_empty_sqlite_database_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    diff, tables = _diff(url)
    assert diff == []
    assert {"process_version", "process_instance", "human_task", "timer", "audit_event"} <= tables


def test_upgrade_on_postgresql_matches_the_models():
    if not PG_URL:  # the suite runs this whenever PostgreSQL is configured (CI always)
        return
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS migration_check CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA migration_check")
    engine.dispose()
    url = PG_URL + ("&" if "?" in PG_URL else "?") + "options=-csearch_path%3Dmigration_check"
    try:
        upgrade(url)
        diff, tables = _diff(url)
        assert diff == []
        assert "human_task" in tables
    finally:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS migration_check CASCADE")
        engine.dispose()


def test_the_migration_seeds_the_rows_the_code_seeds():
    """Migrations import no application code, so the lane rules, start permissions and built-in
    roles are written there literally: they must equal the ones demo and test databases get."""
    import importlib.util
    from pathlib import Path

    from models import ROLE_NAMES, ROLES
    from workflows.lanes import DEFAULT_RULES
    from workflows.starting import DEFAULT_START
    versions = Path(__file__).resolve().parents[2] / "models/migrations/versions"
    modules = []
    for name in ("0014_lanes_and_roles", "0018_intake"):
        spec = importlib.util.spec_from_file_location(f"m{name}", versions / f"{name}.py")
        modules.append(importlib.util.module_from_spec(spec))
        spec.loader.exec_module(modules[-1])
    assert [rule for m in modules for rule in m.LANE_RULES] == [
        (r.process_id, r.lane, r.kind, r.role, r.path) for r in DEFAULT_RULES]
    assert [row for m in modules for row in m.START] == list(DEFAULT_START)
    assert modules[0].ROLES == [(code, *ROLE_NAMES[code]) for code in ROLES]


def test_the_upgraded_database_holds_the_seeded_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        roles = conn.exec_driver_sql("SELECT count(*) FROM role WHERE builtin").scalar()
        rule = conn.exec_driver_sql("SELECT kind, role, path FROM lane_rule WHERE "
                                    "process_id = 'unit_handling' AND lane = 'CoUnit'").one()
    engine.dispose()
    assert roles == 9 and tuple(rule) == ("unit_role", "unit_handler", "co_unit.unit")
