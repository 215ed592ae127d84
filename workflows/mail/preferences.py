"""Each user's choice of notifications by mail (通知设置): their address, the language the
mail is written in, and which kinds of notification they receive.

A kind the user never chose follows `DEFAULT_KINDS` (deadlines and escalations: the notices
that cost something when missed); a user without an address receives nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import AuditEvent, MailPreference, User, text
from models.vocabulary import NOTIFICATION_KINDS

from ..errors import DomainError

DEFAULT_KINDS = frozenset({"reminder", "escalation"})
LANGUAGES = ("zh", "en")
ADDRESS_MAX = 254
# An address as mail servers take it: an ASCII local part of dot-separated atoms and a domain
# of dot-separated labels with at least one dot (no IP literals, no quoted local parts).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS = re.compile(rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@{_LABEL}(?:\.{_LABEL})+")


@dataclass(frozen=True)
class Choices:
    """A user's mail settings as the page shows them."""

    email: str  # "" when none
    language: str  # zh | en
    kinds: frozenset[str]


class MailSettingsError(DomainError):
    """Settings refused: `problems` maps a field to "中文 (English)"."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def address_problem(value: str) -> str | None:
    """Why `value` is not an address mail can go to, or None ("" means no mail)."""
    if value == "":
        return None
    if reason := text.problem(value, limit=ADDRESS_MAX):
        return reason
    found = ADDRESS.fullmatch(value)
    if found is None or len(found.group("local")) > 64:
        return "请填写有效的电子邮件地址，例如 name@example.org (a valid e-mail address)"
    return None


def choices(session: Session, user: User) -> Choices:
    """The user's settings, defaults filled in."""
    kinds = set(DEFAULT_KINDS)
    for kind, enabled in session.execute(select(MailPreference.kind, MailPreference.enabled)
                                         .where(MailPreference.username == user.username)):
        (kinds.add if enabled else kinds.discard)(kind)
    return Choices(user.email or "", user.language if user.language in LANGUAGES else "zh",
                   frozenset(kinds & set(NOTIFICATION_KINDS.codes)))


def save(session: Session, user: User, email: str, language: str, kinds: set[str], *,
         actor: str, now: datetime) -> None:
    """Keep a user's settings (every kind stored, so a later change of defaults leaves what
    they chose); MailSettingsError if the address or language cannot be kept. Audited."""
    problems = {}
    if reason := address_problem(email):
        problems["email"] = reason
    if language not in LANGUAGES:
        problems["language"] = "请选择中文或英文 (choose Chinese or English)"
    unknown = set(kinds) - set(NOTIFICATION_KINDS.codes)
    if unknown:
        problems["kinds"] = "未知的通知类型 (unknown notification kind)"
    if problems:
        raise MailSettingsError(problems)
    before = choices(session, user)
    user.email = email or None
    user.language = None if language == "zh" else language
    session.execute(delete(MailPreference).where(MailPreference.username == user.username))
    session.add_all(MailPreference(username=user.username, kind=kind, enabled=kind in kinds)
                    for kind in NOTIFICATION_KINDS.codes)
    session.flush()
    session.add(AuditEvent(at=now, actor=actor, action="mail_settings_changed", detail={
        "username": user.username, "email_changed": before.email != email,
        "language": language, "kinds": sorted(kinds)}))


__all__ = ["ADDRESS", "Choices", "DEFAULT_KINDS", "LANGUAGES", "MailSettingsError",
           "address_problem", "choices", "save"]
