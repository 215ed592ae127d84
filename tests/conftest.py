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
from dataclasses import dataclass, field

from sqlalchemy import select

from models import CongressSession, Deputy, Division, Unit, User
from workflows import make_engine as make_domain_engine
from workflows.users import create_user

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


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test's database is new; corpora and step names read from an earlier test's
    database must not be reused (PostgreSQL tests share one URL)."""
    from workflows import instances, similarity
    similarity.clear_cache()
    instances.clear_cache()


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
        _seed(database)
        yield database
        database.dispose()
        return
    database = request.getfixturevalue("_pg_database")
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    _seed(database)
    yield database


def _seed(database: Database) -> None:
    """What the migrations write besides the schema: roles, default lane rules, start rights."""
    from workflows import seed_defaults
    with database.write() as session:
        seed_defaults(session)


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


# ---- the suggestion domain: a small organisation and the real process deployed ----
BPMN = Path(__file__).resolve().parents[1] / "bpmn"
UNITS = [("transport", "省交通运输厅", "government"), ("finance", "省财政厅", "government"),
         ("education", "省教育厅", "government"), ("water", "省水利厅", "government"),
         ("power", "国网省电力公司", "other")]


@dataclass
class Org:
    """Who is who in the test province."""

    congress_session_id: int
    users: dict[str, User] = field(default_factory=dict)
    deputies: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def domain_engine(clock):
    return make_domain_engine(clock)


@pytest.fixture
def org(db, domain_engine) -> Org:
    """Units with divisions, three deputies, and users for every role (unit roles per unit)."""
    with db.write() as session:
        congress = CongressSession(congress=14, meeting=3, year=2026, name="省十四届人大三次会议")
        session.add(congress)
        for code, name, kind in UNITS:
            unit = Unit(code=code, name=name, kind=kind)
            unit.divisions = [Division(name=f"{name}综合处"), Division(name=f"{name}规划处")]
            session.add(unit)
        session.flush()
        result = Org(congress_session_id=congress.id)
        for name, electoral in [("王芳", "长沙市"), ("李强", "岳阳市"), ("张伟", "衡阳市")]:
            deputy = Deputy(name=name, electoral_unit=electoral)
            session.add(deputy)
            session.flush()
            result.deputies[name] = deputy.id
            create_user(session, f"dep_{deputy.id}", name, "deputy", "pw", deputy_id=deputy.id)
        create_user(session, "commission", "代表工委", "commission", "pw")
        create_user(session, "leader", "省领导甲", "provincial_leader", "pw")
        create_user(session, "leader2", "省领导乙", "provincial_leader", "pw")
        for code, _name, _kind in UNITS:
            for role in ("unit_handler", "reviewer", "signer"):
                create_user(session, f"{code}_{role}", f"{code} {role}", role, "pw", unit_code=code)
        session.flush()
        for user in session.scalars(select(User)):
            result.users[user.username] = user
        deploy_package = Package.from_folder(BPMN)
        domain_engine.deploy(session, deploy_package, "designer")
    return result
