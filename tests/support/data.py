"""Organisation and case data for tests that drive the app as shipped (and for the benchmarks):
the seeded defaults, a congress session with units and their handlers, and cases assigned to a
unit and waiting for its acknowledgement."""
from __future__ import annotations

from sqlalchemy import select

from models import CongressSession, Database, Deputy, Unit
from workflows import simulate, suggestions
from workflows.demo import UNITS
from workflows.users import create_user

PASSWORD = "bench-password"


def seed(db: Database) -> None:
    """The rows the migrations write besides the schema (roles, lane rules, who may start the
    suggestion process); also into a data set built before they existed."""
    from workflows import seed_defaults
    with db.write() as session:
        seed_defaults(session)


def organisation(session, units=UNITS) -> CongressSession:
    """A congress session, the given units with a handler each (`<code>_handler`) and the
    commission's user, all signing in with PASSWORD."""
    congress = CongressSession(congress=14, meeting=3, year=2026, name="省十四届人大三次会议")
    session.add(congress)
    for code, name, kind in units:
        session.add(Unit(code=code, name=name, kind=kind))
    session.flush()
    for code, _name, _kind in units:
        create_user(session, f"{code}_handler", f"{code} handler", "unit_handler", PASSWORD,
                    unit_code=code)
    create_user(session, "commission", "commission", "commission", PASSWORD)
    return congress


def assigned_cases(s, engine, congress: CongressSession, units: list[str], per_unit: int,
                   first_number: int = 1) -> list[int]:
    """Register `per_unit` suggestions for each unit and assign each to it alone (独办); the
    cases then wait for the unit's acknowledgement. Returns the case ids."""
    deputy = s.scalar(select(Deputy).order_by(Deputy.id))
    if deputy is None:
        deputy = Deputy(name="代表", electoral_unit="长沙市")
        s.add(deputy)
        s.flush()
    number, cases = first_number, []
    for code in units:
        for _ in range(per_unit):
            created = suggestions.register(
                s, engine, congress_session=congress, number=number, title=f"建议{number}",
                body="", field="交通", lead_deputy=deputy, actor="commission")
            simulate.complete_one(s, engine, created.instance_id, "assign", {
                "mode": "sole", "lead_unit": code, "co_units": [], "key_suggestion": False})
            cases.append(created.instance_id)
            number += 1
    return cases
