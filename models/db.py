"""Database connection: SQLite (WAL) by default, PostgreSQL when the URL says so.

Only entry points (request teardown, CLI command, scheduler job) open and commit sessions; every
other function takes the session it is given.
"""
from __future__ import annotations

import fcntl
import functools
import logging
import os
import re
import select
import threading
import time
import weakref
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from typing import Callable, Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from .base import Base

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class Database:
    """One database: an SQLAlchemy engine plus read and write session factories."""

    def __init__(self, url: str, echo: bool = False):
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict = {"echo": echo}
        if self.is_sqlite:
            memory = self.url.database in (None, "", ":memory:")
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if memory:
                kwargs["poolclass"] = StaticPool
            else:
                # A connection to a file is a file handle in this process: never make a thread
                # wait for one. With a bounded pool, threads that each held a connection and
                # asked for another (a request writing, or reading a long export in a session
                # of its own) waited on each other until the 30 s timeout. Ten stay open.
                kwargs.update(pool_size=10, max_overflow=-1)
        else:
            kwargs.update(pool_size=10, max_overflow=20)
        self.engine = create_engine(self.url, **kwargs)
        if not self.is_sqlite:
            event.listen(self.engine, "checkout", _closed_by_server)
        self._writer = nullcontext()
        self._checkpointer: _Checkpointer | None = None
        if self.is_sqlite:
            _configure_sqlite(self.engine)
            if self.url.database not in (None, "", ":memory:"):
                self._writer = _WriterLock(self.url.database + ".writer")
                self._checkpointer = _Checkpointer(self.engine)
        event.listen(self.engine, "begin", _begun)
        event.listen(self.engine, "before_cursor_execute", _note_write)
        # Reading on PostgreSQL runs in autocommit: see _READ_OPTIONS.
        reading = self.engine if self.is_sqlite else self.engine.execution_options(
            **_READ_OPTIONS)
        self._sessions = sessionmaker(bind=reading, class_=_Session, expire_on_commit=False,
                                      info={_WRITING: False})

    def create_all(self) -> None:
        """Create every table from the models (tests; production uses Alembic)."""
        Base.metadata.create_all(self.engine)

    def drop_all(self) -> None:
        Base.metadata.drop_all(self.engine)

    def session(self) -> Session:
        """A plain session for reading; the caller closes it."""
        return self._sessions()

    @contextmanager
    def write(self, session: Session | None = None) -> Iterator[Session]:
        """A session for one write transaction: committed on success, rolled back on error.

        On SQLite the transaction starts with BEGIN IMMEDIATE so that two writers queue for the
        lock instead of one failing later on a stale snapshot; PostgreSQL relies on row locks.

        Given a `session` that has been reading (a web request's), the write goes on in it: its
        read transaction ends first, handing its connection back, and what it had loaded is
        expired so that the write reads it again under the write's lock. One connection at a
        time per caller: a caller that held one while waiting for a second could, with enough
        callers at once, leave every one of them waiting.
        """
        own = session is None
        if own:
            session = self._sessions()
        else:
            session.end_read()  # its connection goes back to the pool
        try:
            with self._writer:  # held from BEGIN to COMMIT or ROLLBACK, not a moment longer
                session.info[_WRITING] = True
                try:
                    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"}
                                       if self.is_sqlite else _WRITE_OPTIONS)
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
                finally:
                    session.info[_WRITING] = False
        finally:
            if own:
                session.close()
        if self._checkpointer is not None:
            self._checkpointer.wrote()

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()


class _WriterLock:
    """Queue SQLite writers of every process on a lock file.

    Without it, a writer that finds the database locked sleeps in SQLite's busy handler for up
    to 100 ms at a time; a blocking flock wakes the next writer as soon as the lock is free.
    """

    def __init__(self, path: str):
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def __enter__(self):
        self._threads.acquire()
        if self._fd is None or self._pid != os.getpid():  # reopen after a fork
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()
        return False


class _Checkpointer:
    """Copies SQLite's write-ahead log into the database file from a background thread.

    SQLite's automatic checkpoint runs inside whichever commit crosses its threshold (1,000 pages),
    so every few dozen completions one request paid for copying and syncing megabytes: turning it
    off took completions over HTTP from ~230 /s to ~345 /s, and the slow tail with it. Our
    connections never checkpoint automatically; once this process has written, a daemon thread
    runs a PASSIVE checkpoint (it never blocks readers or writers) every `interval_s`. The last
    connection to close checkpoints and removes the log as usual.
    """

    def __init__(self, engine, interval_s: float = 0.5, quiet_wait_ms: int = 50):
        self._engine = weakref.ref(engine)
        self.interval_s, self.quiet_wait_ms = interval_s, quiet_wait_ms
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._last_write = 0.0

    def wrote(self) -> None:
        """After a write: make sure the thread runs in this process (also after a fork)."""
        self._last_write = time.monotonic()
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                self._stop = threading.Event()
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, args=(self._stop,),
                                                name="sqlite-checkpoint", daemon=True)
                self._thread.start()

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            engine = self._engine()
            if engine is None:  # the database object is gone
                return
            try:
                raw = engine.raw_connection()
                try:
                    self._checkpoint(raw.driver_connection)
                finally:
                    raw.close()
            except Exception:  # a busy or disposed database: the next round tries again
                log.debug("WAL checkpoint skipped", exc_info=True)
            del engine

    def _checkpoint(self, conn) -> None:
        _busy, log_frames, _done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if log_frames and time.monotonic() - self._last_write > self.interval_s:
            # While writes keep coming a PASSIVE checkpoint never reaches the log's end, so the
            # log is not started over and grows (~300 MB in a one-minute full-speed bench).
            # Once this process has been quiet for a round, wait briefly for readers and
            # truncate it; if they are still busy, the next quiet round tries again. (Forcing
            # it under load would stall every writer behind it.)
            conn.execute(f"PRAGMA busy_timeout={self.quiet_wait_ms}")
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                conn.execute("PRAGMA busy_timeout=30000")

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None and self._pid == os.getpid():
            thread.join(timeout=5)


def _closed_by_server(dbapi_conn, _record, _proxy) -> None:
    """A pooled PostgreSQL connection the server has closed is replaced as it is checked out.

    An idle connection's socket has nothing to read unless the server spoke first — when it
    ends the session (a restart, an administrator's terminate) it sends its farewell and closes,
    and the socket turns readable. Looking costs one poll() of the socket; the pool's pre-ping
    asked PostgreSQL itself, a round trip on every checkout, i.e. on every request. Raising
    DisconnectionError makes the pool discard the connection and check out another (it
    invalidates the older ones with it)."""
    if dbapi_conn.closed or dbapi_conn.broken:
        raise DisconnectionError("the connection is closed")
    poller = select.poll()
    poller.register(dbapi_conn.pgconn.socket, select.POLLIN)
    if poller.poll(0):
        raise DisconnectionError("the server has closed the connection")


def _configure_sqlite(engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is unreliable).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA wal_autocheckpoint=0")  # see _Checkpointer
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


_WRITING = "jianyi_writing"
_WROTE = "jianyi_wrote"
# A session reading on PostgreSQL runs its statements in autocommit: no BEGIN before the first
# and no COMMIT after the last, two round trips fewer on every request (about a tenth of a web
# worker's time went to them under `make load`). Reads see what they saw before: at READ
# COMMITTED, PostgreSQL's level and ours, each statement takes its own snapshot inside a
# transaction too. A write still runs in one transaction (`Database.write`), and a read
# connection refuses anything but one SELECT, or one WITH ... SELECT without a data-modifying
# part, that locks no rows (`_note_write`), so nothing a read session does can commit half a
# change. (psycopg switches autocommit on the client: no round trip.)
_READ_OPTIONS = {"isolation_level": "AUTOCOMMIT", "jianyi_read": True}
_WRITE_OPTIONS = {"isolation_level": "READ COMMITTED", "jianyi_read": False}
_READ_ONLY = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_LOCKS = re.compile(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)


def _begun(conn) -> None:
    conn.info[_WROTE] = False


def _note_write(conn, _cursor, statement: str, *_args) -> None:
    if _read_only(statement):
        return
    conn.info[_WROTE] = True  # it may have written: see _Session
    if conn.get_execution_options().get("jianyi_read"):
        raise WriteOutsideTransaction(
            "on a read connection a write would commit at once and a row lock end with its "
            "statement: open the session with db.write()")


@functools.lru_cache(maxsize=4096)  # every statement passes here; compiled SQL repeats
def _read_only(statement: str) -> bool:
    """One SELECT, or WITH … SELECT without a data-modifying part, that locks no rows. One: a
    statement without parameters goes to PostgreSQL as it is, and it runs every statement in
    it, so "SELECT 1; UPDATE …" would write (a semicolon in a literal is refused too: loudly)."""
    head = _READ_ONLY.match(statement)
    return bool(head) and ";" not in statement.rstrip().rstrip(";") \
        and not _LOCKS.search(statement) and (
            head.group(1).upper() == "SELECT" or not _WRITES.search(statement))


class _Session(Session):
    """A session whose read transaction ends with COMMIT when it wrote nothing.

    psycopg forgets every prepared statement of a connection on ROLLBACK (an object it refers
    to may have been dropped in the transaction), so ending each request's read transaction
    with one kept PostgreSQL parsing and planning every statement afresh: prepared after five
    runs, a statement was forgotten at the end of the request. A transaction that only ran
    SELECTs commits to the same effect as a rollback; anything else still rolls back.
    """

    def end_read(self) -> None:
        """End the current transaction, which must not keep anything."""
        transaction = self.get_transaction()
        if (transaction is not None and transaction.is_active and self.info.get(_WRITING) is False
                and self._is_clean()
                and not any(conn.info.get(_WROTE, True)
                            for conn, *_rest in transaction._connections.values())):
            try:
                self.commit()
                return
            except SQLAlchemyError:  # e.g. the connection broke: roll back as before
                pass
        self.rollback()

    def close(self) -> None:
        self.end_read()
        super().close()


class WriteOutsideTransaction(RuntimeError):
    """A session for reading tried to write."""


@event.listens_for(Session, "before_flush")
def _only_inside_write(session: Session, _context, _instances) -> None:
    # A read session's transaction began on a snapshot; on SQLite upgrading it to a write fails
    # at once ("database is locked", no busy wait) whenever another connection holds or has
    # used the write lock since, and on PostgreSQL nobody commits it. Every write goes through
    # `Database.write`, which takes the lock first; a flush anywhere else is a bug, said loudly.
    if session.info.get(_WRITING) is False and (
            session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)):
        raise WriteOutsideTransaction(
            "a write outside Database.write(): open the session with db.write()")


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run callback once the session's current transaction commits; drop it on rollback."""
    session.info.setdefault("on_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    for callback in session.info.pop("on_commit", []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_commit(session: Session, _previous) -> None:
    session.info.pop("on_commit", None)
