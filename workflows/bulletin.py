"""The bulletin's figures (联络动态): one congress session beside the one before it.

What the commission's bulletin quotes at the assignment meeting: how many suggestions and how
that changed, the share from topical research (专题调研), how many handling units, the key
suggestions (重点处理建议) and the provincial leaders who lead them (领办), the lead units'
consultation rate (面商率), the first-round satisfaction rate (首次反馈满意率: first feedback not
不满意) and, of it, the very satisfied and satisfied share (非常满意和满意占比) with its change in
percentage points. The rates are `workflows.statistics`' (its lead-unit totals), not computed
again here. The generated paragraph and the .xlsx are `workflows.bulletin_report`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Assignment, CongressSession, Suggestion, User

from . import congress_sessions, statistics
from .statistics import Filters, Figures, rate


@dataclass
class SessionFigures:
    """The bulletin's figures of one congress session."""

    session: CongressSession
    suggestions: int = 0
    from_research: int = 0
    units: int = 0  # 承办单位: units with a part in its suggestions (returned ones not counted)
    key_suggestions: int = 0
    # 领办: (leader's name, their key suggestions as (number, title)), most first
    leaders: list[tuple[str, list[tuple[int, str]]]] = field(default_factory=list)
    lead: Figures = field(default_factory=lambda: Figures("", ""))  # lead units' totals

    @property
    def leader_count(self) -> int:
        return len(self.leaders)

    @property
    def research_share(self) -> float | None:
        """Suggestions from topical research / all suggestions."""
        return rate(self.from_research, self.suggestions)

    @property
    def consultation_rate(self) -> float | None:
        """面商率 of the lead units' assignments (statistics)."""
        return self.lead.consultation_rate

    @property
    def first_rated(self) -> int:
        return self.lead.first_rated

    @property
    def first_satisfaction_rate(self) -> float | None:
        """首次反馈满意率: first-round feedback not 不满意 (statistics, counting 基本满意)."""
        return self.lead.first_satisfaction_rate_with_basic

    @property
    def first_very_satisfied_rate(self) -> float | None:
        """非常满意和满意占比 of the first-round feedback (statistics)."""
        return self.lead.first_satisfaction_rate


def _points(new: float | None, old: float | None) -> float | None:
    """The change of a share in percentage points."""
    return None if new is None or old is None else (new - old) * 100


@dataclass
class Bulletin:
    """A session's figures and the previous session's (None for the first session)."""

    current: SessionFigures
    previous: SessionFigures | None

    @property
    def suggestions_change(self) -> int | None:
        return None if self.previous is None else \
            self.current.suggestions - self.previous.suggestions

    @property
    def suggestions_change_rate(self) -> float | None:
        """The change in suggestions as a share of the previous session's."""
        if self.previous is None or not self.previous.suggestions:
            return None
        return self.suggestions_change / self.previous.suggestions

    @property
    def research_share_points(self) -> float | None:
        return _points(self.current.research_share, self.previous and self.previous.research_share)

    @property
    def very_satisfied_points(self) -> float | None:
        return _points(self.current.first_very_satisfied_rate,
                       self.previous and self.previous.first_very_satisfied_rate)


sessions = congress_sessions.newest_first  # every congress session, the newest first
previous_session = congress_sessions.before  # the session before a session, if any


def session_figures(session: Session, congress: CongressSession, now: datetime) -> SessionFigures:
    """The bulletin's figures of one session."""
    in_session = Suggestion.congress_session_id == congress.id
    total, researched, key = session.execute(select(
        func.count(Suggestion.id),
        func.sum(case((Suggestion.from_research.is_(True), 1), else_=0)),
        func.sum(case((Suggestion.key_suggestion.is_(True), 1), else_=0))).where(in_session)).one()
    units = session.scalar(select(func.count(func.distinct(Assignment.unit_id)))
                           .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
                           .where(in_session, Assignment.status != "returned"))
    led: dict[str, list[tuple[int, str]]] = {}
    for name, number, title in session.execute(
            select(User.name, Suggestion.number, Suggestion.title)
            .join(User, User.id == Suggestion.supervising_leader_id)
            .where(in_session, Suggestion.key_suggestion.is_(True))
            .order_by(Suggestion.number)):
        led.setdefault(name, []).append((number, title))
    rows = statistics.unit_figures(session, Filters(congress_session_id=congress.id),
                                   scope="lead", now=now)
    return SessionFigures(congress, int(total or 0), int(researched or 0), int(units or 0),
                          int(key or 0),
                          sorted(led.items(), key=lambda item: (-len(item[1]), item[0])),
                          statistics.totals(rows))


def bulletin(session: Session, congress: CongressSession, now: datetime) -> Bulletin:
    """The figures of `congress` and of the session before it."""
    before = previous_session(session, congress)
    return Bulletin(session_figures(session, congress, now),
                    session_figures(session, before, now) if before is not None else None)


__all__ = ["Bulletin", "SessionFigures", "bulletin", "previous_session", "session_figures",
           "sessions"]
