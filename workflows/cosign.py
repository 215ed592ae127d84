"""The co-signing rule (联名确认) of a deputy's online suggestion.

A co-signer signs a text, not a title: each answer is kept with a fingerprint of the title and
text it was given for. The rule, in full:

- the lead deputy lists co-signers (other deputies, each once, at most MAX_CO_SIGNERS);
- "invite" asks every listed co-signer whose confirmation of the *current* text is missing
  (never asked, declined, or confirmed an earlier wording): at least one must be missing;
- "submit" is allowed only when every listed co-signer has confirmed the current text. A
  co-signer who declined is taken off the list when the draft comes back (`kept`); editing the
  title or text after confirmations means asking again.

Pure functions over plain data (the case's `cosign` status: deputy id -> answer), so the
completion check, the operators and the draft page all ask the same thing.
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Mapping

MAX_CO_SIGNERS = 30
CONFIRMED, DECLINED = "confirmed", "declined"


def fingerprint(title: str, body: str) -> str:
    """A short digest of what co-signers are asked to sign."""
    return hashlib.sha256(f"{title}\n{body}".encode("utf-8")).hexdigest()[:16]


def confirmed(status: Mapping[str, dict], deputy_id: str, text: str) -> bool:
    entry = status.get(deputy_id) or {}
    return entry.get("answer") == CONFIRMED and entry.get("text") == text


def pending(co_signers: Iterable[str], status: Mapping[str, dict], text: str) -> list[str]:
    """The listed co-signers without a confirmation of the current text, in list order."""
    return [d for d in co_signers if not confirmed(status, d, text)]


def declined(co_signers: Iterable[str], status: Mapping[str, dict]) -> list[str]:
    return [d for d in co_signers if (status.get(d) or {}).get("answer") == DECLINED]


def kept(co_signers: Iterable[str], status: Mapping[str, dict]) -> list[str]:
    """The list a returning draft opens with: those who declined are taken off."""
    gone = set(declined(co_signers, status))
    return [d for d in co_signers if d not in gone]


def may_submit(co_signers: Iterable[str], status: Mapping[str, dict], text: str) -> bool:
    return not pending(co_signers, status, text)


def may_invite(co_signers: Iterable[str], status: Mapping[str, dict], text: str) -> bool:
    return bool(pending(co_signers, status, text))


def answered(status: Mapping[str, dict], deputy_id: str, answer: str, text: str,
             name: str) -> dict[str, dict]:
    """The status after one co-signer's answer (a new dict; the old one is left alone)."""
    return {**status, deputy_id: {"answer": answer, "text": text, "name": name}}


__all__ = ["CONFIRMED", "DECLINED", "MAX_CO_SIGNERS", "answered", "confirmed", "declined",
           "fingerprint", "kept", "may_invite", "may_submit", "pending"]
