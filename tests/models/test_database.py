"""SQLite specifics of `models.Database`: the write-ahead log is moved into the database file by
a background thread, never inside a request's commit."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from models import Database, Unit


def _rows_in_main_file(path: str) -> int:
    """Rows visible in the database file itself (`immutable` ignores the write-ahead log)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM unit").fetchone()[0]
    except sqlite3.OperationalError:  # not even the table is in the file yet
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
        before = _rows_in_main_file(path)
        with db.write() as s:
            s.execute(insert(Unit), [dict(code=f"u{i}", name=f"单位{i}", kind="government")
                                     for i in range(50)])
        with db.session() as s:  # committed: every reader sees the rows at once
            assert s.scalar(select(func.count()).select_from(Unit)) == 50
        deadline = time.monotonic() + 10
        while _rows_in_main_file(path) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _rows_in_main_file(path) == 50  # the checkpoint thread copied the log over
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
