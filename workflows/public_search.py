"""The public search of published replies (办理结果公开查询): its index and its query.

Chinese has no spaces between words, so a word index does not fit, and a scan of 100,000 texts
(or of a table of their 13 million bigram rows) costs hundreds of milliseconds for a common
word. The index is one bitmap per key instead (`models.PublicationIndex`): per bigram — two
neighbouring letters or digits of a published reply's title and public text — and per filter
value (session, unit, field); bit n stands for publication n. A search reads the few bitmaps
its words and filters name and ANDs them: the count is the bits left, a page the highest ones.

A word matches a reply that holds every bigram of it (道路交通: 道路, 路交 and 交通), as a
bigram search without positions does: a longer word is not checked letter by letter, so a
reply holding 乡村, 村振 and 振兴 apart would match 乡村振兴 — rare in real text, and the
price of an exact count at any size.
"""
from __future__ import annotations

import base64
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CongressSession, Publication, PublicationIndex, Reply, Suggestion, Unit

PAGE_SIZE = 20
MAX_QUERY = 40  # characters of a query
MAX_WORDS = 5
MAX_PAGE = 500


def normalise(text: str) -> str:
    """Full-width letters and digits as ASCII, lower case: what is indexed and searched."""
    return unicodedata.normalize("NFKC", text).lower()


def bigrams(text: str) -> set[str]:
    """The bigrams of normalised `text`: neighbouring letters or digits (CJK included)."""
    return {a + b for a, b in zip(text, text[1:]) if a.isalnum() and b.isalnum()}


def words(query: str) -> list[str]:
    """A query's words: its runs of letters and digits, normalised, each once."""
    out, word = [], []
    for char in normalise(query) + " ":
        if char.isalnum():
            word.append(char)
        elif word:
            if "".join(word) not in out:
                out.append("".join(word))
            word = []
    return out


def query_problem(query: str) -> str | None:
    """Why a query cannot be searched, as "中文 (English)"; None if it can."""
    if len(query) > MAX_QUERY:
        return f"检索词过长，请不超过 {MAX_QUERY} 个字 (at most {MAX_QUERY} characters)"
    found = words(query)
    if len(found) > MAX_WORDS:
        return f"检索词过多，请不超过 {MAX_WORDS} 个 (at most {MAX_WORDS} words)"
    if any(len(w) < 2 for w in found):
        return "每个检索词至少两个字 (each word needs two characters or more)"
    return None


# ---- the index ----
def encode(bits: int) -> str:
    return base64.b64encode(zlib.compress(bits.to_bytes((bits.bit_length() + 7) // 8,
                                                        "little"))).decode()


def decode(text: str) -> int:
    return int.from_bytes(zlib.decompress(base64.b64decode(text)), "little")


def keys_of(publication: Publication) -> set[str]:
    """Every index key a published reply is under."""
    return {"all", f"s:{publication.congress_session_id}", f"u:{publication.unit_id}",
            f"f:{publication.field}"} | {"t:" + b for b in bigrams(publication.search_text)}


def _change(session: Session, publication: Publication, present: bool) -> None:
    """Set (or clear) the reply's bit under each of its keys. Rows are read for update in key
    order, so two publications at once wait for each other rather than deadlock."""
    keys = sorted(keys_of(publication))
    bit = 1 << publication.id
    found: dict[str, PublicationIndex] = {}
    for part in range(0, len(keys), 500):
        found.update((row.key, row) for row in session.scalars(
            select(PublicationIndex).where(PublicationIndex.key.in_(keys[part:part + 500]))
            .order_by(PublicationIndex.key).with_for_update()))
    for key in keys:
        row = found.get(key)
        if row is None:
            if present:
                session.add(PublicationIndex(key=key, bits=encode(bit)))
            continue
        bits = decode(row.bits)
        row.bits = encode(bits | bit if present else bits & ~bit)
    session.flush()


def index(session: Session, publication: Publication) -> None:
    """Put a published reply in the index."""
    _change(session, publication, True)


def unindex(session: Session, publication: Publication) -> None:
    """Take a reply out of the index (withdrawn, or before it is published again)."""
    _change(session, publication, False)


# ---- the search ----
@dataclass
class Filters:
    congress_session_id: int | None = None
    unit_id: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class Result:
    id: int
    title: str
    number: int
    session_name: str
    unit_name: str
    answer_class: str
    public_text: str


def matching(session: Session, query: str, filters: Filters) -> int:
    """The bitmap of the published replies matching the query's words and the filters."""
    keys = {"all"} | {"t:" + b for w in words(query) for b in bigrams(w)}
    for prefix, value in (("s", filters.congress_session_id), ("u", filters.unit_id),
                          ("f", filters.field)):
        if value is not None and value != "":
            keys.add(f"{prefix}:{value}")
    rows = session.execute(select(PublicationIndex.key, PublicationIndex.bits)
                           .where(PublicationIndex.key.in_(sorted(keys)))).all()
    if len(rows) < len(keys):
        return 0  # a key no published reply has
    bits = -1
    for _key, text in sorted(rows, key=lambda r: len(r[1])):  # the smallest sets first
        bits &= decode(text)
        if not bits:
            break
    return bits


def highest(bits: int, skip: int, take: int) -> list[int]:
    """The positions of the highest set bits after skipping `skip` of them (newest first)."""
    found: list[int] = []
    while bits and len(found) < take:
        top = bits.bit_length() - 1
        if skip:
            skip -= 1
        else:
            found.append(top)
        bits ^= 1 << top
    return found


def search(session: Session, query: str, filters: Filters,
           page: int = 1) -> tuple[list[Result], int]:
    """One page of matching published replies, newest first, and how many match in all."""
    bits = matching(session, query, filters)
    chosen = highest(bits, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return results(session, chosen), bits.bit_count()


def results(session: Session, ids: Iterable[int]) -> list[Result]:
    """What the public page shows of these publications: never a contact or a deputy."""
    ids = list(ids)
    if not ids:
        return []
    rows = session.execute(
        select(Publication.id, Suggestion.title, Suggestion.number, CongressSession.name,
               Unit.name, Reply.answer_class, Publication.public_text)
        .join(Suggestion, Suggestion.id == Publication.suggestion_id)
        .join(CongressSession, CongressSession.id == Publication.congress_session_id)
        .join(Unit, Unit.id == Publication.unit_id)
        .join(Reply, Reply.id == Publication.reply_id)
        .where(Publication.id.in_(ids), Publication.status == "published")).all()
    by_id = {r[0]: Result(*r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]
