"""Finding personal data in a reply before publication (workflows.redaction): every phone
number, ID-card number and e-mail address put inside random Chinese text is found where it is,
and document numbers, dates and amounts are not taken for one."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.redaction import detect, id_check_digit, mask, redact

CHINESE = st.text(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                            st.sampled_from("，。、；：“”（）《》！？ \n")), max_size=30)
DIGIT = "0123456789"


def digits(n: int, first: str = DIGIT) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(first), st.text(st.sampled_from(DIGIT), min_size=n - 1,
                                                      max_size=n - 1)).map("".join)


@st.composite
def mobiles(draw) -> str:
    number = "1" + draw(st.sampled_from("3456789")) + draw(digits(9))
    shape = draw(st.sampled_from(["plain", "dash", "space", "+86", "+86 "]))
    if shape == "dash":
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if shape == "space":
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    return (shape if shape != "plain" else "") + number


@st.composite
def landlines(draw) -> str:
    area = "0" + draw(digits(draw(st.sampled_from([2, 3]))))
    local = draw(digits(draw(st.sampled_from([7, 8])), first="23456789"))
    shape = draw(st.sampled_from(["{a}-{l}", "{a}{l}", "({a}){l}", "（{a}）{l}", "{a}-{l}-{x}"]))
    return shape.format(a=area, l=local, x=draw(digits(3)))


@st.composite
def id_cards(draw) -> str:
    first17 = (draw(digits(6, first="123456789"))
               + str(draw(st.integers(1900, 2025)))
               + draw(st.dates()).strftime("%m%d") + draw(digits(3)))
    return first17 + id_check_digit(first17)


EMAILS = st.tuples(st.from_regex(r"[a-z][a-z0-9._]{0,12}[a-z0-9]", fullmatch=True),
                   st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
                   st.sampled_from(["cn", "com", "gov.cn", "org"])).map(
    lambda p: f"{p[0]}@{p[1]}.{p[2]}")
PERSONAL = st.one_of(mobiles().map(lambda v: ("mobile", v)),
                     landlines().map(lambda v: ("landline", v)),
                     id_cards().map(lambda v: ("id_card", v)), EMAILS.map(lambda v: ("email", v)))


@settings(max_examples=200, deadline=None)
@given(CHINESE, PERSONAL, CHINESE)
def test_every_number_and_address_inside_chinese_text_is_found(before, found, after):
    kind, value = found
    text = before + value + after
    spans = [(f.kind, f.start, f.end, f.text) for f in detect(text)]
    assert (kind, len(before), len(before) + len(value), value) in spans
    assert value not in redact(text, [(kind, value)])


@settings(max_examples=100, deadline=None)
@given(CHINESE, st.lists(PERSONAL, min_size=2, max_size=4), CHINESE)
def test_several_in_one_text_are_all_found(before, found, after):
    text = before + "，".join(v for _k, v in found) + after
    values = {f.text for f in detect(text)}
    assert {v for _k, v in found} <= values


NOT_PERSONAL = st.one_of(
    st.tuples(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1,
                      max_size=4), st.integers(1990, 2099), st.integers(1, 9999))
    .map(lambda t: f"{t[0]}〔{t[1]}〕{t[2]}号"),
    st.dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    st.dates().map(lambda d: d.isoformat()), st.dates().map(lambda d: d.strftime("%Y.%m.%d")),
    st.dates().map(lambda d: f"{d.year}/{d.month}/{d.day}"),
    st.integers(0, 10**9).map(lambda n: f"{n}万元"), st.integers(1, 999).map(lambda n: f"第{n}号"),
    st.decimals(0, 10**6, places=2).map(lambda n: f"{n}亿元"),
)


@settings(max_examples=200, deadline=None)
@given(CHINESE, NOT_PERSONAL, CHINESE)
def test_document_numbers_dates_and_amounts_are_not_personal_data(before, value, after):
    assert detect(before + value + after) == []


@given(id_cards())
def test_an_id_number_with_a_wrong_check_character_is_not_one(number):
    wrong = next(c for c in "0123456789X" if c != number[-1])
    assert [f.kind for f in detect(f"身份证{number[:-1]}{wrong}。")] == []


def test_names_are_found_and_masked_with_the_surname_kept():
    text = "王芳代表与李强处长面商，王芳表示满意。"
    found = detect(text, ["王芳", "李强", "不在文中"])
    assert [(f.kind, f.text) for f in found] == [("name", "王芳"), ("name", "李强"),
                                                  ("name", "王芳")]
    assert redact(text, [("name", "王芳")]) == "王某代表与李强处长面商，王某表示满意。"
    assert mask("mobile", "138-1234-5678") == "138-****-**78"
    assert mask("email", "li@hn.gov.cn") == "l***@hn.gov.cn"


def test_a_local_number_counts_only_after_a_phone_word():
    assert [f.text for f in detect("联系电话：84567890。投资84567890元。")] == ["84567890"]
