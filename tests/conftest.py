"""Shared fixtures: every database test runs on SQLite and, when JIANYI_TEST_DATABASE_URL is set,
on PostgreSQL as well."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Engine, ManualClock, Package
from models import Base, Database

FIXTURES = Path(__file__).parent / "fixtures"
PROCESSES = FIXTURES / "processes"
PG_URL = os.environ.get("JIANYI_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """Hashing dozens of demo passwords with scrypt would dominate the suite's run time."""
    import workflows.users
    workflows.users.HASH_METHOD = "pbkdf2:sha256:1000"


@pytest.fixture(scope="session")
def _pg_database():
    database = Database(PG_URL)
    Base.metadata.drop_all(database.engine)
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """An empty database with every table."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'test.db'}")
        database.create_all()
        yield database
        database.dispose()
        return
    database = request.getfixturevalue("_pg_database")
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database


@pytest.fixture
def clock():
    return ManualClock(START)


def record_title(call, title):
    """A service-task operator for the fixtures: echoes what it was given."""
    return {"title": title.upper(), "instance_id": call.instance_id, "actor": call.actor}


def make_engine(clock, **kwargs) -> Engine:
    kwargs.setdefault("operators", {"record_title": record_title})
    return Engine(clock=clock, **kwargs)


@pytest.fixture
def engine(clock):
    return make_engine(clock)


@pytest.fixture
def package():
    return Package.from_folder(PROCESSES)


@pytest.fixture
def deployed(db, engine, package):
    """The fixture processes deployed; returns the version row."""
    with db.write() as session:
        return engine.deploy(session, package, "designer")
