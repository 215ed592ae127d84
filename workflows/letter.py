"""The reply letter (答复函): step 9 "Reply" of the suggestion-handling process.

`build_letter` renders a `LetterData` as a real .docx (python-docx) laid out like a Chinese
official reply letter: class mark at the top right, document number, the title
"关于十四届人大三次会议第007号建议的答复", a publication note, the salutation, an opening
sentence, the point-by-point answer ("一、", "二、" …), a closing sentence, the unit's signature and
date (the reply is issued in the unit's name, never a division's), the contact line and the
copy-to (抄送) line.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from models import vocabulary

from .reply_text import AnswerParts, answer_parts, split_answer_points

__all__ = [
    "ANSWER_CLASSES",
    "AnswerParts",
    "LetterData",
    "answer_parts",
    "build_letter",
    "chinese_numeral",
    "chinese_date",
    "letter_blocks",
    "letter_filename",
    "letter_title",
    "split_answer_points",
]

#: Answer classes (答复类别) and what they mean (models.vocabulary.ANSWER_CLASSES).
ANSWER_CLASSES: dict[str, str] = vocabulary.ANSWER_CLASSES.labels()

PUBLISH_NOTE = "（此件公开发布）"
NO_PUBLISH_NOTE = "（此件不公开）"

# Fonts: 仿宋 for the body, 小标宋-like bold 宋体 for the title, 黑体 for marks and ordinals.
BODY_FONT = "FangSong"
TITLE_FONT = "SimSun"
HEADING_FONT = "SimHei"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
LINE_SPACING = Pt(28)  # fixed line spacing, about 22 lines on an A4 page

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1..99 in Chinese numerals: 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 21 → 二十一."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 99:
        raise ValueError(f"chinese_numeral supports integers 1..99, got {n!r}")
    tens, units = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _DIGITS[tens]) + "十"
    if units:
        text += _DIGITS[units]
    return text


def chinese_date(day: date) -> str:
    """A date the way Chinese official documents print it: 2026年5月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class LetterData:
    """Everything printed on a reply letter.

    `answer_points` is the point-by-point answer; a single string is accepted as well and split
    into points on blank lines (`split_answer_points`). Points are numbered "一、", "二、" … by the
    letter, so an ordinal the caller already typed at the start of a point is removed.
    """

    congress: int  # 届, e.g. 14 → 十四届
    meeting: int  # 次, e.g. 3 → 三次
    number: int  # 第×××号, printed with at least 3 digits
    title: str  # the suggestion's title
    lead_deputy: str
    co_signers: list[str]
    unit_name: str  # the handling unit; the reply is issued in its name
    doc_number: str  # 文号, e.g. "省交通厅函〔2026〕12号"
    answer_class: str  # "A" | "B" | "C" | "D"
    answer_points: list[str]
    contact_person: str
    contact_phone: str
    copy_to: list[str] = field(default_factory=list)
    issued_on: date = field(default_factory=date.today)
    publish: bool = False
    signer: str = ""  # 签发人, the principal head of record ("" when not known: no line)
    signer_substitute: str = ""  # who signed in their stead while they were away (代签)

    def __post_init__(self) -> None:
        if isinstance(self.answer_points, str):
            self.answer_points = split_answer_points(self.answer_points)
        if isinstance(self.answer_class, str):
            self.answer_class = self.answer_class.strip().upper()
        self.co_signers = [name.strip() for name in self.co_signers or [] if name and name.strip()]
        self.copy_to = [name.strip() for name in self.copy_to or [] if name and name.strip()]
        self.validate()

    def validate(self) -> None:
        """Raise ValueError with a clear message when the letter cannot be produced."""
        if self.answer_class not in ANSWER_CLASSES:
            raise ValueError(
                f"unknown answer class {self.answer_class!r}: expected one of "
                + ", ".join(f"{k} ({v})" for k, v in ANSWER_CLASSES.items())
            )
        if not self.points():
            raise ValueError("answer_points is empty: the reply needs at least one answer point")
        for name, value in (("congress", self.congress), ("meeting", self.meeting)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
                raise ValueError(f"{name} must be an integer 1..99, got {value!r}")
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 1:
            raise ValueError(f"number must be a positive integer, got {self.number!r}")
        for name in ("title", "lead_deputy", "unit_name"):
            if not str(getattr(self, name) or "").strip():
                raise ValueError(f"{name} must not be empty")

    def points(self) -> list[str]:
        """The answer's items as printed, without any ordinal the caller typed, and without the
        salutation, opening or closing the drafter typed around them (`answer_parts`)."""
        return answer_parts(self.answer_points).items

    def numbered(self) -> bool:
        """Items are numbered 一、二、… only when there are several: one item is a paragraph."""
        return len(self.points()) > 1

    @property
    def number_text(self) -> str:
        """The suggestion number with at least 3 digits: 7 → "007", 1234 → "1234"."""
        return f"{self.number:03d}"


def letter_title(data: LetterData) -> str:
    """关于十四届人大三次会议第007号建议的答复."""
    return (
        f"关于{chinese_numeral(data.congress)}届人大{chinese_numeral(data.meeting)}次会议"
        f"第{data.number_text}号建议的答复"
    )


def letter_filename(data: LetterData) -> str:
    """The download name of the letter, e.g. "答复函-第007号.docx"."""
    return f"答复函-第{data.number_text}号.docx"


def _salutation(data: LetterData) -> str:
    typed = answer_parts(data.answer_points).salutation
    return typed or f"{data.lead_deputy.strip()}{'等' if data.co_signers else ''}代表："


def _opening(data: LetterData) -> str:
    typed = answer_parts(data.answer_points).opening
    title = data.title.strip().strip("《》")
    return typed or f"您提出的《{title}》收悉。现答复如下："


def _closings(data: LetterData) -> list[str]:
    return (answer_parts(data.answer_points).closing
            or [f"感谢您对{data.unit_name.strip()}工作的关心和支持。"])


def _items(data: LetterData) -> list[tuple[str, str]]:
    """(ordinal, text) of each item: "一、" … when there are several, "" for a single one."""
    points = data.points()
    if not data.numbered():
        return [("", point) for point in points]
    return [(f"{chinese_numeral(i)}、", point) for i, point in enumerate(points, start=1)]


def _contact_line(data: LetterData) -> str:
    return f"联系人：{data.contact_person.strip()}　　联系电话：{data.contact_phone.strip()}"


def signer_line(data: LetterData) -> str:
    """签发人：张三, or, signed by a substitute while the principal head was away,
    签发人：张三（李四 代签）; "" when the signer is not known."""
    signer, substitute = (data.signer or "").strip(), (data.signer_substitute or "").strip()
    if not signer:
        return ""
    return f"签发人：{signer}（{substitute} 代签）" if substitute else f"签发人：{signer}"


def _copy_to_line(data: LetterData) -> str:
    return "抄送：" + "，".join(data.copy_to) + "。"


def letter_blocks(data: LetterData) -> list[tuple[str, str]]:
    """The letter's paragraphs in order, as (kind, text): what `build_letter` prints, for a page
    that shows the letter before it is sent (the reviewer's and the signer's)."""
    blocks = [("class", f"{data.answer_class}类"), ("doc_number", data.doc_number.strip()),
              ("title", letter_title(data)),
              ("publish", PUBLISH_NOTE if data.publish else NO_PUBLISH_NOTE),
              ("salutation", _salutation(data)), ("paragraph", _opening(data))]
    blocks += [("point", ordinal + point) for ordinal, point in _items(data)]
    blocks += [("paragraph", text) for text in _closings(data)]
    blocks += [("signature", data.unit_name.strip()), ("date", chinese_date(data.issued_on))]
    if signer_line(data):
        blocks.append(("signer", signer_line(data)))
    blocks.append(("contact", _contact_line(data)))
    if data.copy_to:
        blocks.append(("copy_to", _copy_to_line(data)))
    return blocks


# --- docx helpers -----------------------------------------------------------------------------


def _set_run_font(run, east_asia: str, size, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)


def _paragraph(
    doc,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size=BODY_SIZE,
    bold: bool = False,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    right_indent_chars: int = 0,
    space_before=None,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING if size <= BODY_SIZE else Pt(size.pt + 8)
    fmt.space_before = space_before or Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(BODY_SIZE.pt * 2)  # two characters
    if right_indent_chars:
        fmt.right_indent = Pt(BODY_SIZE.pt * right_indent_chars)
    if text:
        _set_run_font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _setup_document(doc, data: LetterData) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    props = doc.core_properties
    props.title = letter_title(data)
    props.author = data.unit_name
    props.subject = data.title
    props.language = "zh-CN"


def build_letter(data: LetterData) -> bytes:
    """The reply letter as .docx bytes."""
    data.validate()
    doc = Document()
    _setup_document(doc, data)

    # Class mark, top right.
    _paragraph(
        doc, f"{data.answer_class}类", font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    # Document number (文号).
    _paragraph(
        doc, data.doc_number.strip(), align=WD_ALIGN_PARAGRAPH.CENTER, space_before=Pt(BODY_SIZE.pt)
    )
    # Title and publication note.
    _paragraph(
        doc,
        letter_title(data),
        font=TITLE_FONT,
        size=TITLE_SIZE,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=Pt(BODY_SIZE.pt * 1.5),
    )
    _paragraph(
        doc, PUBLISH_NOTE if data.publish else NO_PUBLISH_NOTE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    # Salutation and opening.
    _paragraph(doc, _salutation(data), space_before=Pt(BODY_SIZE.pt))
    _paragraph(doc, _opening(data), indent=True)
    # Point-by-point answer.
    for ordinal, point in _items(data):
        paragraph = _paragraph(doc, indent=True)
        if ordinal:
            _set_run_font(paragraph.add_run(ordinal), HEADING_FONT, BODY_SIZE)
        _set_run_font(paragraph.add_run(point), BODY_FONT, BODY_SIZE)
    for text in _closings(data):
        _paragraph(doc, text, indent=True)
    # Signature block: the unit and the date, right-aligned.
    _paragraph(
        doc,
        data.unit_name.strip(),
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        right_indent_chars=2,
        space_before=Pt(BODY_SIZE.pt * 3),
    )
    _paragraph(doc, chinese_date(data.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=2)
    if signer_line(data):
        _paragraph(doc, signer_line(data), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=2)
    # Contact and copy-to.
    _paragraph(doc, _contact_line(data), align=WD_ALIGN_PARAGRAPH.LEFT, space_before=Pt(BODY_SIZE.pt * 2))
    if data.copy_to:
        _paragraph(doc, _copy_to_line(data), align=WD_ALIGN_PARAGRAPH.LEFT)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
