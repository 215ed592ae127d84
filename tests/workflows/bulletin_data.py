"""Two congress sessions shaped like the seed bulletin's figures, bulk-inserted (no process runs):
the previous session (十四届二次) has 1,457 suggestions, 1,134 from topical research; the
current one (the `org` fixture's 十四届三次) 1,027, 915 from research, handled by 98 units, 12 key
suggestions led by two provincial leaders, every lead assignment consulted; first-round
feedback 98.5 % not dissatisfied, 92.7 % very satisfied or satisfied (previous: 73.4 %)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from models import (Assignment, CongressSession, Deputy, Feedback, Suggestion, Unit, User)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
PREVIOUS = {"suggestions": 1457, "research": 1134, "units": 100, "key": 9, "consulted": 1300,
            # first-round ratings: very satisfied, satisfied, basically, dissatisfied
            "first": (400, 481, 259, 60)}
CURRENT = {"suggestions": 1027, "research": 915, "units": 98, "key": 12, "consulted": 1027,
           "first": (500, 427, 58, 15)}
SEQUENCE = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied")


def build(db, org) -> dict[str, int]:
    """Both sessions; returns their ids."""
    with db.write() as s:
        previous = CongressSession(congress=14, meeting=2, year=2025, name="省十四届人大二次会议")
        s.add(previous)
        s.flush()
        units = [{"code": f"u{i:03d}", "name": f"承办单位{i:03d}"} for i in range(100)]
        s.execute(insert(Unit), units)
        unit_ids = list(s.scalars(select(Unit.id).where(Unit.code.like("u%"))
                                  .order_by(Unit.code)))
        leaders = [s.scalar(select(User.id).where(User.username == name))
                   for name in ("leader", "leader2")]
        deputy = s.scalar(select(Deputy.id))
        _session(s, previous.id, PREVIOUS, unit_ids, leaders, deputy)
        _session(s, org.congress_session_id, CURRENT, unit_ids, leaders, deputy)
        # A returned assignment is no handling unit of the session.
        first = s.scalar(select(Suggestion.id).where(
            Suggestion.congress_session_id == org.congress_session_id))
        returned = s.scalar(select(Unit.id).where(Unit.code == "transport"))
        s.execute(insert(Assignment), [_assignment(first, returned, status="returned")])
        return {"previous": previous.id, "current": org.congress_session_id}


def _assignment(suggestion_id, unit_id, **extra):
    return {"suggestion_id": suggestion_id, "unit_id": unit_id, "role": "sole",
            "status": "closed", "assigned_at": AT, "ack_due": AT + timedelta(days=14),
            "reply_due": AT + timedelta(days=90), "replied_at": AT + timedelta(days=60),
            "on_time": True, "answer_class": "A", "co_division_ids": [], **extra}


def _session(s, session_id, shape, unit_ids, leaders, deputy):
    count = shape["suggestions"]
    s.execute(insert(Suggestion), [{
        "congress_session_id": session_id, "number": n + 1, "title": f"关于第{n + 1}件事的建议",
        "body": "……", "field": "交通", "year": AT.year, "lead_deputy_id": deputy,
        "status": "closed", "registered_at": AT, "from_research": n < shape["research"],
        "key_suggestion": n < shape["key"],
        "supervising_leader_id": leaders[n % 2] if n < shape["key"] else None,
    } for n in range(count)])
    ids = list(s.scalars(select(Suggestion.id).where(Suggestion.congress_session_id == session_id)
                         .order_by(Suggestion.number)))
    ratings = [value for value, times in zip(SEQUENCE, shape["first"]) for _ in range(times)]
    s.execute(insert(Assignment), [_assignment(
        sid, unit_ids[n % shape["units"]], consulted=n < shape["consulted"],
        # re-handled after a first 不满意: the final rating is better, the first one counts
        satisfaction=("satisfied" if ratings[n] == "dissatisfied" else ratings[n])
        if n < len(ratings) else None) for n, sid in enumerate(ids)])
    assignments = list(s.scalars(select(Assignment.id).join(Suggestion).where(
        Suggestion.congress_session_id == session_id).order_by(Suggestion.number)))
    rows = []
    for n, value in enumerate(ratings):
        rows.append({"assignment_id": assignments[n], "round": 1, "satisfaction": value,
                     "given_by": "dep", "given_at": AT + timedelta(days=70)})
        if value == "dissatisfied":
            rows.append({"assignment_id": assignments[n], "round": 2, "satisfaction": "satisfied",
                         "given_by": "dep", "given_at": AT + timedelta(days=100)})
    s.execute(insert(Feedback), rows)
