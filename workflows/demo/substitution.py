"""Demo: 省交通运输厅's reviewer is away this week and named a colleague (代理), who finds the
review the reviewer had claimed in their own inbox; the unit's handler keeps a saved filter."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import HumanTask, User

from .. import inbox, saved_filters, substitution
from ..users import create_user
from .tables import DEMO_PASSWORD


def absent_reviewer_and_saved_filter(session: Session, now: datetime) -> None:
    """jtt_reviewer (away) → jtt_reviewer2 stands in; jtt_handler's filter 已逾期."""
    absent = session.scalar(select(User).where(User.username == "jtt_reviewer"))
    create_user(session, "jtt_reviewer2", "郭建华", "reviewer", DEMO_PASSWORD,
                unit_code=absent.unit.code)
    waiting = session.scalar(select(HumanTask.id).where(
        HumanTask.state == "ready", HumanTask.candidate_role == "reviewer",
        HumanTask.candidate_unit == absent.unit.code, HumanTask.assignee.is_(None))
        .order_by(HumanTask.due_at).limit(1))
    if waiting is not None:  # the reviewer had claimed one before leaving
        inbox.claim(session, absent, waiting, now)
    today = substitution.today(now)
    _row, errors = substitution.set_substitute(
        session, absent, "jtt_reviewer2", today - timedelta(days=1), today + timedelta(days=6),
        "赴京参加培训", now)
    if errors:
        raise RuntimeError(f"demo substitution refused: {errors}")
    handler = session.scalar(select(User).where(User.username == "jtt_handler"))
    _kept, problem = saved_filters.save(session, handler, "已逾期", {"overdue": "1"}, now)
    if problem is not None:
        raise RuntimeError(f"demo saved filter refused: {problem}")
