"""The public search's pure parts: bitmaps round-trip, pages are the highest bits in order, and
a word matches exactly the texts holding all of its bigrams."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows import public_search as ps

IDS = st.sets(st.integers(1, 5_000), max_size=200)
CJK = st.text(st.sampled_from("道路交通安全乡村振兴资金支持养老服务"), min_size=2, max_size=6)


@given(IDS)
def test_bitmaps_round_trip(ids):
    bits = sum(1 << i for i in ids)
    assert ps.decode(ps.encode(bits)) == bits


@given(IDS, st.integers(0, 250), st.integers(1, 30))
def test_a_page_is_the_highest_ids_in_order(ids, skip, take):
    bits = sum(1 << i for i in ids)
    assert ps.highest(bits, skip, take) == sorted(ids, reverse=True)[skip:skip + take]


@settings(max_examples=200)
@given(st.lists(st.text(st.sampled_from("道路交通安全乡村振兴资金支持养老服务，。 "), max_size=40),
                min_size=1, max_size=8), CJK)
def test_a_word_matches_the_texts_holding_all_its_bigrams(texts, word):
    index: dict[str, int] = {}
    for n, text in enumerate(texts, start=1):
        for b in ps.bigrams(ps.normalise(text)):
            index[b] = index.get(b, 0) | 1 << n
    bits = -1
    for b in ps.bigrams(word):
        bits &= index.get(b, 0)
    expected = {n for n, text in enumerate(texts, start=1)
                if ps.bigrams(word) <= ps.bigrams(ps.normalise(text))}
    assert {n for n in range(1, len(texts) + 1) if bits >> n & 1} == expected
    assert {n for n, text in enumerate(texts, start=1) if word in text} <= expected  # no miss


def test_words_and_refusals():
    assert ps.words("道路 交通，ＡＢ") == ["道路", "交通", "ab"]
    assert ps.query_problem("一 二三") and ps.query_problem("字" * 41)
    assert ps.query_problem("甲乙 丙丁 戊己 庚辛 壬癸 子丑") and ps.query_problem("道路 交通") is None
