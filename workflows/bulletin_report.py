"""The bulletin's figures as rows, as a paragraph in the bulletin's words and as an .xlsx with
both sessions side by side (the figures themselves: `workflows.bulletin`)."""
from __future__ import annotations

from dataclasses import dataclass

from models.vocabulary import pick

from . import xlsx
from .bulletin import Bulletin, SessionFigures


@dataclass(frozen=True)
class Row:
    """One line of the table: its figure (a SessionFigures attribute), its name in Chinese and
    English, and whether it is a share (shown in %, its change in percentage points)."""

    key: str
    zh: str
    en: str
    share: bool = False

    def value(self, figures: SessionFigures | None):
        """The figure as shown: a count, or a share in % rounded to 0.1; None if there is none."""
        value = None if figures is None else getattr(figures, self.key)
        if self.share and value is not None:
            return round(value * 100, 1)
        return value

    def change(self, bulletin: Bulletin):
        """The change on the previous session: a count's difference, a share's percentage
        points (of the unrounded shares, as the paragraph says it)."""
        if bulletin.previous is None:
            return None
        new, old = (getattr(f, self.key) for f in (bulletin.current, bulletin.previous))
        if new is None or old is None:
            return None
        return round((new - old) * 100, 1) if self.share else new - old

    def change_rate(self, bulletin: Bulletin) -> float | None:
        """A count's change as % of the previous session's (none for shares)."""
        new, old = self.value(bulletin.current), self.value(bulletin.previous)
        if self.share or new is None or not old:
            return None
        return round((new - old) / old * 100, 1)


ROWS = (
    Row("suggestions", "建议总数（件）", "Suggestions"),
    Row("from_research", "通过专题调研形成的建议（件）", "From topical research"),
    Row("research_share", "专题调研建议占比（%）", "Share from topical research (%)", True),
    Row("units", "承办单位数（家）", "Handling units"),
    Row("key_suggestions", "重点处理建议（件）", "Key suggestions"),
    Row("leader_count", "领办省领导（位）", "Provincial leaders leading them"),
    Row("consultation_rate", "主办件面商率（%）", "Consultation rate, lead units (%)", True),
    Row("first_rated", "首次反馈（件）", "First-round feedback"),
    Row("first_satisfaction_rate", "首次反馈满意率（%）", "First-round satisfaction (%)", True),
    Row("first_very_satisfied_rate", "非常满意和满意占比（%）",
        "Very satisfied and satisfied (%)", True),
)
HEADER = (("指标", "Figure"), ("同比增减（件/百分点）", "Change (count / points)"),
          ("增减幅度（%）", "Change (%)"))


def _pct(value: float) -> str:
    return f"{value * 100:.1f}"


def _trend(points: float, english: bool) -> str:
    if english:
        return f"{'up' if points >= 0 else 'down'} {abs(points):.1f} percentage points"
    return f"同比{'提高' if points >= 0 else '下降'}{abs(points):.1f}个百分点"


def paragraph(b: Bulletin, english: bool = False) -> str:
    """The figures in the bulletin's words, e.g. "建议总数1027件，同比减少430件，降幅29.5%；…"."""
    cur = b.current
    parts = []
    change, rate = b.suggestions_change, b.suggestions_change_rate
    if english:
        text = f"{cur.suggestions} suggestions"
        if change is not None:
            text += f", {'down' if change < 0 else 'up'} {abs(change)} on the previous session"
            if rate is not None:
                text += f" ({abs(rate) * 100:.1f}%)"
        parts.append(text)
    else:
        text = f"建议总数{cur.suggestions}件"
        if change is not None:
            text += f"，同比{'减少' if change < 0 else '增加'}{abs(change)}件"
            if rate is not None:
                text += f"，{'降幅' if change < 0 else '增幅'}{abs(rate) * 100:.1f}%"
        parts.append(text)
    share, points = cur.research_share, b.research_share_points
    if share is not None:
        if english:
            text = f"{cur.from_research} came from topical research ({_pct(share)}%"
            text += f", {_trend(points, True)})" if points is not None else ")"
        else:
            text = f"通过专题调研形成的建议{cur.from_research}件，占比{_pct(share)}%"
            text += f"，{_trend(points, False)}" if points is not None else ""
        parts.append(text)
    parts.append(f"handled by {cur.units} units" if english else f"交由{cur.units}家承办单位办理")
    if cur.key_suggestions:
        parts.append(f"{cur.key_suggestions} key suggestions led by {cur.leader_count} "
                     "provincial leaders" if english else
                     f"确定重点处理建议{cur.key_suggestions}件，由{cur.leader_count}位省领导领办")
    if cur.consultation_rate is not None:
        parts.append(f"lead units consulted the deputies in {_pct(cur.consultation_rate)}% of "
                     "cases" if english else f"主办件面商率{_pct(cur.consultation_rate)}%")
    if cur.first_satisfaction_rate is not None:
        very = cur.first_very_satisfied_rate
        points = b.very_satisfied_points
        if english:
            text = (f"deputies' first-round satisfaction reached {_pct(cur.first_satisfaction_rate)}"
                    f"%, very satisfied and satisfied {_pct(very)}%")
            text += f", {_trend(points, True)}" if points is not None else ""
        else:
            text = (f"代表首次反馈满意率达{_pct(cur.first_satisfaction_rate)}%，"
                    f"其中非常满意和满意占比达{_pct(very)}%")
            text += f"，{_trend(points, False)}" if points is not None else ""
        parts.append(text)
    if english:
        return "; ".join(parts)[:1].upper() + "; ".join(parts)[1:] + "."
    return "；".join(parts) + "。"


def table(b: Bulletin, english: bool = False) -> tuple[list[str], list[list]]:
    """The header and rows of the figures: name, previous session, this session, change,
    change in % (the page and the .xlsx show the same)."""
    names = [b.previous.session.name if b.previous else pick(("上次会议", "Previous session"),
                                                             english), b.current.session.name]
    header = [pick(HEADER[0], english), *names, pick(HEADER[1], english), pick(HEADER[2], english)]
    rows = [[pick((row.zh, row.en), english), row.value(b.previous), row.value(b.current),
             row.change(b), row.change_rate(b)] for row in ROWS]
    return header, rows


def to_xlsx(b: Bulletin, english: bool = False) -> bytes:
    """The figures of both sessions side by side, the paragraph, and the key suggestions with
    the leaders who lead them."""
    header, rows = table(b, english)
    summary = [[pick(("概述", "Summary"), english), paragraph(b, english)]]
    key_header = [pick(p, english) for p in (("会议", "Session"), ("领办省领导", "Leading leader"),
                                             ("建议号", "Number"), ("标题", "Title"))]
    keys = [[figures.session.name, leader, number, title]
            for figures in (b.previous, b.current) if figures is not None
            for leader, suggestions in figures.leaders for number, title in suggestions]
    return xlsx.write([
        (pick(("公报数据", "Bulletin figures"), english), header, rows + [[]] + summary),
        (pick(("重点处理建议", "Key suggestions"), english), key_header, keys),
    ])


__all__ = ["HEADER", "ROWS", "Row", "paragraph", "table", "to_xlsx"]
