"""The demo's special committee (专门委员会): 教育科学文化卫生委员会, covering education, health,
science and culture, with the `committee` login as its member and one supervision activity
(督办活动) recorded on an education case it supervises (对口督办)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Suggestion, User

from .. import committees

NAME = "教育科学文化卫生委员会"
FIELDS = ["教育", "医疗", "科技", "文旅"]


def education_committee(session: Session, now: datetime) -> None:
    """The committee, its member and one recorded activity."""
    committee = committees.create_committee(session, NAME, FIELDS, actor="admin", now=now)
    member = session.scalar(select(User).where(User.username == "committee"))
    committees.add_member(session, member, committee, actor="admin", now=now)
    case = session.scalar(select(Suggestion).where(
        Suggestion.field == "教育", Suggestion.instance_id.is_not(None),
        Suggestion.status.in_(("handling", "replied"))).order_by(Suggestion.number))
    if case is None:
        return
    committees.record_activity(session, member, case.id, {
        "held_on": (now - timedelta(days=7)).date().isoformat(), "form": "field_study",
        "participants": "委员会副主任委员、委员3名，省教育厅分管负责同志",
        "notes": "赴两县实地调研乡村教师周转宿舍建设和待遇落实情况，要求承办单位年底前报告进展。",
    }, now=now)
