"""Repeated suggestions (多年多次提出): find suggestions of EARLIER years that say the same thing.

The commission tracks suggestions raised again and again over several years without resolution.
Deputies rarely reuse the exact wording, so the match is by content: title and text are cut into
words with jieba (precise mode), boilerplate is dropped, and two suggestions are compared by the
cosine of their TF-IDF vectors.

- Corpus: every suggestion of the compared years, i.e. all years up to and including the year of
  the suggestion(s) asked about. Later years never change an earlier year's scores, and a score is
  the same whether it comes from `similar_to` or from `repeated`.
- Term weight: tf * idf, with tf = 2 x (count in title) + (count in text) because the title
  carries the gist, and the smoothed idf = ln((1 + N) / (1 + df)) + 1 over the corpus above.
  Raw tf, not the sublinear 1 + ln tf: a suggestion names its subject again and again (乡村教师
  seven times), and measured on the test texts raw tf separated the same subject from a
  neighbouring one of the same field clearly better (weakest match / strongest neighbour 0.47 /
  0.34 against 0.32 / 0.26 with sublinear tf).
- Only suggestions sharing at least one word with the query are scored (an inverted index over the
  earlier years), so `repeated` costs one tokenisation per suggestion plus the overlaps.

Tokenising is the expensive part (jieba cuts ~0.5 MB of text a second), so word counts are kept
in the database (`suggestion_terms`, filled by the scheduler a batch per tick and checked against a
digest of the text), and each process keeps the corpus of the compared years with its index until
a suggestion of those years is added: a case page then costs one query and one lookup.
"""
from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import jieba
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import Suggestion, SuggestionTerms

from .errors import DomainError

# Chosen from the scores measured on the texts of tests/workflows/test_similarity.py (15 realistic
# suggestions over 2024-2026):
#   same subject, reworded ......................... 0.47 - 0.80 (weakest: 城际轨道交通 in 2024 vs
#                                                      城际铁路扩容提质 in 2025, 0.47)
#   same field, different subject .................. 0.12 - 0.34 (乡村教师补助 vs 乡村学校寄宿条件
#                                                      0.34, 0.24; 长株潭城际铁路 vs 长赣高铁 0.13)
#   unrelated subjects ............................. <= 0.06
#   only boilerplate in common (关于加强…工作的建议) .. <= 0.05 (two short texts of the same
#                                                      mould: 0.05, and 0.55 without STOP_WORDS;
#                                                      安全生产 vs 农村饮水安全, sharing 安全: 0.19)
# 0.40 sits in the middle of the gap between the neighbouring subjects and the weakest rewording:
# 0.07 below the one, 0.06 above the other. The neighbouring subjects are the tight side and set
# the value; unrelated texts and boilerplate are far away. On a real corpus of a thousand or more
# suggestions a year the idf of the common words of a field (乡村, 学校, 铁路) drops, which pulls
# neighbours down more than rewordings. Lower it to cast wider (more neighbours reported), raise it
# for near-verbatim repeats only.
THRESHOLD = 0.40
TITLE_WEIGHT = 2

# Words that say nothing about the subject. Single characters are dropped anyway (see `tokens`),
# so only words of 2+ characters need listing. IDF would down-weight them on a large corpus, but a
# title holds only a handful of words and counts twice: one shared 加强 or 工作 would carry a
# pair of short titles on different subjects past the threshold, so they go here.
STOP_WORDS = frozenset({
    # function words and connectives
    "关于", "对于", "以及", "或者", "并且", "而且", "通过", "按照", "根据", "为了", "由于", "因此",
    "但是", "如果", "其中", "同时", "目前", "当前", "现在", "今年", "近年来", "一是", "二是",
    "三是", "四是", "一些", "有些", "这些", "那些", "我们", "他们", "其他", "各类", "各种", "等等",
    "方面", "情况", "有关", "相关", "进行", "存在", "没有", "可以", "能够", "应当", "需要",
    # the boilerplate of a suggestion: its genre, its addressee and its stock verbs
    "建议", "意见", "提出", "问题", "工作", "我省", "全省", "本省", "省委", "省政府", "政府",
    "部门", "有关部门", "相关部门", "进一步", "加快", "加强", "推进", "推动", "完善", "健全",
    "促进", "提升", "强化", "落实", "加大", "力度", "切实", "不断", "积极", "尽快", "有效",
    "支持", "重视", "解决", "实现", "确保", "建立", "开展", "实施", "部分",
    # stock nouns of titles (关于加快…发展的建议, 关于加强…建设的建议): too common to tell subjects
    "发展", "建设",
})

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]")

jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict..." at DEBUG otherwise
_init_lock = threading.Lock()
_initialised = False


def _cut(text: str) -> list[str]:
    global _initialised
    if not _initialised:
        with _init_lock:
            if not _initialised:
                jieba.initialize()  # loads the bundled dictionary (~1 s) once per process
                _initialised = True
    return jieba.lcut(text)  # precise mode (cut_all=False), HMM for words not in the dictionary


def tokens(text: str) -> list[str]:
    """The words of `text` that can tell one subject from another, in order.

    Kept: words of 2+ characters containing a Han character (铁路, 长株潭 when jieba knows it) or a
    Latin letter (5G, ETC, PM2.5; lower-cased). Dropped:
    - stop words (STOP_WORDS);
    - single characters: in precise mode these are almost all particles, prepositions and
      measure words (的 对 在 将 等 并 为 个), or fragments of a word jieba does not know (长株|潭,
      where 长株 survives and still identifies the place); the rare meaningful one (水, 电) never
      carries a subject alone;
    - pure numbers (2024, 1.5, 30%): years and figures change every time a suggestion is raised
      again, so they would only pull restatements apart;
    - punctuation and whitespace.
    Full-width letters and digits are folded to ASCII first (NFKC), so ５Ｇ and 5G are one word.
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    return [word for word in (w.strip() for w in _cut(text))
            if len(word) >= 2 and (_HAN.search(word) or _LATIN.search(word))
            and word not in STOP_WORDS]


def term_counts(title: str, body: str) -> dict[str, int]:
    """Word counts of a suggestion, title words counted TITLE_WEIGHT times."""
    counts = Counter(tokens(body))
    for word in tokens(title):
        counts[word] += TITLE_WEIGHT
    return dict(counts)


# ---- word counts: kept in the database (suggestion_terms), cut again only when missing ----
def text_key(title: str, body: str) -> str:
    """A digest of what the counts were cut from: stored counts of another text are not used."""
    return hashlib.blake2b(f"{title}\x00{body}".encode(), digest_size=16).hexdigest()


def store_missing_terms(session: Session, limit: int = 500) -> int:
    """Cut and keep the word counts of up to `limit` suggestions that have none (or ones counted
    from a text of another length); the scheduler calls it every tick, so no web process has to
    cut the earlier years' texts. Only those suggestions are read: a tick over a settled
    database reads no text at all. (A same-length edit is caught where counts are used: `_load`
    checks the digest and cuts the text itself.)

    The length kept is the database's own `length()` of the very text read, not Python's
    `len()`: the two differ on some texts (SQLite stops counting at a NUL), and a length the
    query would never find equal makes every tick count the same suggestions again."""
    length = (func.coalesce(func.length(Suggestion.title), 0)
              + func.coalesce(func.length(Suggestion.body), 0))
    rows = session.execute(
        select(Suggestion.id, Suggestion.title, Suggestion.body, length)
        .outerjoin(SuggestionTerms, SuggestionTerms.suggestion_id == Suggestion.id)
        .where((SuggestionTerms.suggestion_id.is_(None)) | (SuggestionTerms.text_length != length))
        .order_by(Suggestion.id).limit(limit)).all()
    fresh = [{"suggestion_id": id_, "text_key": text_key(title, body or ""),
              "text_length": stored_length, "counts": term_counts(title, body or "")}
             for id_, title, body, stored_length in rows]
    if fresh:
        # Several schedulers may count the same suggestion at once: the last write wins (the
        # counts are the same), none fails on the key.
        dialect = session.get_bind().dialect.name
        upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(SuggestionTerms)
        session.execute(upsert.on_conflict_do_update(
            index_elements=["suggestion_id"],
            set_={"text_key": upsert.excluded.text_key, "text_length": upsert.excluded.text_length,
                  "counts": upsert.excluded.counts}), fresh)
    return len(fresh)


# ---- scoring ----
@dataclass
class Match:
    """An earlier-year suggestion that says the same thing; score is the cosine, 0..1."""

    suggestion_id: int
    year: int
    number: int
    title: str
    score: float


@dataclass
class _Doc:
    id: int
    year: int
    number: int
    title: str
    counts: dict[str, int]


def _load(session: Session, max_year: int) -> list[_Doc]:
    """Every suggestion up to `max_year` with its word counts (the corpus of the compared years):
    the stored counts where they match the text, else cut here (and kept by the scheduler)."""
    rows = session.execute(
        select(Suggestion.id, Suggestion.year, Suggestion.number, Suggestion.title,
               Suggestion.body, SuggestionTerms.text_key, SuggestionTerms.counts)
        .outerjoin(SuggestionTerms, SuggestionTerms.suggestion_id == Suggestion.id)
        .where(Suggestion.year <= max_year)
        .order_by(Suggestion.year, Suggestion.number, Suggestion.id))
    docs = []
    for id_, year, number, title, body, key, counts in rows:
        if counts is None or key != text_key(title, body or ""):
            counts = term_counts(title, body or "")
        docs.append(_Doc(id_, year, number, title, counts))
    return docs


@dataclass
class _Corpus:
    docs: list[_Doc]
    idf: dict[str, float]
    index: "_Index"


# Per process and database: the corpus of the years up to Y with its index, valid while no
# suggestion of those years was added (texts are fixed at registration; a new one changes the
# count, the highest id and the total length).
_corpora: dict[tuple[str, int], tuple[tuple, _Corpus]] = {}
_corpora_lock = threading.Lock()


def _corpus(session: Session, max_year: int) -> _Corpus:
    fingerprint = tuple(session.execute(
        select(func.count(Suggestion.id), func.max(Suggestion.id),
               func.sum(func.length(Suggestion.title) + func.length(Suggestion.body)))
        .where(Suggestion.year <= max_year)).one())
    key = (str(session.get_bind().url), max_year)
    with _corpora_lock:
        hit = _corpora.get(key)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    docs = _load(session, max_year)
    idf = _idf(docs)
    corpus = _Corpus(docs, idf, _Index((doc for doc in docs if doc.year < max_year), idf))
    with _corpora_lock:
        _corpora[key] = (fingerprint, corpus)
    return corpus


def clear_cache() -> None:
    """Forget the corpora built in this process."""
    with _corpora_lock:
        _corpora.clear()


def _idf(corpus: list[_Doc]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for doc in corpus:
        df.update(doc.counts.keys())
    n = len(corpus)
    return {word: math.log((1 + n) / (1 + k)) + 1 for word, k in df.items()}


def _unit_vector(counts: dict[str, int], idf: dict[str, float]) -> dict[str, float]:
    vector = {word: tf * idf[word] for word, tf in counts.items()}
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {word: w / norm for word, w in vector.items()} if norm else {}


class _Index:
    """Unit TF-IDF vectors of the earlier-year suggestions, inverted by word."""

    def __init__(self, earlier: Iterable[_Doc], idf: dict[str, float]):
        self.idf = idf
        self.docs: dict[int, _Doc] = {}
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for doc in earlier:
            self.docs[doc.id] = doc
            for word, weight in _unit_vector(doc.counts, idf).items():
                self.postings.setdefault(word, []).append((doc.id, weight))

    def query(self, doc: _Doc, threshold: float, limit: int | None,
              idf: dict[str, float] | None = None) -> list[Match]:
        scores: dict[int, float] = {}
        for word, weight in _unit_vector(doc.counts, idf or self.idf).items():
            for other, other_weight in self.postings.get(word, ()):
                if self.docs[other].year < doc.year:
                    scores[other] = scores.get(other, 0.0) + weight * other_weight
        found = [Match(other, self.docs[other].year, self.docs[other].number,
                       self.docs[other].title, min(score, 1.0))
                 for other, score in scores.items() if score >= threshold]
        found.sort(key=lambda m: (-m.score, -m.year, m.number, m.suggestion_id))
        return found if limit is None else found[:limit]


def similar_to(session: Session, suggestion_id: int, *, threshold: float = THRESHOLD,
               limit: int = 5) -> list[Match]:
    """Suggestions of earlier years saying the same as this one, best first (for the case page)."""
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise DomainError(f"建议不存在 (suggestion {suggestion_id} does not exist)")
    corpus = _corpus(session, suggestion.year)
    target = next(doc for doc in corpus.docs if doc.id == suggestion_id)
    return corpus.index.query(target, threshold, limit)


def similar_to_text(session: Session, title: str, body: str, year: int, *,
                    threshold: float = THRESHOLD, limit: int = 5) -> list[Match]:
    """Registered suggestions up to `year` saying the same as a text not yet registered (a
    deputy's draft), best first. Words no suggestion has weigh as a word met once more."""
    corpus = _corpus(session, year + 1)
    counts = term_counts(title, body)
    unseen = math.log(1 + len(corpus.docs)) + 1
    idf = {word: corpus.idf.get(word, unseen) for word in counts}
    return corpus.index.query(_Doc(0, year + 1, 0, title, counts), threshold, limit, idf)


def repeated(session: Session, year: int, *, threshold: float = THRESHOLD
             ) -> list[tuple[Suggestion, list[Match]]]:
    """Every suggestion of `year` that repeats earlier years' suggestions, with those matches
    (all above the threshold, best first); suggestions in order of number."""
    corpus = _corpus(session, year)
    found: dict[int, list[Match]] = {}
    for doc in corpus.docs:
        if doc.year == year:
            matches = corpus.index.query(doc, threshold, None)
            if matches:
                found[doc.id] = matches
    if not found:
        return []
    suggestions = session.scalars(select(Suggestion).where(Suggestion.id.in_(list(found)))
                                  .order_by(Suggestion.number, Suggestion.id))
    return [(suggestion, found[suggestion.id]) for suggestion in suggestions]


__all__ = ["Match", "STOP_WORDS", "THRESHOLD", "TITLE_WEIGHT", "clear_cache", "repeated",
           "similar_to", "similar_to_text", "store_missing_terms", "term_counts", "text_key", "tokens"]
