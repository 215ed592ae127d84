"""The world a random walk runs in: a fresh database per walk with a small province (units with
divisions and every unit role twice, deputies with and without accounts, the commission, two
provincial leaders), the real process deployed, a ManualClock and the real engine
(`workflows.make_engine`).

SQLite: the province is built once into a template file and copied for every walk (a file copy
is far cheaper than creating the schema and deploying). PostgreSQL: the tables are emptied and the
province written again.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select, text

from engine import ManualClock, Package
from models import Base, CongressSession, Database, Deputy, Division, Unit, User
from workflows import make_engine, seed_defaults
from workflows.users import create_user

BPMN = Path(__file__).resolve().parents[3] / "bpmn"
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

# Seven units: lead + four co-units leaves two to return a case to.
UNITS = [("transport", "省交通运输厅", "government"), ("finance", "省财政厅", "government"),
         ("education", "省教育厅", "government"), ("water", "省水利厅", "government"),
         ("power", "国网省电力公司", "other"), ("health", "省卫生健康委员会", "government"),
         ("housing", "省住房和城乡建设厅", "government")]
# (name, electoral unit, has a login account): deputies without one give feedback on paper and
# the commission records it (代录).
DEPUTIES = [("王芳", "长沙市", True), ("李强", "岳阳市", False), ("张伟", "衡阳市", True),
            ("刘洋", "常德市", False), ("陈静", "株洲市", True)]
# Walk databases live in memory-backed /dev/shm when there is one: a walk writes after every step.
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
UNIT_ROLES = ("unit_handler", "reviewer", "signer")
LEADERS = ("leader", "leader2")


@dataclass
class Province:
    """Who is who (ids and usernames are the same in every walk: the template is copied)."""

    congress_session_id: int = 0
    units: dict[str, list[str]] = field(default_factory=dict)      # code -> division names
    deputies: dict[str, int] = field(default_factory=dict)         # name -> deputy id
    accounts: dict[int, str] = field(default_factory=dict)         # deputy id -> username


def populate(database: Database, engine) -> Province:
    """Write the province and deploy the real process into an empty database."""
    province = Province()
    with database.write() as session:
        seed_defaults(session)  # roles and lane rules, as the migrations write them
        congress = CongressSession(congress=14, meeting=3, year=2026, name="省十四届人大三次会议")
        session.add(congress)
        for code, name, kind in UNITS:
            unit = Unit(code=code, name=name, kind=kind)
            divisions = [f"{name}综合处", f"{name}规划处", f"{name}法规处"]
            unit.divisions = [Division(name=d) for d in divisions]
            province.units[code] = divisions
            session.add(unit)
        session.flush()
        province.congress_session_id = congress.id
        for name, electoral, has_account in DEPUTIES:
            deputy = Deputy(name=name, electoral_unit=electoral)
            session.add(deputy)
            session.flush()
            province.deputies[name] = deputy.id
            if has_account:
                create_user(session, f"dep_{deputy.id}", name, "deputy", "pw", deputy_id=deputy.id)
                province.accounts[deputy.id] = f"dep_{deputy.id}"
        for username in ("commission", "commission2"):
            create_user(session, username, "代表工委" + username[-1:], "commission", "pw")
        for username in LEADERS:
            create_user(session, username, f"省领导{username}", "provincial_leader", "pw")
        for code, _name, _kind in UNITS:
            for role in UNIT_ROLES:
                for n in ("", "_2"):  # two people per role: two sessions may race on one task
                    create_user(session, f"{code}_{role}{n}", f"{code} {role}{n}", role, "pw",
                                unit_code=code)
        engine.deploy(session, Package.from_folder(BPMN), "designer")
    return province


class World:
    """One walk's database, clock and engine."""

    _template: dict[str, object] = {}
    _specs = None

    def __init__(self, backend: str, pg_url: str | None = None):
        self.backend = backend
        self.clock = ManualClock(START)
        self.engine = make_engine(self.clock)
        if World._specs is not None:  # parsed BPMN shared between walks (keyed by content)
            self.engine.specs = World._specs
        else:
            World._specs = self.engine.specs
        self._dir = None
        if backend == "sqlite":
            template, province = self._sqlite_template()
            self._dir = tempfile.mkdtemp(prefix="jianyi-fuzz-", dir=SCRATCH)
            path = os.path.join(self._dir, "walk.db")
            shutil.copyfile(template, path)
            self.db = Database(f"sqlite:///{path}")
            self.province = province
        else:
            self.db = _pg_database(pg_url)
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            with self.db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            self.province = populate(self.db, self.engine)

    @classmethod
    def _sqlite_template(cls):
        if "path" not in cls._template:
            folder = tempfile.mkdtemp(prefix="jianyi-fuzz-template-", dir=SCRATCH)
            path = os.path.join(folder, "template.db")
            database = Database(f"sqlite:///{path}")
            database.create_all()
            province = populate(database, make_engine(ManualClock(START)))
            database.dispose()  # the last connection checkpoints: one self-contained file
            cls._template.update(path=path, province=province)
        return cls._template["path"], cls._template["province"]

    def users(self, session) -> dict[str, User]:
        return {u.username: u for u in session.scalars(select(User))}

    def close(self) -> None:
        if self.backend == "sqlite":
            self.db.dispose()
            shutil.rmtree(self._dir, ignore_errors=True)


_PG: dict[str, Database] = {}


def _pg_database(url: str) -> Database:
    """One PostgreSQL connection pool per URL for the whole run (tables made once)."""
    if url not in _PG:
        database = Database(url)
        Base.metadata.drop_all(database.engine)
        Base.metadata.create_all(database.engine)
        _PG[url] = database
    return _PG[url]
