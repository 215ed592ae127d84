"""SQLite specifics of `models.Database`: the write-ahead log is moved into the database file by
a background thread, never inside a request's commit."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import func, insert, select, text

from models import Database, Unit
from models.db import WriteOutsideTransaction, _read_only


def _rows_in_main_file(path: str) -> int:
    """Rows visible in the database file itself (`immutable` ignores the write-ahead log, and
    takes no lock: a read while the checkpoint copies pages over may see a torn file)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM unit").fetchone()[0]
    except sqlite3.DatabaseError:  # not even the table is in the file yet, or a torn read
        return -1
    finally:
        conn.close()


def test_commits_leave_the_log_to_the_background_checkpoint(tmp_path):
    path = str(tmp_path / "wal.db")
    db = Database(f"sqlite:///{path}")
    db.create_all()
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        with db.write() as s:
            s.execute(insert(Unit), [dict(code=f"u{i}", name=f"单位{i}", kind="government")
                                     for i in range(50)])
        with db.session() as s:  # committed: every reader sees the rows at once
            assert s.scalar(select(func.count()).select_from(Unit)) == 50
        deadline = time.monotonic() + 10
        rows = _rows_in_main_file(path)
        while rows != 50 and time.monotonic() < deadline:
            time.sleep(0.05)
            rows = _rows_in_main_file(path)
        assert rows == 50  # the checkpoint thread copied the log over
        wal = Path(path + "-wal")
        while wal.stat().st_size and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wal.stat().st_size == 0  # and, writes having stopped, truncated it
    finally:
        db.dispose()
    assert db._checkpointer._thread is None  # dispose stops the thread


def test_the_checkpoint_thread_starts_only_once_something_was_written(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'idle.db'}")
    db.create_all()
    try:
        with db.session() as s:
            s.scalar(select(func.count()).select_from(Unit))
        assert db._checkpointer._thread is None
        with db.write():
            pass
        assert db._checkpointer._thread.is_alive()
    finally:
        db.dispose()


def test_a_session_opened_for_reading_refuses_to_write(tmp_path):
    """On SQLite a read transaction upgraded to a write fails at once ("database is locked", no
    busy wait) if another connection holds the write lock, so every write must go through
    `Database.write()`, which takes the lock first; a write elsewhere is refused loudly, and the
    same object written through `write(session)` goes in."""
    db = Database(f"sqlite:///{tmp_path / 'guard.db'}")
    db.create_all()
    try:
        with db.write() as s:
            s.add(Unit(code="u1", name="单位1", kind="government"))
        with db.session() as s:
            unit = s.scalar(select(Unit))
            unit.name = "改名"
            with pytest.raises(WriteOutsideTransaction):
                s.flush()
            s.rollback()
            s.add(Unit(code="u2", name="单位2", kind="government"))
            with pytest.raises(WriteOutsideTransaction):
                s.scalar(select(func.count()).select_from(Unit))  # autoflush is a write too
            s.rollback()
            unit = s.scalar(select(Unit).where(Unit.code == "u1"))
            unit.name = unit.name  # no net change: nothing to write, nothing refused
            s.flush()
            s.delete(unit)  # a delete is a write too
            with pytest.raises(WriteOutsideTransaction):
                s.flush()
            s.rollback()
            with db.write(s):
                s.scalar(select(Unit).where(Unit.code == "u1")).name = "改名"
        with db.session() as s:
            assert s.scalars(select(Unit.name)).all() == ["改名"]
    finally:
        db.dispose()


def test_a_read_that_ran_a_statement_other_than_select_ends_in_rollback(db):
    """A read session commits only what only read (to keep PostgreSQL's prepared statements);
    a Core write slipped into it, or pending ORM changes, are rolled back as before — on
    PostgreSQL, where reads run in autocommit, the Core write is refused before it runs."""
    s = db.session()
    s.execute(select(func.count()).select_from(Unit))
    if db.is_sqlite:
        s.execute(insert(Unit), {"code": "slipped", "name": "不该留下", "kind": "government"})
    else:
        with pytest.raises(WriteOutsideTransaction):
            s.execute(insert(Unit), {"code": "slipped", "name": "不该留下", "kind": "government"})
    s.close()
    s = db.session()
    s.add(Unit(code="pending", name="也不该留下", kind="government"))
    s.close()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Unit).where(
            Unit.code.in_(["slipped", "pending"]))) == 0


def test_reads_run_without_a_transaction_and_writes_in_one(db):
    """On PostgreSQL a read session's statements run in autocommit (no BEGIN or COMMIT round
    trips); anything but one SELECT is refused there, row locks and a second statement after a
    semicolon included, since it would commit at once or lock nothing. A write in the same
    session runs in one transaction: an error inside it keeps none of its statements."""
    if db.is_sqlite:
        pytest.skip("SQLite reads keep their transaction (BEGIN is not a round trip there)")
    with db.session() as s:
        s.execute(select(func.count()).select_from(Unit))
        assert s.connection().connection.dbapi_connection.autocommit is True
        s.execute(text("WITH u AS (SELECT id FROM unit) SELECT count(*) FROM u"))
        for refused in ["UPDATE unit SET name = name",
                        "WITH u AS (UPDATE unit SET name = name RETURNING id) SELECT * FROM u",
                        "SELECT id FROM unit FOR UPDATE", "SELECT id FROM unit FOR NO KEY UPDATE",
                        "SELECT id FROM unit FOR SHARE", "select id from unit for key share",
                        "  delete from unit", "SELECT 1; UPDATE unit SET name = 'x'",
                        "select 1;delete from unit;"]:
            with pytest.raises(WriteOutsideTransaction):
                s.execute(text(refused))
        assert s.scalar(text("SELECT count(*) FROM unit WHERE name = 'x';")) == 0
        with pytest.raises(RuntimeError, match="boom"):
            with db.write(s):
                assert s.connection().connection.dbapi_connection.autocommit is False
                s.execute(insert(Unit), {"code": "first", "name": "一", "kind": "government"})
                s.execute(select(Unit.id).where(Unit.code == "first").with_for_update())
                s.execute(insert(Unit), {"code": "second", "name": "二", "kind": "government"})
                raise RuntimeError("boom")
        assert s.connection().connection.dbapi_connection.autocommit is True
        assert s.scalar(select(func.count()).select_from(Unit).where(
            Unit.code.in_(["first", "second"]))) == 0
        with db.write(s):
            s.execute(insert(Unit), {"code": "kept", "name": "留", "kind": "government"})
    with db.session() as s:
        assert s.scalar(select(Unit.name).where(Unit.code == "kept")) == "留"
    # Autocommit asked for on purpose (maintenance: VACUUM, ANALYZE) is not a read session's.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE unit")


_READS = ["SELECT 1", "select id from unit", "WITH u AS (SELECT id FROM unit) SELECT * FROM u",
          "  SELECT count(*) FROM unit WHERE name = %(name)s"]
_ANY = _READS + ["UPDATE unit SET name = 'x'", "delete from unit", "SELECT pg_sleep(0)",
                 "INSERT INTO unit (code) VALUES ('x')", "DROP TABLE unit", "COMMIT"]


@settings(max_examples=300, deadline=None)
@given(read=st.sampled_from(_READS), then=st.sampled_from(_ANY),
       gap=st.sampled_from([";", "; ", ";\n", " ;  ", ";;", ";\t"]),
       end=st.sampled_from(["", ";", " ; ", "\n", ";\n"]), upper=st.booleans())
def test_one_read_is_read_only_and_any_second_statement_is_not(read, then, gap, end, upper):
    """What a read connection lets through (`_read_only`), over many shapes: one read with any
    trailing semicolon or whitespace is a read; a read followed by a second statement, whatever
    that is and however it is joined, is not (PostgreSQL would run both in autocommit)."""
    case = str.upper if upper else str.lower
    assert _read_only(case(read) + end)
    assert not _read_only(case(read) + gap + case(then) + end)
