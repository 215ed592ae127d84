"""Quality hints for a suggestion being drafted (shown, never enforced): is a research basis
(调研) stated, is there a concrete ask (建议/请求 with an action verb), is the length sensible.

Pure: text in, hints out, so the draft page and the commission's review say the same."""
from __future__ import annotations

import re
from dataclasses import dataclass

SHORT = 150    # characters: below this a suggestion rarely states facts, reasons and an ask
LONG = 5000    # characters: above this the ask gets lost
RESEARCH = re.compile(r"调研|调查|走访|座谈|考察|实地|数据显示|据统计|抽样")
ASK = re.compile(r"(建议|请求|恳请|提请|呼吁)[^。！？\n]{0,30}?"
                 r"(加大|加快|出台|制定|设立|建立|完善|加强|增加|提高|解决|推动|推进|支持|实施|"
                 r"修订|落实|安排|开展|扩大|降低|减少|保障|统筹|规划|改造|建设|明确|优化)")


@dataclass(frozen=True)
class Hint:
    """One hint: a code (for tests and the page) and its words (Chinese, English)."""

    code: str
    zh: str
    en: str


HINTS = {
    "no_research": Hint("no_research", "未写明调研依据（调研、走访、数据等）",
                        "No research basis stated (surveys, visits, figures)"),
    "no_ask": Hint("no_ask", "未见具体请求（如“建议……加快/出台/设立……”）",
                   "No concrete ask (e.g. “建议 … 加快/出台/设立 …”)"),
    "too_short": Hint("too_short", "内容较短，建议写明现状、问题和具体请求",
                      "Rather short: state the situation, the problem and the ask"),
    "too_long": Hint("too_long", "内容很长，建议精简，突出具体请求",
                     "Very long: shorten it and put the ask first"),
}


def hints(title: str, body: str, from_research: bool = False) -> list[Hint]:
    """What a reader would miss, in a fixed order; [] when nothing is missing."""
    text = f"{title or ''}\n{body or ''}"
    length = len((body or "").strip())
    found = []
    if not from_research and not RESEARCH.search(text):
        found.append(HINTS["no_research"])
    if not ASK.search(text):
        found.append(HINTS["no_ask"])
    if length < SHORT:
        found.append(HINTS["too_short"])
    elif length > LONG:
        found.append(HINTS["too_long"])
    return found


__all__ = ["HINTS", "Hint", "LONG", "SHORT", "hints"]
