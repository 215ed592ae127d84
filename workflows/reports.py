"""Supervision lists and reports: escalations, overdue and due cases, tracking lists,
the year-end evaluation per unit (.xlsx) and the mid-year progress report (.xlsx)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from models import vocabulary
from models import (Assignment, Escalation, Feedback, FollowUp, ProgressReport, Reply, Suggestion,
                    Unit, User)

from . import statistics, xlsx
from .assignment_facts import (OWN_FEEDBACK, latest_feedback_rounds, latest_reply_rounds,
                               merged_final_ratings)
from .statistics import Filters, suggestion_conditions

LEAD_ROLES = vocabulary.LEAD_ROLES


def _scoped(query, filters: Filters):
    query = query.where(*suggestion_conditions(filters))
    if filters.unit_id:
        query = query.where(Assignment.unit_id == filters.unit_id)
    return query


def open_escalations(session: Session, filters: Filters, limit: int = 50):
    """Unresolved escalations, newest first: (escalation, suggestion, unit name)."""
    query = (select(Escalation, Suggestion, Unit.name)
             .join(Suggestion, Suggestion.id == Escalation.suggestion_id)
             .join(Assignment, Assignment.id == Escalation.assignment_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .where(Escalation.resolved_at.is_(None), Escalation.level != "reminder"))
    return session.execute(_scoped(query, filters).order_by(Escalation.raised_at.desc())
                           .limit(limit)).all()


def escalation_counts(session: Session, filters: Filters) -> dict[str, int]:
    query = (select(Escalation.level, func.count()).join(
        Assignment, Assignment.id == Escalation.assignment_id).join(
        Suggestion, Suggestion.id == Escalation.suggestion_id)
        .where(Escalation.resolved_at.is_(None)).group_by(Escalation.level))
    return dict(session.execute(_scoped(query, filters)).tuples().all())


SUPERVISED = ("supervision", "high_level")  # reminders are notices to the unit, not escalations


def resolved_escalations(session: Session, filters: Filters, limit: int = 20):
    """Resolved escalations, last resolved first: (escalation, suggestion, unit name)."""
    query = (select(Escalation, Suggestion, Unit.name)
             .join(Suggestion, Suggestion.id == Escalation.suggestion_id)
             .join(Assignment, Assignment.id == Escalation.assignment_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .where(Escalation.resolved_at.is_not(None), Escalation.level.in_(SUPERVISED)))
    return session.execute(_scoped(query, filters).order_by(Escalation.resolved_at.desc(),
                                                            Escalation.id.desc())
                           .limit(limit)).all()


@dataclass
class EscalationSummary:
    """Escalations (督办 and 提请高位协调) open and resolved, and how long resolving took."""

    open: int = 0
    resolved: int = 0
    mean_days: float | None = None  # time to resolution, raised -> resolved, in days
    median_days: float | None = None
    longest_days: float | None = None


def escalation_summary(session: Session, filters: Filters) -> EscalationSummary:
    """Open and resolved escalations for these filters, and the time to resolution."""
    query = (select(Escalation.raised_at, Escalation.resolved_at)
             .join(Assignment, Assignment.id == Escalation.assignment_id)
             .join(Suggestion, Suggestion.id == Escalation.suggestion_id)
             .where(Escalation.level.in_(SUPERVISED)))
    summary, days = EscalationSummary(), []
    for raised_at, resolved_at in session.execute(_scoped(query, filters)):
        if resolved_at is None:
            summary.open += 1
        else:
            summary.resolved += 1
            days.append(max(0.0, (resolved_at - raised_at).total_seconds() / 86400))
    if days:
        days.sort()
        middle = len(days) // 2
        summary.mean_days = sum(days) / len(days)
        summary.median_days = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
        summary.longest_days = days[-1]
    return summary


def _unreplied():
    # replied_at is set with the first reply (or co-handling opinion); indexed with reply_due
    return Assignment.replied_at.is_(None)


def deadline_cases(session: Session, filters: Filters, now: datetime, *, overdue: bool,
                   within_days: int = 10, limit: int = 50):
    """Lead assignments not yet replied: overdue, or due within `within_days`."""
    query = (select(Assignment, Suggestion, Unit.name)
             .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .where(Assignment.role.in_(LEAD_ROLES), Assignment.status != "returned",
                    _unreplied()))
    if overdue:
        query = query.where(Assignment.reply_due < now)
    else:
        query = query.where(Assignment.reply_due >= now,
                            Assignment.reply_due < now + timedelta(days=within_days))
    query = _scoped(query, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    return total, session.execute(query.order_by(Assignment.reply_due).limit(limit)).all()


def follow_up_cases(session: Session, filters: Filters):
    """Class-B cases still in follow-up (跟踪办理): the reply that stands is B and the unit has
    not yet reported the promised work done."""
    latest = latest_reply_rounds()
    done = select(FollowUp.assignment_id).where(FollowUp.done.is_(True))
    query = (select(Assignment, Suggestion, Unit.name)
             .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .join(latest, latest.c.assignment_id == Assignment.id)
             .join(Reply, and_(Reply.assignment_id == Assignment.id,
                               Reply.round == latest.c.round))
             .where(Reply.answer_class == "B", Assignment.id.not_in(done)))
    return session.execute(_scoped(query, filters).order_by(Suggestion.number)).all()


def dissatisfied_cases(session: Session, filters: Filters):
    """Assignments whose latest feedback is 不满意, or that were ever rated 不满意 (history)."""
    own = OWN_FEEDBACK  # the case's own deputy's ratings
    latest = latest_feedback_rounds()
    ever = select(Feedback.assignment_id).where(own, Feedback.satisfaction == "dissatisfied")
    query = (select(Assignment, Suggestion, Unit.name, Feedback.satisfaction)
             .join(Suggestion, Suggestion.id == Assignment.suggestion_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .join(latest, latest.c.assignment_id == Assignment.id)
             .join(Feedback, and_(Feedback.assignment_id == Assignment.id, own,
                                  Feedback.round == latest.c.round))
             .where(Assignment.id.in_(ever)))
    # 并案: a merged suggestion's deputy who rated the shared reply 不满意 makes that suggestion
    # a dissatisfied case (listed under its own number, with the unit that replied).
    final = merged_final_ratings()
    merged_ever = select(Feedback.suggestion_id).where(Feedback.satisfaction == "dissatisfied")
    merged = (select(Assignment, Suggestion, Unit.name, Feedback.satisfaction)
              .join_from(Feedback, Assignment, Assignment.id == Feedback.assignment_id)
              .join(Suggestion, Suggestion.id == Feedback.suggestion_id)
              .join(Unit, Unit.id == Assignment.unit_id)
              .where(Feedback.id.in_(final), Feedback.suggestion_id.in_(merged_ever)))
    rows = session.execute(_scoped(query, filters)).all() + \
        session.execute(_scoped(merged, filters)).all()
    return sorted(rows, key=lambda row: row[1].number)


def key_cases(session: Session, filters: Filters):
    """Key suggestions with their supervising leader and committee."""
    query = (select(Suggestion, User.name).outerjoin(User, User.id == Suggestion.supervising_leader_id)
             .where(Suggestion.key_suggestion.is_(True), *suggestion_conditions(filters)))
    if filters.unit_id:
        query = query.where(Suggestion.id.in_(select(Assignment.suggestion_id)
                                              .where(Assignment.unit_id == filters.unit_id)))
    return session.execute(query.order_by(Suggestion.number)).all()


def progress_reports(session: Session, suggestion_ids, unit_id: int | None = None
                     ) -> dict[int, list[tuple[ProgressReport, str]]]:
    """Key suggestions' progress reports (进展报告) by suggestion id, oldest first, each with the
    name of the unit that filed it; only `unit_id`'s when given (a unit's staff see their own)."""
    ids = list(suggestion_ids)
    if not ids:
        return {}
    query = (select(ProgressReport, Assignment.suggestion_id, Unit.name)
             .join(Assignment, Assignment.id == ProgressReport.assignment_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .where(Assignment.suggestion_id.in_(ids)))
    if unit_id:
        query = query.where(Assignment.unit_id == unit_id)
    found: dict[int, list] = defaultdict(list)
    for report, suggestion_id, unit in session.execute(
            query.order_by(ProgressReport.reported_at, ProgressReport.id)):
        found[suggestion_id].append((report, unit))
    return dict(found)


def _period_text(reports: list, period: str) -> str:
    return "\n".join(f"{unit}（{r.reported_at:%Y-%m-%d}）：{r.report}"
                     for r, unit in reports if r.period == period)


FIGURE_COLUMNS = [
    ("unit_name", "单位"), ("division", "处室"), ("assigned", "交办件数"), ("replied", "办复件数"),
    ("reply_rate", "办复率"), ("on_time_rate", "按时办结率"), ("consultation_rate", "面商率"),
    ("satisfaction_rate", "满意率"), ("satisfaction_rate_with_basic", "满意率（含基本满意）"),
    ("first_satisfaction_rate", "首次反馈满意率"),
    ("first_satisfaction_rate_with_basic", "首次反馈满意率（含基本满意）"),
    ("resolution_rate", "解决率"),
    *[(f"class_{code.lower()}", f"{code}类") for code in vocabulary.ANSWER_CLASSES.codes],
    ("dissatisfied", "不满意件"), ("overdue", "逾期件"),
]


def _figure_row(fig) -> list:
    out = []
    for key, _title in FIGURE_COLUMNS:
        value = getattr(fig, key)
        out.append(round(value * 100, 1) if key.endswith("rate") and value is not None else value)
    return out


CASE_HEADER = ["建议号", "标题", "单位", "答复期限", "状态"]


def _case_rows(records) -> list[list]:
    return [[suggestion.number, suggestion.title, unit_name,
             assignment.reply_due.date().isoformat(), suggestion.status]
            for assignment, suggestion, unit_name, *_rest in records]


def evaluation_report(session: Session, unit_id: int, filters: Filters, now: datetime) -> bytes:
    """Year-end evaluation (评议) of one unit: its figures as lead and co-unit, its dissatisfied
    and overdue cases."""
    scoped = Filters(**{**filters.__dict__, "unit_id": unit_id})
    figures = []
    roles = vocabulary.ASSIGNMENT_ROLES
    for scope, label in (("lead", "/".join(roles[r].zh for r in LEAD_ROLES)),
                         ("co", roles["co"].zh)):
        for fig in statistics.unit_figures(session, scoped, scope=scope, now=now):
            figures.append([label] + _figure_row(fig))
        for fig in statistics.unit_figures(session, scoped, scope=scope, by="division", now=now):
            figures.append([f"{label}·处室"] + _figure_row(fig))
    overdue = deadline_cases(session, scoped, now, overdue=True, limit=10_000)[1]
    return xlsx.write([
        ("办理情况", ["角色"] + [title for _k, title in FIGURE_COLUMNS], figures),
        ("不满意件", CASE_HEADER, _case_rows(dissatisfied_cases(session, scoped))),
        ("逾期件", CASE_HEADER, _case_rows(overdue)),
    ])


def midyear_report(session: Session, filters: Filters, now: datetime) -> bytes:
    """Progress report for the mid-year supervision meeting (督办推进会): every unit's figures,
    totals, and the key suggestions' progress."""
    sheets = []
    for scope, title in (("lead", "主办单位"), ("co", "会办单位")):
        rows = statistics.unit_figures(session, filters, scope=scope, now=now)
        sheets.append((title, [t for _k, t in FIGURE_COLUMNS],
                       [_figure_row(fig) for fig in rows] + [_figure_row(statistics.totals(rows))]))
    keys = key_cases(session, filters)
    progress = progress_reports(session, [s.id for s, _leader in keys], filters.unit_id)
    sheets.append(("重点建议", ["建议号", "标题", "督办领导", "专门委员会", "状态",
                               "年中进展报告（督办推进会）", "11月进展报告"],
                   [[s.number, s.title, leader or "", s.special_committee or "", s.status,
                     _period_text(progress.get(s.id, []), "midyear"),
                     _period_text(progress.get(s.id, []), "november")]
                    for s, leader in keys]))
    return xlsx.write(sheets)


@dataclass
class Dashboard:
    escalations: list
    escalation_counts: dict[str, int]
    overdue_total: int
    overdue: list
    due_soon_total: int
    due_soon: list
    lead: list
    co: list
    resolved_escalations: list = field(default_factory=list)
    escalation_summary: EscalationSummary = field(default_factory=EscalationSummary)


def dashboard(session: Session, filters: Filters, now: datetime, by: str = "unit") -> Dashboard:
    """Everything the supervision page shows, for these filters."""
    overdue_total, overdue = deadline_cases(session, filters, now, overdue=True)
    soon_total, soon = deadline_cases(session, filters, now, overdue=False)
    return Dashboard(
        open_escalations(session, filters), escalation_counts(session, filters),
        overdue_total, overdue, soon_total, soon,
        statistics.unit_figures(session, filters, scope="lead", by=by, now=now),
        statistics.unit_figures(session, filters, scope="co", by=by, now=now),
        resolved_escalations(session, filters), escalation_summary(session, filters))


__all__ = ["Dashboard", "EscalationSummary", "FIGURE_COLUMNS", "dashboard", "deadline_cases",
           "dissatisfied_cases", "escalation_counts", "escalation_summary", "evaluation_report",
           "follow_up_cases", "key_cases", "midyear_report", "open_escalations",
           "progress_reports", "resolved_escalations"]
