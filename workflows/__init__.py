"""The suggestion-handling domain (建议办理): hands its knowledge to the engine.

`make_engine` is the one place where the domain's lane resolver, service-task operators and
script globals are given to the domain-free engine.
"""
from __future__ import annotations

from engine import Engine, system_clock
from engine.clock import Clock
from models import Database


def make_engine(clock: Clock = system_clock) -> Engine:
    """The engine configured with this domain's hooks."""
    from . import choices, deadlines, feedback, lanes, notifications, operators, units
    return Engine(clock=clock, lane_resolver=lanes.resolve, choices=choices.SOURCES,
                  operators=operators.OPERATORS,
                  script_globals={"deadline": deadlines.deadline,
                                  "report_due": deadlines.report_due,
                                  "current_co_units": units.current_co_units,
                                  "open_co_units": units.open_co_units,
                                  "unit_name": units.unit_name,
                                  "merged_suggestions": feedback.merged_suggestions},
                  on_step=notifications.on_step)


def seed_defaults(session) -> None:
    """The rows a new database needs besides its schema (the migrations write the same): the
    built-in roles, the suggestion process's lane rules and who may start it."""
    from . import lanes, roles, starting
    roles.seed_builtin(session)
    lanes.seed_defaults(session)
    starting.seed_defaults(session)


def housekeeping(db: Database) -> int:
    """The scheduler's domain job beside the timers: keep the word counts of new suggestions
    (a batch per tick), so that no web process cuts texts on a case page, and drop failed-login
    records that no longer count and login sessions long ended."""
    from . import similarity, users
    from models import utcnow
    with db.write() as session:
        users.forget_old_login_failures(session, utcnow())
        users.forget_ended_sessions(session, utcnow())
        return similarity.store_missing_terms(session)
