"""How the checks record what they find: the row being checked and the problems per cell.

``CellChecker`` is the part of the checker the unit and cross-row checks (``units``,
``cross_rows``) need — reading a cell's text and recording a problem against it — so they can
live in modules of their own without importing the row checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .columns import BY_KEY, CellError, Lookups, display


def cached(func: Callable[[str], Any]) -> Callable[[str], Any]:
    cache: dict[str, Any] = {}

    def wrapper(name: str) -> Any:
        if name not in cache:
            cache[name] = func(name)
        return cache[name]
    return wrapper


@dataclass
class Parsed:
    """One data row while it is being checked (before the cross-row checks)."""

    row: int
    raw: dict[str, Any]
    errors: dict[str, CellError] = field(default_factory=dict)
    number: Optional[int] = None
    mode: Optional[str] = None
    lead_code: Optional[str] = None
    lead_ok: bool = False  # lead unit cell valid and known
    merged_with: list[int] = field(default_factory=list)
    merged_ok: bool = True
    values: dict[str, Any] = field(default_factory=dict)


class CellChecker:
    """The file's headers and lookups, and the recording of problems against cells."""

    def __init__(self, headers: dict[str, str], lookups: Lookups):
        self.headers = headers  # key → header as written
        self.unit_code = cached(lookups.unit_code)
        self.deputy_unit = cached(lookups.deputy_electoral_unit)
        self.leader_known = cached(lookups.leader_known)
        self.existing = set(lookups.existing_numbers)

    def column(self, key: str) -> str:
        return self.headers.get(key, BY_KEY[key].zh)

    def error(self, p: Parsed, key: str, message: str, english: str) -> None:
        """Record a problem; several problems in one cell become one CellError."""
        found = p.errors.get(key)
        if found:
            found.message += "；" + message
            found.english += "; " + english
            return
        p.errors[key] = CellError(p.row, self.column(key), display(p.raw.get(key)),
                                  message, english)

    def text(self, p: Parsed, key: str) -> Optional[str]:
        """The cell's text; None when a required column is missing (value unknown)."""
        if key not in self.headers:
            return None if BY_KEY[key].required else ""
        return display(p.raw.get(key))
