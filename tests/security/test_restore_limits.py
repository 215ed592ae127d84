"""Moving from SQLite to PostgreSQL (issue 13, item 12): a backup holding values SQLite took and
PostgreSQL cannot (a 100,000-character title, a NUL, an integer past the column) is refused
with a message naming table, row, column and limit, and nothing is written."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, select

from models import Base, CongressSession, Database, Deputy, Suggestion
from models.backup import BackupError, backup, restore
from webui.cli import main

from ..conftest import PG_URL
from ..ops.conftest import fresh_pg_database

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
pytestmark = pytest.mark.skipif(PG_URL is None, reason="needs JIANYI_TEST_DATABASE_URL")


def _suggestion(number: int, **values) -> dict:
    return {"congress_session_id": 1, "number": number, "title": "关于城际铁路的建议", "body": "正文",
            "field": "交通", "year": 2026, "lead_deputy_id": 1, "status": "registered",
            "registered_at": NOW, "key_suggestion": False, **values}


@pytest.fixture
def sqlite_backup(tmp_path):
    """A backup of an SQLite database whose rows were written directly, past every check."""
    source = Database(f"sqlite:///{tmp_path / 'source.db'}")
    source.create_all()
    with source.write() as s:
        s.add(CongressSession(congress=14, meeting=3, year=2026, name="省十四届人大三次会议"))
        s.add(Deputy(name="王芳", electoral_unit="长沙市"))
        s.flush()
        s.execute(insert(Suggestion), [
            _suggestion(1),
            _suggestion(2, title="长" * 100_000),
            _suggestion(3, body="正文\x00更多"),
            _suggestion(2**40),
        ])
    archive = tmp_path / "backup.zip"
    backup(source, archive)
    source.dispose()
    return archive


# Tables `jianyi db upgrade` fills before a restore (built-in roles, the suggestion process's
# lane rules and start permission); a refused restore leaves them as the migration wrote them.
SEEDED = {"role", "lane_rule", "start_permission"}


def _rows(database: Database) -> int:
    """Rows in the tables a restore writes and a migration does not seed."""
    with database.engine.connect() as conn:
        return sum(conn.scalar(select(func.count()).select_from(t))
                   for t in Base.metadata.sorted_tables if t.name not in SEEDED)


def test_restore_into_postgresql_names_table_row_column_and_limit(sqlite_backup):
    with fresh_pg_database("restore_limits") as url:
        target = Database(url)
        try:
            target.create_all()
            with pytest.raises(BackupError) as refused:
                restore(target, sqlite_backup)
            message = str(refused.value)
            assert "table suggestion, row id=2, column title: 100000 characters, the column " \
                   "holds at most 255" in message
            assert "table suggestion, row id=3, column body: contains NUL (U+0000)" in message
            assert f"table suggestion, row id=4, column number: {2**40} is outside the " \
                   f"column's range" in message
            assert "nothing was restored" in message
            assert _rows(target) == 0  # atomic: not even the good rows before them
        finally:
            target.dispose()


def test_jianyi_restore_prints_the_message_not_a_traceback(sqlite_backup, tmp_path):
    with fresh_pg_database("restore_limits") as url:
        result = CliRunner().invoke(main, ["restore", str(sqlite_backup)], env={
            "DATABASE_URL": url, "ATTACHMENTS_DIR": str(tmp_path / "files")})
        assert result.exit_code == 1, result.output
        assert "row id=2, column title: 100000 characters" in result.output
        assert "Traceback" not in result.output and "StringDataRightTruncation" not in \
            result.output
        target = Database(url)
        try:
            assert _rows(target) == 0
        finally:
            target.dispose()


def test_the_same_backup_restores_into_sqlite_which_holds_it(sqlite_backup, tmp_path):
    """SQLite holds what it held before: restoring there loses nothing."""
    target = Database(f"sqlite:///{tmp_path / 'again.db'}")
    target.create_all()
    try:
        restore(target, sqlite_backup)
        with target.session() as s:
            assert len(s.get(Suggestion, 2).title) == 100_000
    finally:
        target.dispose()
