"""Only the body's items are numbered: a salutation, opening or closing the drafter typed is
printed as such, once, never as "一、王明代表：" (a new user's papercut)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from workflows import simulate
from workflows.errors import FormError
from workflows.letter import letter_blocks
from workflows.reply_text import answer_parts, has_items, split_answer_points

from .test_letter import _data, _texts
from .test_process import SOLE, cases  # noqa: F401 (fixture)

TYPED = """王明等代表：

您提出的《关于加快农村公路提质改造的建议》收悉。现答复如下：

一、关于资金保障。今年安排专项资金3亿元。

二、关于养护机制。推行路长制。

感谢您对交通运输工作的关心和支持。

特此答复。"""


def test_a_typed_salutation_opening_and_closing_are_not_numbered():
    data = _data(answer_points=TYPED)
    texts = [text for _kind, text in letter_blocks(data)]
    assert "王明等代表：" in texts
    assert "您提出的《关于加快农村公路提质改造的建议》收悉。现答复如下：" in texts
    assert "一、关于资金保障。今年安排专项资金3亿元。" in texts
    assert "二、关于养护机制。推行路长制。" in texts
    last_item = texts.index("二、关于养护机制。推行路长制。")
    assert texts[last_item + 1:last_item + 4] == ["感谢您对交通运输工作的关心和支持。", "特此答复。",
                                                   "湖南省交通运输厅"]
    assert not any(t.startswith(("一、王明", "一、您提出", "三、")) for t in texts)
    # printed once: the letter's own salutation and opening give way to the typed ones
    assert sum("代表：" in t for t in texts) == 1 and sum("收悉" in t for t in texts) == 1
    assert _texts(data) == texts  # the .docx says the same


def test_a_single_item_is_a_paragraph_without_a_number():
    data = _data(answer_points="王明代表：\n您提出的建议收悉，现答复如下：我厅已将该路段列入计划。")
    points = [(kind, text) for kind, text in letter_blocks(data) if kind == "point"]
    assert points == [("point", "我厅已将该路段列入计划。")]


def test_the_same_words_inside_an_item_stay_in_the_item():
    parts = answer_parts(["关于养护。感谢各地支持，现答复如下：推行路长制。", "特此答复后续。"
                          "再议。", "二、第二点"])
    assert parts.salutation is None
    assert parts.items[-1] == "第二点"  # a closing is only recognised at the end
    assert parts.closing == []


chinese = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=2,
                  max_size=30)


@settings(max_examples=150, deadline=None)
@given(items=st.lists(chinese, min_size=1, max_size=6), salutation=st.booleans(),
       opening=st.booleans(), closing=st.booleans())
def test_every_typed_item_is_printed_once_and_numbered_only_when_several(items, salutation,
                                                                       opening, closing):
    typed = (["王明代表："] if salutation else []) + (["来信收悉。现答复如下："] if opening else [])
    typed += [f"关于{i}" for i in items] + (["此复。"] if closing else [])
    parts = answer_parts(split_answer_points("\n\n".join(typed)))
    assert parts.items == [f"关于{i}" for i in items]
    assert (parts.salutation is not None) == salutation
    assert (parts.opening is not None) == opening
    assert parts.closing == (["此复。"] if closing else [])
    data = _data(answer_points="\n\n".join(typed))
    points = [text for kind, text in letter_blocks(data) if kind == "point"]
    if len(items) == 1:
        assert points == [f"关于{items[0]}"]
    else:
        assert [p.split("、", 1)[1] for p in points] == [f"关于{i}" for i in items]


FRAME_ONLY = "王明代表：\n\n您提出的建议收悉。现答复如下：\n\n特此答复。"


def test_a_text_that_is_only_the_frame_is_printed_as_typed_not_an_error():
    """A reply issued before the check below (or typed on paper) never breaks its letter."""
    texts = [text for _kind, text in letter_blocks(_data(answer_points=FRAME_ONLY))]
    assert "王明代表：" in texts and "特此答复。" in texts
    assert not has_items(FRAME_ONLY) and has_items(FRAME_ONLY + "\n\n已列入计划。")


def test_a_draft_or_rehandled_answer_of_only_a_frame_is_refused_with_what_was_typed(cases):
    sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"draft_reply"})
    draft = {**simulate.DRAFT, "answer_text": FRAME_ONLY, "action": "submit"}
    with pytest.raises(FormError) as refused:
        cases.complete("transport_unit_handler", case, "draft_reply", draft)
    assert "answer_text" in refused.value.errors
    saved = {**draft, "action": "request_extension", "extension_reason": "需要协调"}
    assert cases.complete("transport_unit_handler", case, "draft_reply", saved)  # not a submit
