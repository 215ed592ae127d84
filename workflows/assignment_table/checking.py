"""The checks of one row on its own: each cell's value, and the cells that depend on each other.

``Checker.check_row`` records every problem of a row (``cells``); the handling units are checked
in ``units`` and the rows against each other in ``cross_rows``. ``Checker.build`` turns a row
without problems into an :class:`ImportRow`.
"""
from __future__ import annotations

from typing import Optional

from models.vocabulary import FIELDS

from .. import labels
from ..text import SUGGESTION as TEXT_RULES
from .cells import CellChecker, Parsed
from .columns import (BY_KEY, FALSE, MAX_NUMBER, MODE_ALIASES, MODE_CHOICES, MODES,
                      TRUE, ImportRow, display, norm,
                      parse_int, split_list)
from .units import check_units


class Checker(CellChecker):
    """The single-row checks (the cross-row ones are ``cross_rows.check_file``)."""

    def check_row(self, p: Parsed) -> None:
        self._number(p)
        title = self.text(p, "title")
        if title == "":
            self.error(p, "title", "标题不能为空", "title is required")
        elif title is not None:
            self._follows_rule(p, "title", title)
        p.values["title"] = title
        body = self.text(p, "body")
        if body:
            self._follows_rule(p, "body", body)
        p.values["body"] = body or title
        self._deputies(p)
        fld = self.text(p, "field")
        fld = FIELDS.parse(fld) or fld if fld else fld  # "住建" is the field 城建
        if fld == "":
            self.error(p, "field", "领域不能为空", "field is required")
        elif fld is not None:
            self._follows_rule(p, "field", fld)
        p.values["field"] = fld
        self._mode(p)
        check_units(self, p)
        self._key(p)
        committee = self.text(p, "special_committee")
        if committee:
            self._follows_rule(p, "special_committee", committee)
        p.values["special_committee"] = committee or None
        self._merged_with(p)

    def _follows_rule(self, p: Parsed, key: str, value: str) -> None:
        """The text rules of the suggestion's field (length, characters, blank)."""
        why = TEXT_RULES[key].problem(value)
        if why:
            zh, en = labels.split(why)
            self.error(p, key, f"{BY_KEY[key].zh}{zh}", f"{key}: {en}")

    def _number(self, p: Parsed) -> None:
        if "number" not in self.headers:
            return
        raw = p.raw.get("number")
        shown = display(raw)
        if shown == "":
            self.error(p, "number", "建议号不能为空", "number is required")
            return
        number = parse_int(raw)
        if number is None:
            self.error(p, "number", f"建议号必须是整数：{shown}",
                       f"number must be an integer: {shown}")
            return
        if number <= 0:
            self.error(p, "number", f"建议号必须是正整数：{shown}",
                       f"number must be a positive integer: {shown}")
            return
        if number > MAX_NUMBER:
            self.error(p, "number", f"建议号不能大于{MAX_NUMBER}：{shown}",
                       f"number may not exceed {MAX_NUMBER}: {shown}")
            return
        p.number = number
        if number in self.existing:
            self.error(p, "number", f"第{number}号建议已在本次会议登记",
                       f"suggestion number {number} is already registered in this session")

    def _deputies(self, p: Parsed) -> None:
        lead = self.text(p, "lead_deputy")
        lead_unit: Optional[str] = None
        if lead == "":
            self.error(p, "lead_deputy", "领衔代表不能为空", "lead deputy is required")
        elif lead is not None:
            lead_unit = self.deputy_unit(lead)
            if lead_unit is None:
                self.error(p, "lead_deputy", f"未知的代表：{lead}", f"unknown deputy: {lead}")
        p.values["lead_deputy"] = lead

        electoral = self.text(p, "electoral_unit")
        if electoral == "":
            self.error(p, "electoral_unit", "选举单位不能为空", "electoral unit is required")
        elif electoral is not None and lead_unit is not None \
                and norm(electoral) != norm(lead_unit):
            self.error(p, "electoral_unit",
                       f"选举单位与领衔代表{lead}的选举单位（{lead_unit}）不一致：{electoral}",
                       f"electoral unit {electoral} does not match lead deputy {lead}'s "
                       f"electoral unit ({lead_unit})")
        p.values["electoral_unit"] = electoral

        names = split_list(self.text(p, "co_signers") or "")
        unknown = [n for n in names if self.deputy_unit(n) is None]
        if unknown:
            self.error(p, "co_signers", f"未知的代表：{'、'.join(unknown)}",
                       f"unknown deputy: {', '.join(unknown)}")
        if lead and lead in names:
            self.error(p, "co_signers", f"联名代表不能包含领衔代表：{lead}",
                       f"co-signers may not include the lead deputy: {lead}")
        dups = sorted({n for n in names if names.count(n) > 1}, key=names.index)
        if dups:
            self.error(p, "co_signers", f"联名代表重复：{'、'.join(dups)}",
                       f"co-signer listed twice: {', '.join(dups)}")
        p.values["co_signers"] = names

    def _mode(self, p: Parsed) -> None:
        text = self.text(p, "mode")
        if text is None:
            return
        if text == "":
            self.error(p, "mode", "办理方式不能为空", "handling mode is required")
            return
        mode = MODE_ALIASES.get(norm(text))
        if mode is None:
            self.error(p, "mode",
                       f"未知的办理方式：{text}（应为{'、'.join(MODE_CHOICES[:-1])}"
                       f"或{MODE_CHOICES[-1]}）",
                       f"unknown handling mode: {text} (expected {', '.join(MODES[:-1])} "
                       f"or {MODES[-1]})")
            return
        p.mode = mode

    def _key(self, p: Parsed) -> None:
        raw = p.raw.get("key") if "key" in self.headers else None
        if isinstance(raw, bool):
            key: Optional[bool] = raw
        else:
            token = norm(display(raw))
            key = True if token in TRUE else False if token in FALSE else None
        if key is None:
            self.error(p, "key", f"重点建议应填“是”或“否”：{display(raw)}",
                       f"key suggestion must be yes or no: {display(raw)}")
        p.values["key"] = bool(key)
        leader = self.text(p, "supervising_leader")
        if key is True:
            if not leader:
                self.error(p, "supervising_leader", "重点建议须填写督办领导",
                           "a key suggestion needs a supervising leader")
            elif not self.leader_known(leader):
                self.error(p, "supervising_leader", f"未知的督办领导：{leader}",
                           f"unknown supervising leader: {leader}")
        elif key is False and leader:
            self.error(p, "supervising_leader", "非重点建议不能填写督办领导",
                       "only key suggestions have a supervising leader")
        p.values["supervising_leader"] = leader or None

    def _merged_with(self, p: Parsed) -> None:
        text = self.text(p, "merged_with") or ""
        tokens = split_list(text)
        bad = []
        for token in tokens:
            number = parse_int(token)
            if number is None or not 0 < number <= MAX_NUMBER:
                bad.append(token)
            elif number not in p.merged_with:
                p.merged_with.append(number)
        if bad:
            p.merged_ok = False
            self.error(p, "merged_with", f"并案建议号必须是正整数：{'、'.join(bad)}",
                       f"merged suggestion numbers must be positive integers: "
                       f"{', '.join(bad)}")
        if tokens and p.mode is not None and p.mode != "merged":
            p.merged_ok = False
            self.error(p, "merged_with", "只有办理方式为并案的建议才能填写并案建议号",
                       "only merged suggestions may list merged suggestion numbers")

    def build(self, p: Parsed) -> ImportRow:
        """The checked values of a row without problems."""
        v = p.values
        return ImportRow(
            row=p.row, number=p.number, title=v["title"], body=v["body"],
            lead_deputy=v["lead_deputy"], co_signers=v["co_signers"],
            electoral_unit=v["electoral_unit"], field=v["field"], mode=p.mode,
            lead_unit=p.lead_code, co_units=v["co_units"], key=v["key"],
            supervising_leader=v["supervising_leader"],
            special_committee=v["special_committee"], merged_with=list(p.merged_with))

