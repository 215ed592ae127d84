"""The organisation: congress sessions, handling units and divisions, deputies, users."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import vocabulary
from .base import Base

# Roles (角色); one per user. The BPMN lanes name roles too (see workflows.lanes). Their names
# (models.vocabulary.ROLES); an administrator may add roles (table `role`), these are seeded as
# built in.
ROLES = vocabulary.ROLES.codes
ROLE_NAMES = vocabulary.ROLES.pairs()


class Role(Base):
    """A role a user can have (`User.role` names one). Built-in roles are the nine the code
    knows; an administrator may add others, whose members do the tasks of lanes given to them."""

    __tablename__ = "role"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    builtin: Mapped[bool] = mapped_column(default=False)


class CongressSession(Base):
    """届次/会议: e.g. the 3rd meeting of the 14th provincial people's congress."""

    __tablename__ = "congress_session"
    __table_args__ = (UniqueConstraint("congress", "meeting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    congress: Mapped[int]  # 届
    meeting: Mapped[int]   # 次
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(128))
    opened_on: Mapped[Optional[date]]


class Unit(Base):
    """承办单位: a handling unit; `kind` is one of `models.vocabulary.UNIT_KINDS` (政府部门,
    党群, 其他): a government department's replies are copied to the government general office."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="government")  # | party_mass | other
    divisions: Mapped[list["Division"]] = relationship(back_populates="unit",
                                                       order_by="Division.id")


class Division(Base):
    """处室: a division inside a unit."""

    __tablename__ = "division"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    unit: Mapped[Unit] = relationship(back_populates="divisions")


class Deputy(Base):
    """代表: a deputy and the electoral unit (选举单位) that elected them."""

    __tablename__ = "deputy"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    electoral_unit: Mapped[str] = mapped_column(String(64))
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    delegation: Mapped[Optional[str]] = mapped_column(String(64))  # 代表团
    email: Mapped[Optional[str]] = mapped_column(String(128))


class User(Base):
    """A login with one role; unit handlers belong to a unit, deputies to a deputy record."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"), index=True)
    division_id: Mapped[Optional[int]] = mapped_column(ForeignKey("division.id"))
    deputy_id: Mapped[Optional[int]] = mapped_column(ForeignKey("deputy.id"))
    # A special committee's member (role `committee`): the committee it supervises for.
    committee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("committee.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Set for an account created or reset by an administrator: login leads to the password
    # page until the user has chosen one (`webui.first_login`).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default="0")
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[datetime]]
    # Where notifications chosen for mail go (None: no mail), and the language they are
    # written in (en, or None: Chinese; the pages' language is the browser's cookie, not the
    # user's). Both nullable: a backup of an older version restores without them.
    email: Mapped[Optional[str]] = mapped_column(String(254))
    language: Mapped[Optional[str]] = mapped_column(String(8))
    unit: Mapped[Optional[Unit]] = relationship()


class LoginFailure(Base):
    """A failed login from a network address: too many from one address, whatever the
    account names tried (password spraying), and that address must wait."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    __table_args__ = (Index("ix_login_failure_address_at", "address", "at"),)
