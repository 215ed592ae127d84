"""How a suggestion's case is known (its business key): the congress session and the number.

Kept apart from `suggestions` so that the notifications, which read the number back before the
suggestion row points to its case, need not import registration (and, through it, completion).
"""
from __future__ import annotations

from models import Suggestion

PROCESS_ID = "suggestion"  # the BPMN process a suggestion's case runs


def business_key(suggestion: Suggestion) -> str:
    """A suggestion's case is known by its congress session and number."""
    return f"{suggestion.congress_session_id}-{suggestion.number}"


def number_in(key: str) -> str:
    """The suggestion number a case's business key carries."""
    return key.rsplit("-", 1)[-1]
