"""The demo organisation's details the administration pages show: each deputy's delegation
(代表团), named after the city that elected them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Deputy


def delegations(session: Session) -> None:
    for deputy in session.scalars(select(Deputy)):
        deputy.delegation = f"{deputy.electoral_unit.removesuffix('市')}代表团"
