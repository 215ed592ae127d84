"""The reply's answer text (答复内容) as a letter prints it: typed text split into points, and
the salutation, opening and closing a drafter typed around the items told apart from the items,
so that only the items are numbered (一、二、…)."""
from __future__ import annotations

import re
from dataclasses import dataclass

# An ordinal the caller may already have typed at the start of a point ("一、", "（二）", "3.").
_LEADING_ORDINAL = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[、.．])\s*"
)


def split_answer_points(text: str) -> list[str]:
    """Split one block of answer text into points on blank lines.

    Lines inside a point are joined (Chinese text needs no space between them); empty points are
    dropped.
    """
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    points = []
    for block in blocks:
        joined = "".join(line.strip() for line in block.split("\n"))
        if joined:
            points.append(joined)
    return points


# What a drafter types around the items, which the letter must not number: the salutation
# ("王伟代表：", "王伟等代表："), the opening ("您提出的《…》收悉。现答复如下：") and the closing
# ("感谢您对…的关心和支持。", "特此答复。").
_SALUTATION = re.compile(r"^(?P<part>[^。；！？：:，,]{1,40}?(?:代表|同志|委员)们?[：:])(?P<rest>.*)$")
_OPENINGS = (  # "…现答复如下：" through its colon, else the sentence that says "收悉"
    re.compile(r"^(?P<part>.{0,300}?(?:答复|回复|说明)如下[：:])(?P<rest>.*)$"),
    re.compile(r"^(?P<part>.{0,300}?收悉[^。：:]{0,40}[。：:])(?P<rest>.*)$"),
)
_CLOSING = re.compile(r"^(?:感谢|衷心感谢|再次感谢|特此答复|此复|专此答复)")


@dataclass(frozen=True)
class AnswerParts:
    """The answer text as the letter prints it: what the drafter typed before the items (their
    own salutation and opening, else the letter writes them), the items, and the closing."""

    salutation: str | None
    opening: str | None
    items: list[str]
    closing: list[str]


def answer_parts(points: list[str]) -> AnswerParts:
    """Find the salutation, opening and closing among the typed points, so that only the body's
    items are numbered. A salutation or opening is recognised only at the start, a closing only
    at the end; the same words inside an item stay where they are. A text that is nothing but
    such a frame is printed as typed: no letter loses what was written."""
    parts = _peel(points)
    if parts.items:
        return parts
    return AnswerParts(None, None, [p.strip() for p in points or [] if p and p.strip()], [])


def has_items(text: str) -> bool:
    """Whether a typed answer says something beyond a salutation, an opening and a closing."""
    items = _peel(split_answer_points(text or "")).items
    # a short closing alone ("特此答复。") says nothing; an item that begins with 感谢 may
    return any(not (_CLOSING.match(item) and len(item) <= 40) for item in items)


def _peel(points: list[str]) -> AnswerParts:
    rest = [p.strip() for p in points or [] if p and p.strip()]
    salutation = opening = None
    if rest and (match := _SALUTATION.match(rest[0])):
        salutation = match["part"]
        rest[0:1] = [match["rest"].strip()] if match["rest"].strip() else []
    match = next(filter(None, (p.match(rest[0]) for p in _OPENINGS)), None) if rest else None
    if match:
        opening = match["part"]
        rest[0:1] = [match["rest"].strip()] if match["rest"].strip() else []
    closing: list[str] = []
    while len(rest) > 1 and _CLOSING.match(rest[-1]):
        closing.insert(0, rest.pop())
    items = [p for p in (_LEADING_ORDINAL.sub("", p).strip() for p in rest) if p]
    return AnswerParts(salutation, opening, items, closing)
