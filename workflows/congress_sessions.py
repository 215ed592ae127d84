"""Congress sessions (届次/会议) in their order: by 届 and 次, never by when their row was written.

An administrator may enter an earlier session after the current one (importing last year's
records, say); "the newest session" — where a registered or submitted suggestion goes, what a
page offers first — is still the one with the highest 届 and 次.
"""
from __future__ import annotations

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from models import CongressSession

NEWEST_FIRST = (CongressSession.congress.desc(), CongressSession.meeting.desc())


def newest_first_query() -> Select:
    return select(CongressSession).order_by(*NEWEST_FIRST)


def newest_first(session: Session) -> list[CongressSession]:
    """Every congress session, the newest first."""
    return list(session.scalars(newest_first_query()))


def latest(session: Session) -> CongressSession | None:
    """The newest congress session, if any."""
    return session.scalars(newest_first_query().limit(1)).first()


def before(session: Session, current: CongressSession) -> CongressSession | None:
    """The session before `current` (届 and 次 in order), if any."""
    return session.scalars(newest_first_query().where(
        tuple_(CongressSession.congress, CongressSession.meeting)
        < tuple_(current.congress, current.meeting)).limit(1)).first()


__all__ = ["NEWEST_FIRST", "before", "latest", "newest_first", "newest_first_query"]
