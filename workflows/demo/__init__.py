"""Demo province (湖南省-like): one congress session, units, deputies, users and cases at every
stage of handling. Loaded by `jianyi demo` (used by `make run`).

The data it is built from is in ``tables``; the cases it runs, in ``stages`` (the ordinary
cases, one per stage of handling) and ``stories`` (the particular ones).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import ManualClock, Package
from models import CongressSession, Deputy, Division, Suggestion, Unit, User

from .. import make_engine, process_settings, seed_defaults, suggestions
from ..users import create_user
from . import mail, people
from .committees import education_committee
from .intake import submitted_online
from .previous_session import previous_session
from .publication import publish_replies
from .stages import run_stage
from .substitution import absent_reviewer_and_saved_filter
from .stories import (co_units_ahead_of_the_lead, key_suggestion_with_midyear_report, merged_case,
                      rehandled_and_re_signed, resolved_escalation)
from .tables import (CITIES, DEMO_PASSWORD, DIVISIONS, GIVEN, LOGINS, PAPER_FEEDBACK_STAGES,
                     STAGES, SURNAMES, TOPICS, UNITS, Login)

__all__ = ["DEMO_PASSWORD", "LOGINS", "Login", "UNITS", "is_loaded", "load"]


def is_loaded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Suggestion)))


def load(session: Session, now: datetime | None = None, seed: int = 2026) -> list[Login]:
    """Create the demo province and its cases in the caller's transaction; returns the logins.

    Cases are run on a clock that starts at the assignment meeting and moves to `now`, so
    deadlines, reminders and escalations are those a real year would have produced.
    """
    # Security review: reproducible demo data, not a secret.
    rng = random.Random(seed)  # nosec B311
    now = now or datetime.now(timezone.utc)
    meeting = now - timedelta(days=150)
    clock = ManualClock(meeting - timedelta(days=10))
    engine = make_engine(clock)
    seed_defaults(session)  # roles, lane rules, who starts the suggestion process
    # The suggestion process and, in the same package, a second one built without Python:
    # 代表约见承办单位 with its settings file (deputies start it from 新建案件).
    root = Path(__file__).resolve().parents[2]  # workflows/demo/__init__.py → the project
    second = root / "examples" / "deputy_meeting"
    files = {**Package.from_folder(root / "bpmn").files, **Package.from_folder(second).files}
    process_settings.load(session, (second / "deputy_meeting.settings.toml").read_text("utf-8"),
                          actor="designer", now=clock())
    engine.deploy(session, Package(files), "designer")
    congress = CongressSession(congress=14, meeting=3, year=meeting.year,
                               name="省十四届人大三次会议", opened_on=meeting.date())
    session.add(congress)
    for code, name, kind in UNITS:
        unit = Unit(code=code, name=name, kind=kind)
        unit.divisions = [Division(name=d) for d in DIVISIONS]
        session.add(unit)
    session.flush()
    deputies = []
    for i in range(44):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7 + i // len(SURNAMES)) % len(GIVEN)]
        deputy = Deputy(name=name, electoral_unit=CITIES[i % len(CITIES)])  # 44 distinct names
        session.add(deputy)
        deputies.append(deputy)
    session.flush()
    for login in LOGINS:
        unit = login.username.split("_")[0] if login.role in ("unit_handler", "reviewer",
                                                               "signer") else None
        deputy = deputies[0] if login.role == "deputy" else None
        create_user(session, login.username, deputy.name if deputy else login.name, login.role,
                    DEMO_PASSWORD, unit_code=unit, deputy_id=deputy.id if deputy else None)
    create_user(session, "leader2", "省领导乙", "provincial_leader", DEMO_PASSWORD)
    staff = 0
    for code, _name, _kind in UNITS:  # every unit can be worked by someone
        for role in ("unit_handler", "reviewer", "signer"):
            username = f"{code}_{role.split('_')[-1]}" if role == "unit_handler" else f"{code}_{role}"
            if session.scalar(select(User.id).where(User.username == username)) is None:
                staff += 1  # a person's name, never the unit's or the role's again
                name = SURNAMES[(staff * 3) % len(SURNAMES)] + GIVEN[(staff * 11) % len(GIVEN)]
                create_user(session, username, name, role, DEMO_PASSWORD, unit_code=code)
    people.delegations(session)
    # The last deputy has no login account: the commission records their paper feedback
    # forms on their behalf (代录).
    paper_deputy = deputies[-1]
    for i, deputy in enumerate(deputies[1:-1], start=1):
        create_user(session, f"deputy{i:02d}", deputy.name, "deputy", DEMO_PASSWORD,
                    deputy_id=deputy.id)
    session.flush()

    commission = session.scalar(select(User).where(User.username == "commission"))
    number = 0
    for count, stage in STAGES:
        for nth in range(count):
            number += 1
            field, title, lead, co = TOPICS[number % len(TOPICS)]
            clock.now = meeting - timedelta(days=5)
            lead_deputy = deputies[0] if number % 4 == 0 else rng.choice(deputies)
            if nth == 1 and stage in PAPER_FEEDBACK_STAGES:
                lead_deputy = paper_deputy
            suggestion = suggestions.register(
                session, engine, congress_session=congress, number=number,
                title=title if number <= len(TOPICS) else title.replace("的建议", f"（{number}）的建议"),
                body=f"{title}。建议从政策、资金、项目三方面加大支持力度。", field=field,
                lead_deputy=lead_deputy, co_signers=rng.sample(deputies, 2), actor="commission")
            run_stage(session, engine, clock, commission, suggestion, stage, number, lead, co,
                      meeting, now)
    rehandled_and_re_signed(session, engine, clock, congress, commission, deputies,
                            number + 1, meeting)
    key_suggestion_with_midyear_report(session, engine, clock, commission, congress,
                                       deputies[0], number + 2, meeting, now)
    resolved_escalation(session, engine, clock, commission, congress, deputies[1], number + 3,
                        meeting)
    merged_case(session, engine, clock, congress, commission, number + 3,
                deputies[0], deputies[1], paper_deputy, meeting)
    co_units_ahead_of_the_lead(session, engine, clock, commission, congress, deputies[2],
                               number + 7, meeting)
    submitted_online(session, engine, deputies)  # 提出建议: drafts and a submission online
    publish_replies(session, engine, clock, congress, commission, deputies[3], number + 9, meeting)
    previous_session(session, congress, deputies, meeting)  # last year's, for the bulletin
    clock.now = now
    while engine.fire_due_timers(session, now):  # the reminders and escalations of the year
        pass
    education_committee(session, now)  # a special committee supervising its field (对口督办)
    absent_reviewer_and_saved_filter(session, now)  # 代理 and a saved inbox filter
    mail.give_addresses(session, now)  # a few logins with an address and their mail choices
    return LOGINS
