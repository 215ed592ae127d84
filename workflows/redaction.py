"""Personal data in a reply's text, found before publication (办理结果公开前的脱敏).

A pure function: `detect(text, names)` finds mobile and landline phone numbers, 18-digit ID-card
numbers (checksum verified, last character may be X), e-mail addresses and the given personal
names, each with its position. `mask` says how a finding is shown once masked, `redact` masks
the chosen values wherever they occur in a (possibly edited) text.

Numbers are matched only when no other digit touches them, so a document number such as
湘交函〔2025〕12号, a date (2025年3月1日, 2025-03-01) or an amount is not a phone number. A
local number without area code (84567890) counts only right after a phone word (电话, 手机,
Tel, …), as amounts and counts have the same shape.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

KINDS = ("name", "mobile", "landline", "id_card", "email")
_ND = r"(?<![0-9０-９])"  # no digit before
_NA = r"(?![0-9０-９])"  # no digit after
MOBILE = re.compile(_ND + r"(?:(?:\+|00)86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}" + _NA)
LANDLINE = re.compile(_ND + r"(?:\(0[0-9]{2,3}\)|（0[0-9]{2,3}）|0[0-9]{2,3}-?)"
                      r"[2-9][0-9]{6,7}(?:-[0-9]{1,5})?" + _NA)
LOCAL = re.compile(r"(?:电话|手机|座机|传真|热线|联系方式|Tel|TEL|tel)[:：\s]{0,3}"
                   r"(?P<number>[2-9][0-9]{6,7})" + _NA)
ID_CARD = re.compile(_ND + r"[1-9][0-9]{16}[0-9Xx]" + _NA)
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}"
                   r"(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind (KINDS), where it is and what it says."""

    kind: str
    start: int
    end: int
    text: str


def id_check_digit(first17: str) -> str:
    """The check character of an ID-card number (GB 11643)."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def _valid_id(number: str) -> bool:
    return id_check_digit(number[:17]) == number[17].upper()


def detect(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Every finding in `text`, by position; where two overlap the earlier (then longer) wins."""
    found: list[Finding] = []
    for m in ID_CARD.finditer(text):
        if _valid_id(m.group()):
            found.append(Finding("id_card", m.start(), m.end(), m.group()))
    for kind, pattern in (("mobile", MOBILE), ("landline", LANDLINE), ("email", EMAIL)):
        found += [Finding(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
    for m in LOCAL.finditer(text):
        found.append(Finding("landline", m.start("number"), m.end("number"), m.group("number")))
    for name in {n.strip() for n in names if n and len(n.strip()) >= 2}:
        start = text.find(name)
        while start != -1:
            found.append(Finding("name", start, start + len(name), name))
            start = text.find(name, start + len(name))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def distinct(findings: Iterable[Finding]) -> list[Finding]:
    """The first finding of each (kind, text), in order: the choices the commission ticks."""
    seen, out = set(), []
    for f in findings:
        if (f.kind, f.text) not in seen:
            seen.add((f.kind, f.text))
            out.append(f)
    return out


def mask(kind: str, value: str) -> str:
    """How a value is shown once masked: a name keeps its surname (张某某), a number its first
    three and last two digits, an e-mail address its first character and its domain."""
    if kind == "name":
        return value[0] + "某" * (len(value) - 1)
    if kind == "email":
        local, _, domain = value.partition("@")
        return local[0] + "***@" + domain
    digits = [i for i, c in enumerate(value) if c.isdigit() or c in "Xx"]
    keep = set(digits[:3] + digits[-2:])
    return "".join(c if (i in keep or i not in digits) else "*" for i, c in enumerate(value))


def redact(text: str, chosen: Iterable[tuple[str, str]]) -> str:
    """`text` with every occurrence of each chosen (kind, value) masked; longer values first,
    so a name inside a longer one is not masked half-way."""
    for kind, value in sorted(set(chosen), key=lambda kv: -len(kv[1])):
        if value:
            text = text.replace(value, mask(kind, value))
    return text


def highlighted(text: str, findings: list[Finding]) -> list[tuple[str, Finding | None]]:
    """`text` cut into pieces, each with the finding it is (or None), for a page to mark up."""
    pieces, at = [], 0
    for f in findings:
        if f.start > at:
            pieces.append((text[at:f.start], None))
        pieces.append((text[f.start:f.end], f))
        at = f.end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces
