"""Which text rule each thing people type in the domain follows.

The rules themselves (characters, blanks, lengths) are `models.text`; this module says, per
field, the most characters (the column's width, or a limit for `Text` columns), whether it may be
left empty and whether it may hold line breaks. Registration in the web app, `jianyi import` and
`suggestions.register` all ask here, so a suggestion is held to the same rules however it
arrives.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from models import Committee, Suggestion
from models.text import LONG_TEXT, limit_of, problem
from models.vocabulary import FIELDS


@dataclass(frozen=True)
class Rule:
    """How one field's text is checked."""

    limit: int
    required: bool = True
    multiline: bool = False
    choices: tuple[str, ...] | None = None  # a fixed list the value must come from

    def problem(self, value) -> str | None:
        """Why `value` breaks the rule ("中文 (English)"), or None."""
        found = problem(value, limit=self.limit, required=self.required,
                        multiline=self.multiline)
        if found is None and self.choices is not None and value and value not in self.choices:
            return "须从列表中选择 (must be one of the list)"
        return found


SUGGESTION: dict[str, Rule] = {
    "title": Rule(limit_of(Suggestion.title)),
    "body": Rule(LONG_TEXT, required=False, multiline=True),
    "field": Rule(limit_of(Suggestion.field), choices=FIELDS.codes),
    "special_committee": Rule(limit_of(Suggestion.special_committee), required=False),
}

# 督办活动: what a special committee records of its supervision of a suggestion
SUPERVISION_ACTIVITY: dict[str, Rule] = {
    "participants": Rule(500, multiline=True),
    "notes": Rule(LONG_TEXT, multiline=True),
}
COMMITTEE = {"name": Rule(limit_of(Committee.name))}


def problems(rules: Mapping[str, Rule], values: Mapping[str, object]) -> dict[str, str]:
    """field -> why its value breaks its rule, for the fields of `values` that have a rule."""
    found = {}
    for name, value in values.items():
        rule = rules.get(name)
        why = rule.problem(value) if rule is not None else None
        if why:
            found[name] = why
    return found


__all__ = ["COMMITTEE", "Rule", "SUGGESTION", "SUPERVISION_ACTIVITY", "problems"]
