"""The demo's mail settings: a few logins have an address (example.org, which delivers nowhere),
one chooses English and new tasks too, so `make run` shows the settings page filled in. Given
after the year's cases have run: nothing of the past year waits in the outbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import User

from ..mail import preferences

# username -> (address, language, kinds by mail; None: the defaults)
ADDRESSES = {
    "commission": ("commission@example.org", "zh", None),
    "jtt_handler": ("jtt_handler@example.org", "zh", {"task", "send_back", "reminder",
                                                      "escalation"}),
    "leader": ("leader@example.org", "en", {"escalation", "progress_report"}),
}


def give_addresses(session: Session, now: datetime) -> None:
    for username, (address, language, kinds) in ADDRESSES.items():
        user = session.scalar(select(User).where(User.username == username))
        if user is not None:
            preferences.save(session, user, address, language,
                             set(preferences.DEFAULT_KINDS if kinds is None else kinds),
                             actor="setup", now=now)
