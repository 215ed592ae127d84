"""What a deputy drafting a suggestion online is shown beside the form: the most similar
suggestions already registered, each with its latest reply (answer class and an excerpt), and
the quality hints. The search is the repeated-suggestion search (`similarity`)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Assignment, Reply, Unit

from . import quality, similarity

THRESHOLD = 0.15   # lower than the repeat search's: a drafter wants neighbours, not only twins
LIMIT = 5
EXCERPT = 120      # characters of the reply shown
QUERY_LIMIT = 4000  # characters of the typed text searched with (title + the text's start)


@dataclass
class EarlierReply:
    unit: str
    answer_class: str
    excerpt: str


@dataclass
class Similar:
    suggestion_id: int
    year: int
    number: int
    title: str
    score: float
    replies: list[EarlierReply] = field(default_factory=list)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def similar(session: Session, title: str, body: str, year: int) -> list[Similar]:
    """The registered suggestions up to `year` most like the draft, best first, with replies."""
    title, body = (title or "")[:QUERY_LIMIT], (body or "")[:QUERY_LIMIT]
    if not (title.strip() or body.strip()):
        return []
    matches = similarity.similar_to_text(session, title, body, year, threshold=THRESHOLD,
                                         limit=LIMIT)
    found = {m.suggestion_id: Similar(m.suggestion_id, m.year, m.number, m.title,
                                      round(m.score, 2)) for m in matches}
    if found:
        latest: dict[tuple[int, int], EarlierReply] = {}
        for sid, unit_id, unit, answer_class, text in session.execute(
                select(Assignment.suggestion_id, Unit.id, Unit.name, Reply.answer_class,
                       Reply.answer_text)
                .join(Assignment, Reply.assignment_id == Assignment.id)
                .join(Unit, Assignment.unit_id == Unit.id)
                .where(Assignment.suggestion_id.in_(list(found)))
                .order_by(Reply.round, Reply.id)):
            latest[(sid, unit_id)] = EarlierReply(unit, answer_class, excerpt(text))  # last wins
        for (sid, _unit), reply in latest.items():
            found[sid].replies.append(reply)
    return [found[m.suggestion_id] for m in matches]


def assist(session: Session, title: str, body: str, year: int,
           from_research: bool = False) -> dict:
    """The draft page's side panel as plain data (the endpoint returns it as JSON)."""
    return {
        "similar": [{"id": s.suggestion_id, "year": s.year, "number": s.number,
                     "title": s.title, "score": s.score,
                     "replies": [{"unit": r.unit, "answer_class": r.answer_class,
                                  "excerpt": r.excerpt} for r in s.replies]}
                    for s in similar(session, title, body, year)],
        "hints": [{"code": h.code, "zh": h.zh, "en": h.en}
                  for h in quality.hints(title, body, from_research)],
    }


__all__ = ["EXCERPT", "LIMIT", "THRESHOLD", "assist", "excerpt", "similar"]
