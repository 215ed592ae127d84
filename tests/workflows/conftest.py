"""Fixtures for the suggestion domain: a small organisation and the real process deployed."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Package
from models import CongressSession, Deputy, Division, Unit, User
from workflows import make_engine
from workflows.users import create_user

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
UNITS = [("transport", "省交通运输厅", "government"), ("finance", "省财政厅", "government"),
         ("education", "省教育厅", "government"), ("water", "省水利厅", "government"),
         ("power", "国网省电力公司", "non_government")]


@dataclass
class Org:
    """Who is who in the test province."""

    session_id: int
    users: dict[str, User] = field(default_factory=dict)
    deputies: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def domain_engine(clock):
    return make_engine(clock)


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
        result = Org(session_id=congress.id)
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
