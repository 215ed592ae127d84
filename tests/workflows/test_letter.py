"""The reply letter (答复函) is a real .docx with the title, marks and answer points in order."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from workflows.letter import (
    ANSWER_CLASSES,
    LetterData,
    build_letter,
    chinese_date,
    chinese_numeral,
    letter_filename,
    letter_title,
    split_answer_points,
)

POINTS = [
    "关于国省干线公路提质改造。我厅已将该路段纳入2026年养护计划。",
    "关于农村公路安全生命防护工程。今年安排资金1.2亿元，实施里程800公里。",
    "关于客运班线公交化改造。我厅将会同相关市州逐步推进。",
]


def _data(**overrides) -> LetterData:
    values = dict(
        congress=14,
        meeting=3,
        number=7,
        title="关于加快农村公路提质改造的建议",
        lead_deputy="王明",
        co_signers=["李华", "张强"],
        unit_name="湖南省交通运输厅",
        doc_number="湘交函〔2026〕12号",
        answer_class="B",
        answer_points=list(POINTS),
        contact_person="刘芳",
        contact_phone="0731-88888888",
        copy_to=["省人大常委会代表工作委员会", "省人民政府办公厅"],
        issued_on=date(2026, 5, 20),
        publish=True,
    )
    values.update(overrides)
    return LetterData(**values)


def _texts(data: LetterData) -> list[str]:
    document = docx.Document(io.BytesIO(build_letter(data)))
    return [p.text for p in document.paragraphs if p.text.strip()]


@pytest.mark.parametrize(
    "n, expected",
    [(1, "一"), (10, "十"), (11, "十一"), (14, "十四"), (20, "二十"), (21, "二十一"), (99, "九十九")],
)
def test_chinese_numeral(n, expected):
    assert chinese_numeral(n) == expected


@pytest.mark.parametrize("n", [0, 100, -1, True, "3"])
def test_chinese_numeral_rejects_values_outside_1_to_99(n):
    with pytest.raises(ValueError):
        chinese_numeral(n)


def test_letter_is_a_valid_docx_with_the_full_layout_in_order():
    texts = _texts(_data())
    assert texts == [
        "B类",
        "湘交函〔2026〕12号",
        "关于十四届人大三次会议第007号建议的答复",
        "（此件公开发布）",
        "王明等代表：",
        "您提出的《关于加快农村公路提质改造的建议》收悉。现答复如下：",
        "一、" + POINTS[0],
        "二、" + POINTS[1],
        "三、" + POINTS[2],
        "感谢您对湖南省交通运输厅工作的关心和支持。",
        "湖南省交通运输厅",
        "2026年5月20日",
        "联系人：刘芳　　联系电话：0731-88888888",
        "抄送：省人大常委会代表工作委员会，省人民政府办公厅。",
    ]


def test_title_uses_chinese_numerals_and_a_three_digit_number():
    assert letter_title(_data()) == "关于十四届人大三次会议第007号建议的答复"
    assert letter_title(_data(congress=13, meeting=1, number=1234)) == (
        "关于十三届人大一次会议第1234号建议的答复"
    )


def test_filename():
    assert letter_filename(_data()) == "答复函-第007号.docx"
    assert letter_filename(_data(number=215)) == "答复函-第215号.docx"


@pytest.mark.parametrize("answer_class", sorted(ANSWER_CLASSES))
def test_class_mark_is_printed_top_right(answer_class):
    document = docx.Document(io.BytesIO(build_letter(_data(answer_class=answer_class))))
    first = document.paragraphs[0]
    assert first.text == f"{answer_class}类"
    assert first.alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_lower_case_class_is_accepted():
    assert _texts(_data(answer_class="a"))[0] == "A类"


def test_unpublished_letter_and_single_deputy():
    texts = _texts(_data(publish=False, co_signers=[]))
    assert "（此件不公开）" in texts
    assert "（此件公开发布）" not in texts
    assert "王明代表：" in texts


def test_one_text_block_is_split_into_points_on_blank_lines():
    block = "一、第一点内容，\n接续一行。\n\n  \n二、第二点内容。\n\n\n第三点内容。\n"
    assert split_answer_points(block) == ["一、第一点内容，接续一行。", "二、第二点内容。", "第三点内容。"]
    texts = _texts(_data(answer_points=block))
    # Ordinals the caller typed are replaced by the letter's own numbering, never doubled.
    assert "一、第一点内容，接续一行。" in texts
    assert "二、第二点内容。" in texts
    assert "三、第三点内容。" in texts


def test_no_copy_to_line_without_recipients():
    assert not any(t.startswith("抄送") for t in _texts(_data(copy_to=[])))


def test_cjk_fonts_are_set():
    document = docx.Document(io.BytesIO(build_letter(_data())))
    by_text = {p.text: p for p in document.paragraphs}
    title_run = by_text["关于十四届人大三次会议第007号建议的答复"].runs[0]
    assert title_run.bold
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "SimSun"
    body_run = by_text["王明等代表："].runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "FangSong"
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_output_is_a_docx_package():
    data = build_letter(_data())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "word/document.xml" in package.namelist()


def test_chinese_date():
    assert chinese_date(date(2026, 5, 20)) == "2026年5月20日"
    assert chinese_date(date(2026, 12, 1)) == "2026年12月1日"


@pytest.mark.parametrize("answer_class", ["E", "", "A类", None])
def test_unknown_answer_class_is_rejected(answer_class):
    with pytest.raises(ValueError, match="answer class"):
        _data(answer_class=answer_class)


@pytest.mark.parametrize("points", [[], ["", "  "], "", "\n\n  \n"])
def test_empty_answer_points_are_rejected(points):
    with pytest.raises(ValueError, match="answer_points"):
        _data(answer_points=points)


def test_validation_runs_again_when_building():
    data = _data()
    data.answer_class = "X"
    with pytest.raises(ValueError, match="answer class"):
        build_letter(data)
