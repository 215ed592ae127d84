"""The one place a step, a process or a lane gets its name, in Chinese and in English.

A BPMN element's `name` is its Chinese name; its English name is the English catalogue's entry
"step:<process id>/<element id>" or "step:<element id>", falling back to the Chinese. Steps people
see outside the diagram (human tasks, timers, processes) have the short key: inbox rows and notices
know no process; ids as generic as `start` or a gateway's have the long one, so another model
reusing them keeps its own names. Models written elsewhere (SpiffArena) may name an element
bilingually, "中文 (English)": those are split, the English part standing in for a missing
catalogue entry. Lanes are identifiers that lane rules key on; they are shown by the
catalogues' "lane:<name>" entries, or as they are written.

The catalogues live with the web pages (webui/translations) but are plain data: notices are
written in both languages wherever a step completes, so this layer reads them too.
"""
from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path

from engine.safexml import parse

_PAIR = re.compile(r"^(?P<zh>.*?)\s*[（(](?P<en>[^()（）]*)[)）]\s*$")
TRANSLATIONS = Path(__file__).resolve().parents[1] / "webui" / "translations"


def split(text: str | None) -> tuple[str, str]:
    """(Chinese, English) of a bilingual name; a name without an English part is both."""
    match = _PAIR.match(text or "")
    if match is None:
        return text or "", text or ""
    return match["zh"], match["en"] or match["zh"]


@cache
def catalogue(lang: str) -> dict[str, str]:
    """A language's catalogue (source string or "step:"/"lane:" key -> text), read once: the
    main file `<lang>.json` and one file per feature in the folder `<lang>/` (sorted by name).
    A key defined twice is an error: two features must not disagree on one string."""
    paths = [TRANSLATIONS / f"{lang}.json", *sorted((TRANSLATIONS / lang).glob("*.json"))]
    merged: dict[str, str] = {}
    for path in paths:
        if not path.exists():
            continue
        entries = json.loads(path.read_text("utf-8"))
        twice = sorted(set(entries) & set(merged))
        if twice:
            raise ValueError(f"{path.name} repeats catalogue keys: {twice[:5]}")
        merged.update(entries)
    return merged


def step(element_id: str | None, name: str | None = None,
         process_id: str | None = None) -> tuple[str, str]:
    """(Chinese, English) of a BPMN element (task, event, gateway, flow, process) given its id
    and its BPMN name; an element without a name is shown by its id."""
    zh, en = split(name) if name else (element_id or "", element_id or "")
    english = catalogue("en")
    keys = ([f"step:{process_id}/{element_id}"] if process_id else []) + [f"step:{element_id}"]
    found = next((english[k] for k in keys if k in english), None)
    return zh, found or en


def lane(name: str | None) -> tuple[str, str]:
    """(Chinese, English) of a lane: the catalogues' "lane:<name>", else the name itself."""
    key = f"lane:{name}"
    return catalogue("zh").get(key, name or ""), catalogue("en").get(key, name or "")


_NAMED = {"process", "participant", "lane", "sequenceFlow", "subProcess", "callActivity",
          "transaction", "textAnnotation"}


@lru_cache(maxsize=32)
def diagram(xml: str, english: bool) -> dict[str, str]:
    """Element id -> the label a diagram of this BPMN file shows in one language, for every
    named element (the stored file is never changed: the viewer relabels what it drew). A
    version's files never change, so each is read once per language (callers must not alter
    the answer)."""
    out: dict[str, str] = {}
    root = parse(xml)
    for process in root.iter("{*}process"):
        process_id = process.get("id")
        for element in process.iter():
            if not isinstance(element.tag, str) or element.get("id") is None:
                continue
            local = element.tag.rsplit("}", 1)[-1]
            if element.get("name") is None or not (
                    local in _NAMED or local.endswith(("Task", "Event", "Gateway"))):
                continue
            pair = lane(element.get("name")) if local == "lane" else \
                step(element.get("id"), element.get("name"), process_id)
            out[element.get("id")] = pair[1 if english else 0]
    for participant in root.iter("{*}participant"):
        if participant.get("name") is not None:
            pair = step(participant.get("id"), participant.get("name"))
            out[participant.get("id")] = pair[1 if english else 0]
    return out
