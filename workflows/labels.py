"""Bilingual names "中文 (English)", as the BPMN's element names and form titles are written."""
from __future__ import annotations

import re

_PAIR = re.compile(r"^(?P<zh>.*?)\s*[（(](?P<en>[^()（）]*)[)）]\s*$")


def split(text: str | None) -> tuple[str, str]:
    """(Chinese, English) of a bilingual name; a name without an English part is both."""
    match = _PAIR.match(text or "")
    if match is None:
        return text or "", text or ""
    return match["zh"], match["en"] or match["zh"]
