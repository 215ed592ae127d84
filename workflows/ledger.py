"""The ledger (台账): every case with the columns a commission keeps, as .xlsx or .csv.

Rows are read in chunks of suggestions with one query per related table, so a ledger of
100,000 cases streams in bounded memory; the workbook is written in openpyxl's write-only mode.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import vocabulary
from models import Assignment, Consultation, Deputy, Feedback, Reply, Suggestion, Unit, User

from . import assignment_facts, xlsx
from .assignment_facts import OWN_FEEDBACK
from .statistics import Filters, suggestion_conditions
from .calendar import CHINA

CHUNK = 2000
COLUMNS = [  # (key, Chinese header, English header)
    ("number", "建议号", "No."), ("title", "标题", "Title"), ("field", "领域", "Field"),
    ("lead_deputy", "领衔代表", "Lead deputy"), ("electoral_unit", "选举单位", "Electoral unit"),
    ("mode", "办理方式", "Mode"), ("lead_unit", "主办单位", "Lead unit"),
    ("co_units", "会办单位", "Co-handling units"), ("key", "重点建议", "Key"),
    ("supervising_leader", "督办领导", "Supervising leader"),
    ("special_committee", "专门委员会", "Special committee"),
    ("assigned_on", "交办日期", "Assigned"), ("reply_due", "答复期限", "Reply due"),
    ("replied_on", "答复日期", "Replied"), ("answer_class", "答复类别", "Answer class"),
    ("consulted", "面商情况", "Consultation"), ("satisfaction", "满意度", "Satisfaction"),
    ("first_satisfaction", "首次反馈满意度", "First-round satisfaction"),
    ("status", "状态", "Status"), ("overdue_days", "逾期天数", "Days overdue"),
]


@dataclass
class LedgerFilters(Filters):
    """Which cases the ledger lists: the supervision page's filters, plus a case status."""

    status: str | None = None


def _suggestion_query(filters: LedgerFilters):
    query = select(Suggestion.id).where(Suggestion.merged_into_id.is_(None),
                                        *suggestion_conditions(filters))
    if filters.status:
        query = query.where(Suggestion.status == filters.status)
    if filters.unit_id:
        query = query.where(Suggestion.id.in_(select(Assignment.suggestion_id).where(
            Assignment.unit_id == filters.unit_id)))
    return query.order_by(Suggestion.congress_session_id, Suggestion.number)


def _day(value: datetime | None) -> str:
    return value.astimezone(CHINA).date().isoformat() if value else ""


class _Words:
    """How the ledger joins several values in a cell, in Chinese or English punctuation."""

    def __init__(self, english: bool):
        self.english = english
        self.list_sep, self.item_sep, self.colon = (", ", "; ", ": ") if english \
            else ("、", "；", "：")

    def listed(self, values: Iterable[str]) -> str:
        return self.list_sep.join(values)

    def each(self, values: Iterable[str]) -> str:
        return self.item_sep.join(values)

    def ratings(self, rated: Iterable[tuple[str, str]]) -> str:
        """"unit：rating" per unit; an unknown rating code is left blank."""
        return self.each(f"{unit}{self.colon}"
                         f"{vocabulary.SATISFACTION.label(code, self.english, default='')}"
                         for unit, code in rated)


def rows(session: Session, filters: LedgerFilters, now: datetime,
         english: bool = False) -> Iterator[dict]:
    """One dict per case (keys of COLUMNS), in number order; plain column tuples, no ORM
    objects, read a chunk of cases at a time. The codes (mode, key flag, satisfaction, status)
    are written in Chinese, or in English for the English ledger (models.vocabulary)."""
    w = _Words(english)
    ids = list(session.scalars(_suggestion_query(filters)))
    units = dict(session.execute(select(Unit.id, Unit.name)).tuples().all())
    leaders = dict(session.execute(select(User.id, User.name)).tuples().all())
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        cases = session.execute(select(
            Suggestion.id, Suggestion.number, Suggestion.title, Suggestion.field,
            Suggestion.mode, Suggestion.key_suggestion, Suggestion.supervising_leader_id,
            Suggestion.special_committee, Suggestion.assigned_at, Suggestion.status,
            Deputy.name, Deputy.electoral_unit).join(Deputy, Deputy.id == Suggestion.lead_deputy_id)
            .where(Suggestion.id.in_(chunk))
            .order_by(Suggestion.congress_session_id, Suggestion.number)).all()
        assignments: dict[int, list] = {}
        for a in session.execute(select(
                Assignment.id, Assignment.suggestion_id, Assignment.unit_id, Assignment.role,
                Assignment.reply_due).where(Assignment.suggestion_id.in_(chunk),
                                            Assignment.status != "returned")
                .order_by(Assignment.id)):
            assignments.setdefault(a.suggestion_id, []).append(a)
        assignment_ids = [a.id for group in assignments.values() for a in group]
        replies: dict[int, list] = {}
        ratings: dict[int, list] = {}  # the case's own deputy's
        consulted: dict[int, str] = {}
        for part in range(0, len(assignment_ids), 900):  # keep IN lists small on SQLite
            some = assignment_ids[part:part + 900]
            for r in session.execute(
                    select(Reply.assignment_id, Reply.round, Reply.id, Reply.answer_class,
                           Reply.on_time, Reply.issued_at).where(Reply.assignment_id.in_(some))):
                replies.setdefault(r.assignment_id, []).append(r)
            for f in session.execute(
                    select(Feedback.assignment_id, Feedback.round, Feedback.id,
                           Feedback.satisfaction, Feedback.recorded_on_behalf)
                    .where(Feedback.assignment_id.in_(some), OWN_FEEDBACK)):
                ratings.setdefault(f.assignment_id, []).append(f)
            for assignment_id, held_on in session.execute(
                    select(Consultation.assignment_id, Consultation.held_on)
                    .where(Consultation.assignment_id.in_(some))).tuples():
                consulted.setdefault(assignment_id, held_on)
        # By the rule of workflows.assignment_facts: the first reply's date, the class that
        # stands (after re-handling), the final rating; and the first round (首次反馈).
        facts = {i: assignment_facts.reply_facts(found) for i, found in replies.items()}
        first_reply = {i: f["replied_at"] for i, f in facts.items()}
        last_class = {i: f["answer_class"] for i, f in facts.items()}
        feedback = {i: assignment_facts.feedback_facts(found)["satisfaction"]
                    for i, found in ratings.items()}
        first_feedback = {i: assignment_facts.first_rating(found) for i, found in ratings.items()}
        for (sid, number, title, field, mode, key, leader_id, committee, assigned_at, status,
             deputy, electoral_unit) in cases:
            own = assignments.get(sid, [])
            leads = [a for a in own if a.role != "co"]
            co = [a for a in own if a.role == "co"]
            due = min((a.reply_due for a in leads), default=None)
            replied = min((first_reply[a.id] for a in leads if a.id in first_reply), default=None)
            overdue = max(0, ((replied or now) - due).days) if due is not None else 0
            rated = [(units[a.unit_id], feedback[a.id]) for a in own if a.id in feedback]
            first_rated = [(units[a.unit_id], first_feedback[a.id]) for a in own
                           if a.id in first_feedback]
            yield {
                "number": number, "title": title, "field": field, "lead_deputy": deputy,
                "electoral_unit": electoral_unit,
                "mode": vocabulary.MODES.label(mode, english, default=""),
                "lead_unit": w.listed(units[a.unit_id] for a in leads),
                "co_units": w.listed(units[a.unit_id] for a in co),
                "key": vocabulary.pick(vocabulary.YES_NO[bool(key)], english),
                "supervising_leader": leaders.get(leader_id, ""),
                "special_committee": committee or "", "assigned_on": _day(assigned_at),
                "reply_due": _day(due), "replied_on": _day(replied),
                "answer_class": w.listed(sorted({last_class[a.id] for a in leads
                                                 if a.id in last_class})),
                "consulted": w.each(f"{units[a.unit_id]} {consulted[a.id]}" for a in own
                                    if a.id in consulted)
                or vocabulary.pick(vocabulary.NOT_CONSULTED, english),
                "satisfaction": w.ratings(rated), "first_satisfaction": w.ratings(first_rated),
                "status": vocabulary.SUGGESTION_STATUSES.label(status, english),
                "overdue_days": overdue,
            }


def headers(english: bool = False) -> list[str]:
    return [en if english else zh for _key, zh, en in COLUMNS]


def to_xlsx(records: Iterable[dict], sheet: str = "台账", english: bool = False,
            columns=COLUMNS) -> bytes:
    """The ledger as a workbook, streamed row by row."""
    return xlsx.write([(sheet, [en if english else zh for _k, zh, en in columns],
                        ([_cell(record.get(key)) for key, _zh, _en in columns]
                         for record in records))])


def _cell(value):
    # Text that looks like a formula is stored as text, never evaluated by Excel; no cell is
    # longer than Excel holds (in the .csv too, which people open in Excel).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):  # OWASP
        value = "'" + value
    return xlsx.fit_cell(value) if isinstance(value, str) else value


def to_csv(records: Iterable[dict], english: bool = False, columns=COLUMNS) -> Iterator[str]:
    """CSV lines (UTF-8 with BOM so Excel opens Chinese text correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([en if english else zh for _k, zh, en in columns])
    yield buffer.getvalue()
    for record in records:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(record.get(key)) for key, _zh, _en in columns])
        yield buffer.getvalue()


KEY_COLUMNS = [
    ("number", "建议号", "No."), ("title", "标题", "Title"), ("lead_deputy", "领衔代表", "Lead deputy"),
    ("supervising_leader", "督办领导", "Supervising leader"),
    ("special_committee", "专门委员会", "Special committee"), ("lead_unit", "主办单位", "Lead unit"),
    ("co_units", "会办单位", "Co-handling units"), ("reply_due", "答复期限", "Reply due"),
    ("status", "状态", "Status"),
]


def key_rows(session: Session, filters: LedgerFilters, now: datetime,
             english: bool = False) -> Iterator[dict]:
    """The key-suggestion assignment table (重点处理建议交办表)."""
    key_filters = LedgerFilters(**{**filters.__dict__, "key_only": True})
    yield from rows(session, key_filters, now, english)
