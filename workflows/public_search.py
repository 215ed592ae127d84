"""The public search of published replies (办理结果公开查询): its index and its query.

Chinese has no spaces between words, so a word index does not fit and a scan of 100,000 texts
is too slow; every two neighbouring letters or digits (a bigram) of a published reply's title
and public text are kept in `publication_term`, coded as one integer. A query's words are cut
the same way: the replies holding every bigram are read from the index, and a word longer than
two characters is then checked as a whole (LIKE) on those few replies only.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import delete, func, insert, intersect, select
from sqlalchemy.orm import Session

from models import (CongressSession, Publication, PublicationTerm, Reply, Suggestion, Unit)

PAGE_SIZE = 20
MAX_QUERY = 40  # characters of a query
MAX_WORDS = 5
MAX_PAGE = 500


def normalise(text: str) -> str:
    """Full-width letters and digits as ASCII, lower case: what is indexed and searched."""
    return unicodedata.normalize("NFKC", text).lower()


def term_code(a: str, b: str) -> int:
    return ord(a) * 0x110000 + ord(b)


def terms(text: str) -> set[int]:
    """The bigrams of normalised `text`: neighbouring letters or digits (CJK included)."""
    return {term_code(a, b) for a, b in zip(text, text[1:]) if a.isalnum() and b.isalnum()}


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


def index(session: Session, publication: Publication) -> None:
    """Put a published reply's bigrams in the index (its old ones first out)."""
    unindex(session, publication)
    codes = terms(publication.search_text)
    if codes:
        session.execute(insert(PublicationTerm), [
            {"term": c, "publication_id": publication.id} for c in sorted(codes)])


def unindex(session: Session, publication: Publication) -> None:
    """Take a reply out of the index (withheld or withdrawn). Deleted by (term, id), the
    table's key, as the index has no other (it would double its size)."""
    codes = sorted(terms(publication.search_text))
    for part in range(0, len(codes), 500):
        session.execute(delete(PublicationTerm).where(
            PublicationTerm.publication_id == publication.id,
            PublicationTerm.term.in_(codes[part:part + 500])))


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


def _matching(query: str, filters: Filters):
    """The ids of published replies matching the query's words and the filters."""
    q = select(Publication.id).where(Publication.status == "published")
    found = words(query)
    codes: list[int] = sorted({c for w in found for c in terms(w)})
    if codes:
        ids = intersect(*(select(PublicationTerm.publication_id)
                          .where(PublicationTerm.term == code) for code in codes)) \
            if len(codes) > 1 else select(PublicationTerm.publication_id) \
            .where(PublicationTerm.term == codes[0])
        q = q.where(Publication.id.in_(ids))
    for w in found:
        if len(w) > 2:
            q = q.where(Publication.search_text.contains(w, autoescape=True))
    if filters.congress_session_id is not None:
        q = q.where(Publication.congress_session_id == filters.congress_session_id)
    if filters.unit_id is not None:
        q = q.where(Publication.unit_id == filters.unit_id)
    if filters.field:
        q = q.where(Publication.field == filters.field)
    return q


def search(session: Session, query: str, filters: Filters,
           page: int = 1) -> tuple[list[Result], int]:
    """One page of matching published replies, newest first, and how many match in all."""
    ids = _matching(query, filters)
    total = session.scalar(select(func.count()).select_from(ids.subquery()))
    chosen = session.scalars(ids.order_by(Publication.id.desc())
                             .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return results(session, chosen), total


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
        .where(Publication.id.in_(ids))).all()
    by_id = {r[0]: Result(*r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]
