"""One database session per request for reading; writes open their own transaction."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from engine import Engine
from models import Database, utcnow  # noqa: F401  (re-exported for views)


def database() -> Database:
    return current_app.extensions["db"]


def engine() -> Engine:
    return current_app.extensions["engine"]


def session() -> Session:
    """The request's reading session (closed at teardown)."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session


@contextmanager
def write() -> Iterator[Session]:
    """A write transaction, committed at the end of the block (or rolled back on error)."""
    with database().write() as s:
        yield s
    if "db_session" in g:
        g.db_session.expire_all()  # later reads in this request see the change


def now():
    return engine().clock()


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def close(_exc):
        s = g.pop("db_session", None)
        if s is not None:
            s.close()
