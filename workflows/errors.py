"""Exceptions of the suggestion domain."""
from __future__ import annotations

from engine import EngineError, FormError


class DomainError(EngineError):
    """A rule of suggestion handling was broken; the message says which."""


class PermissionDenied(DomainError):
    """The user may not see or do this."""


__all__ = ["DomainError", "FormError", "PermissionDenied"]
