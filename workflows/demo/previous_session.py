"""The demo's previous congress session (省十四届人大二次会议, a year earlier), so that the bulletin's
figures (公报数据) have a year to compare with and the repeat search has earlier years to find.

Its suggestions were handled and closed a year ago; they are written as finished records (the
suggestion, its closed lead assignment with the reply that stands, first-round feedback), with
no running case: that year's process is over. The current session's suggestions that came out of
topical research (专题调研) are marked here too.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from models import Assignment, CongressSession, Deputy, Feedback, Reply, Suggestion, Unit, User

from .tables import CITIES, TOPICS

COUNT = 90  # the previous year's suggestions (the current demo session has fewer: 调研 first)
RATINGS = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied")


def previous_session(session: Session, current: CongressSession, deputies: list[Deputy],
                     meeting: datetime, seed: int = 2025) -> None:
    """The session a year before `current`, its suggestions closed; and which of the current
    session's suggestions came from research."""
    # Security review: reproducible demo data, not a secret.
    rng = random.Random(seed)  # nosec B311
    earlier = CongressSession(congress=current.congress, meeting=current.meeting - 1,
                              year=current.year - 1, name="省十四届人大二次会议",
                              opened_on=(meeting - timedelta(days=365)).date())
    session.add(earlier)
    session.flush()
    at = meeting - timedelta(days=365)
    units = dict(session.execute(select(Unit.code, Unit.id)).all())
    leader = session.scalar(select(User.id).where(User.username == "leader"))
    rows = []
    for n in range(COUNT):
        field, title, lead, _co = TOPICS[n % len(TOPICS)]
        rows.append({"congress_session_id": earlier.id, "number": n + 1, "field": field,
                     "title": title if n < len(TOPICS) else  # the same ask from a city
                     f"关于{CITIES[n % len(CITIES)]}{title[2:]}",
                     "body": f"{title}。", "year": earlier.year, "status": "closed",
                     "lead_deputy_id": rng.choice(deputies).id, "registered_at": at,
                     "mode": "sole", "from_research": n % 3 == 0,
                     "key_suggestion": n < 4, "supervising_leader_id": leader if n < 4 else None})
    session.execute(insert(Suggestion), rows)
    ids = list(session.scalars(select(Suggestion.id).where(
        Suggestion.congress_session_id == earlier.id).order_by(Suggestion.number)))
    ratings = [RATINGS[min(int(rng.random() ** 1.6 * 4), 3)] for _ in ids]
    session.execute(insert(Assignment), [{
        "suggestion_id": sid, "unit_id": units[TOPICS[n % len(TOPICS)][2]], "role": "sole",
        "status": "closed", "assigned_at": at, "ack_due": at + timedelta(days=14),
        "reply_due": at + timedelta(days=90), "replied_at": at + timedelta(days=60 + n % 40),
        "on_time": n % 40 < 30, "consulted": n % 5 != 0, "co_division_ids": [],
        "answer_class": "AB"[n % 2], "satisfaction": ratings[n]} for n, sid in enumerate(ids)])
    assignments = list(session.scalars(select(Assignment.id).join(Suggestion).where(
        Suggestion.congress_session_id == earlier.id).order_by(Suggestion.number)))
    session.execute(insert(Reply), [{
        "assignment_id": aid, "round": 1, "answer_class": "AB"[n % 2],
        "doc_number": f"湘函〔{earlier.year}〕{n + 1}号", "answer_text": "已按建议办理。",
        "contact_person": "联系人", "contact_phone": "0731-00000000", "copy_to": [],
        "publish": False, "issued_by": "demo", "issued_at": at + timedelta(days=60 + n % 40),
        "on_time": n % 40 < 30}
        for n, aid in enumerate(assignments)])
    session.execute(insert(Feedback), [{
        "assignment_id": aid, "round": 1, "satisfaction": ratings[n], "given_by": "demo",
        "given_at": at + timedelta(days=75 + n % 40)} for n, aid in enumerate(assignments)])
    # This year the deputies' suggestions came out of research more often (无调研不建议).
    session.execute(update(Suggestion).where(
        Suggestion.congress_session_id == current.id, Suggestion.number % 5 != 0)
        .values(from_research=True))
