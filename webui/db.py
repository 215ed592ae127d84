"""One database session per request: it reads, and a write block goes on in it.

A request holds at most one pooled connection at a time. The write used to open a second
session while the request's reading session kept its connection; under the development
server's burst of threads every connection ended up held by a request waiting for a second
one (issue 13: 32 of 50 completions answered 500 after a 30 s pool timeout).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask, current_app, g, jsonify
from sqlalchemy.orm import Session

from engine import Engine
from models import Database, utcnow  # noqa: F401  (re-exported for views)
from workflows import make_engine


def database() -> Database:
    return current_app.extensions["db"]


def engine() -> Engine:
    return current_app.extensions["engine"]


def session() -> Session:
    """The request's session (closed at teardown)."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session


@contextmanager
def write() -> Iterator[Session]:
    """A write transaction in the request's session, committed at the end of the block (or
    rolled back on error). It starts by ending the session's read transaction, so what was read
    before is read again inside the write, and later reads in the request see the change."""
    with database().write(session()) as s:
        yield s


def now():
    return engine().clock()


def init_app(app: Flask, database: Database | None = None) -> None:
    """The app's database (the given one, e.g. a test's, or one on DATABASE_URL), its engine
    (config ENGINE or the domain's), the per-request session's clean-up, and /healthz."""
    if database is None:
        url = app.config["DATABASE_URL"]
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        database = Database(url)
    app.extensions["db"] = database
    app.extensions["engine"] = app.config.get("ENGINE") or make_engine()

    @app.get("/healthz")
    def healthz():
        """Load balancers and monitoring (no login): answers once the database answers."""
        with app.extensions["db"].session() as session:
            session.connection().exec_driver_sql("SELECT 1")
        return jsonify(status="ok")

    @app.teardown_appcontext
    def close(_exc):
        s = g.pop("db_session", None)
        if s is not None:
            s.close()
