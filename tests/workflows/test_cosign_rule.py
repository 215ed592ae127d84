"""The co-signing rule (workflows/cosign.py) and the drafting hints (workflows/quality.py)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows import cosign, quality

DEPUTIES = ["1", "2", "3", "4"]
TEXTS = ["甲", "乙"]
# one step of a draft's life: list co-signers, change the text, invite, or one answer
steps = st.one_of(
    st.tuples(st.just("list"), st.lists(st.sampled_from(DEPUTIES), unique=True, max_size=4)),
    st.tuples(st.just("edit"), st.sampled_from(TEXTS)),
    st.tuples(st.just("invite"), st.none()),
    st.tuples(st.just("answer"), st.tuples(st.sampled_from(DEPUTIES),
                                           st.sampled_from([cosign.CONFIRMED, cosign.DECLINED]))),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=25))
def test_submit_only_when_every_listed_co_signer_confirmed_the_current_text(history):
    listed, text, status, asked = [], cosign.fingerprint("t", "甲"), {}, set()
    for kind, value in history:
        if kind == "list":
            listed = cosign.kept(value, status)
        elif kind == "edit":
            text = cosign.fingerprint("t", value)
        elif kind == "invite":
            # invite is possible exactly when someone is missing; only they are asked
            assert cosign.may_invite(listed, status, text) == bool(
                cosign.pending(listed, status, text))
            asked = set(cosign.pending(listed, status, text))
        elif kind == "answer" and value[0] in asked:
            deputy, answer = value
            status = cosign.answered(status, deputy, answer, text, f"代表{deputy}")
            asked.discard(deputy)
        if cosign.may_submit(listed, status, text):
            assert all(status[d]["answer"] == cosign.CONFIRMED and status[d]["text"] == text
                       for d in listed)
        else:
            assert any(not cosign.confirmed(status, d, text) for d in listed)
        assert not set(cosign.kept(listed, status)) & set(cosign.declined(listed, status))


@given(st.lists(st.sampled_from(DEPUTIES), unique=True))
def test_asking_everyone_missing_and_all_confirming_allows_submit(listed):
    text, status = cosign.fingerprint("t", "b"), {}
    for deputy in cosign.pending(listed, status, text):
        status = cosign.answered(status, deputy, cosign.CONFIRMED, text, deputy)
    assert cosign.may_submit(listed, status, text)
    assert cosign.may_submit(listed, status, cosign.fingerprint("t", "c")) == (not listed)


def test_hints_name_what_is_missing():
    codes = lambda *a: [h.code for h in quality.hints(*a)]  # noqa: E731
    assert codes("关于路的建议", "路不好走。") == ["no_research", "no_ask", "too_short"]
    good = "经实地调研，全省农村公路破损严重。" * 12 + "建议省交通运输厅加快农村公路改造，设立专项资金。"
    assert codes("关于农村公路改造的建议", good) == []
    assert codes("关于农村公路改造的建议", good.replace("经实地调研，", ""), True) == []
    assert "no_research" in codes("关于农村公路改造的建议", good.replace("经实地调研，", ""))
    assert codes("t", good * 40)[-1] == "too_long"
    assert "no_ask" in codes("t", "我们希望有关部门重视。" * 30)
