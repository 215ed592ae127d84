"""The inbox (收件箱): my tasks and my queue, filters, keyset pages, claim/release/hand over."""
from __future__ import annotations

import base64
import json
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import and_, bindparam, func, literal, or_, select
from werkzeug.datastructures import MultiDict

from models import HumanTask, Suggestion, User
from models.text import limit_of
from models.vocabulary import FIELDS
from workflows import deputies, inbox as inbox_actions
from workflows import instances as instance_rules
from workflows import saved_filters, task_access
from workflows.errors import DomainError

from . import db, params
from .auth import local_target, me, who
from .i18n import gettext as _
from .i18n import label, locale, step_name

bp = Blueprint("inbox", __name__)
QUEUES = ("mine", "queue")
DUE_SOON_DAYS = 7
PAGE_SIZES = (1, 100)
MAX_DUE_WITHIN = 3660  # days: ten years ahead is every deadline there is


# What a row shows of its suggestion (not its text: a page of rows need not read 25 bodies).
_ROW_CASES = select(Suggestion.id, Suggestion.instance_id, Suggestion.number, Suggestion.title,
                    Suggestion.key_suggestion).where(
    Suggestion.instance_id.in_(bindparam("instance_ids", expanding=True)))


@dataclass
class Filters:
    queue: str = "mine"
    step: str = ""
    field: str = ""
    key: bool = False
    overdue: bool = False
    due_within: int | None = None

    @classmethod
    def from_request(cls) -> "Filters":
        """The filters of the query string; a value that cannot be right answers 400."""
        return cls.from_args(request.args)

    @classmethod
    def from_args(cls, args) -> "Filters":
        """The filters of `args` (a query string, a saved filter's parameters, a posted form),
        each checked by `params`; a value that cannot be right answers 400."""
        return cls(queue=params.code(args, "queue", QUEUES) or "mine",
                   step=params.text(args, "step", limit=limit_of(HumanTask.bpmn_id)),
                   field=params.one_of(args, "field", FIELDS),
                   key=args.get("key") == "1", overdue=args.get("overdue") == "1",
                   due_within=params.integer(args, "due_within", minimum=0,
                                             maximum=MAX_DUE_WITHIN))

    def args(self, **changes) -> dict:
        values = {"queue": self.queue, "step": self.step, "field": self.field,
                  "key": "1" if self.key else "", "overdue": "1" if self.overdue else "",
                  "due_within": self.due_within or ""}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


def queue_condition(user, queue: str, unit_less: bool = False):
    """SQL for one tab, from the one rule (`workflows.task_access`): the tasks I hold, or the
    unclaimed ones I may take. Each reads an index; `unit_less` (`task_access.unit_less_queue`,
    counted by `counts`) says whether tasks of my role bound to no unit wait, which only then
    costs the queue an OR on the unit."""
    if queue == "mine":
        return task_access.held(user)
    return task_access.unclaimed(user, unit_less)


def _filtered(query, filters: Filters):
    """The filters' conditions; the moments they compare with are the bind parameters `now`
    and `due_by` (see `_moments`)."""
    if filters.step:
        query = query.where(HumanTask.bpmn_id == filters.step)
    if filters.field or filters.key:
        # A join (not IN): the planner walks the queue in due order and probes each case.
        query = query.join(Suggestion, Suggestion.instance_id == HumanTask.instance_id)
        if filters.field:
            query = query.where(Suggestion.field == filters.field)
        if filters.key:
            query = query.where(Suggestion.key_suggestion.is_(True))
    if filters.overdue:
        query = query.where(HumanTask.due_at < bindparam("now"))
    if filters.due_within is not None:
        query = query.where(HumanTask.due_at <= bindparam("due_by"))
    return query


def _moments(filters: Filters, now: datetime) -> dict[str, datetime]:
    values = {"now": now} if filters.overdue else {}
    if filters.due_within is not None:
        values["due_by"] = now + timedelta(days=filters.due_within)
    return values


_built: dict[tuple, Any] = {}
_BUILT_MOST = 4096


def built(key: tuple, build: Callable[[], Any]):
    """The statement `build()` makes for `key`, made once per process. The rule's SQL
    (`task_access`) is a tree of conditions per user, and building it, and SQLAlchemy's cache
    key of it, cost more than running it; `key` holds all the statement depends on (the
    user's `task_access.facts`, the filters), and what changes per request is bound."""
    found = _built.get(key)
    if found is None:
        if len(_built) >= _BUILT_MOST:
            _built.clear()
        found = _built[key] = build()
    return found


def encode_cursor(task: HumanTask) -> str:
    raw = json.dumps([task.due_at.isoformat() if task.due_at else None, task.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(value: str) -> tuple[datetime | None, str] | None:
    """The (due date, task id) an `encode_cursor` value holds; None if it holds anything else
    (a due date must carry its time zone, as stored ones do)."""
    try:
        due, task_id = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
        if not (isinstance(task_id, str) and params.TASK_ID.fullmatch(task_id)) \
                or not (due is None or isinstance(due, str)):
            return None
        if due is not None:
            due = datetime.fromisoformat(due)
            if due.utcoffset() is None:
                return None
            due = due.astimezone(timezone.utc)
    except (ValueError, TypeError, UnicodeError, OverflowError, RecursionError):
        return None
    return due, task_id


def page(session, user, filters: Filters, after: str | None, size: int, now: datetime,
         unit_less: bool = False):
    """One page of a tab (`user`: anything with username, role, active and unit.code), ordered
    by due date (tasks without one last), then id.

    Keyset pagination in two runs — dated tasks, then undated — so each run reads an index range.
    """
    cursor = decode_cursor(after) if after else None
    if after and cursor is None:
        raise ValueError(f"not a page cursor: {after[:50]!r}")
    key = (task_access.facts(user), astuple(filters), unit_less)

    def run(kind: str, limit: int, values: dict):
        def build():
            query = _filtered(select(HumanTask).where(
                queue_condition(user, filters.queue, unit_less)), filters)
            if kind == "dated":
                query = query.where(HumanTask.due_at.isnot(None))
            elif kind == "dated after":
                query = query.where(HumanTask.due_at.isnot(None), or_(
                    HumanTask.due_at > bindparam("after_due"),
                    and_(HumanTask.due_at == bindparam("after_due"),
                         HumanTask.id > bindparam("after_id"))))
            else:
                query = query.where(HumanTask.due_at.is_(None))
                if kind == "undated after":
                    query = query.where(HumanTask.id > bindparam("after_id"))
            order = (HumanTask.due_at, HumanTask.id) if kind.startswith("dated") else (
                HumanTask.id,)
            return query.order_by(*order).limit(limit)
        return list(session.scalars(built(("page", kind, limit, *key), build),
                                    {**_moments(filters, now), **values}))

    rows: list[HumanTask] = []
    if cursor is None:
        rows = run("dated", size + 1, {})
    elif cursor[0] is not None:
        rows = run("dated after", size + 1, {"after_due": cursor[0], "after_id": cursor[1]})
    if len(rows) <= size and (filters.due_within is None and not filters.overdue):
        if cursor is not None and cursor[0] is None:
            rows += run("undated after", size + 1 - len(rows), {"after_id": cursor[1]})
        else:
            rows += run("undated", size + 1 - len(rows), {})
    more = len(rows) > size
    rows = rows[:size]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def counts(session, user, now: datetime) -> tuple[dict[str, int], bool]:
    """How many tasks are in each tab and how many of mine are overdue, in one statement; and
    whether tasks of my role bound to no unit wait (`task_access.unit_less_queue`), which the
    same statement counts as the queue's second part."""
    def count(*where):
        return select(func.count()).select_from(HumanTask).where(*where).scalar_subquery()

    def build():
        unit_less = task_access.unit_less_queue(user)
        return select(count(queue_condition(user, "mine")),
                      count(queue_condition(user, "mine"), HumanTask.due_at < bindparam("now")),
                      count(queue_condition(user, "queue", unit_less=False)),
                      count(unit_less) if unit_less is not None else literal(0))

    mine, overdue, bound, unbound = session.execute(
        built(("counts", task_access.facts(user)), build), {"now": now}).one()
    return {"mine": mine, "queue": bound + unbound, "overdue": overdue}, unbound > 0


def due_class(task: HumanTask, now: datetime) -> str:
    if task.due_at is None:
        return ""
    if task.due_at < now:
        return "overdue"
    return "due-soon" if task.due_at < now + timedelta(days=DUE_SOON_DAYS) else ""


@bp.get("/")
@login_required
def home():
    """The site's root: the inbox is everyone's first page."""
    return redirect(url_for("inbox.index"))


@bp.get("/inbox")
@login_required
def index():
    """收件箱: one page of a tab (mine or the queue), filtered, with each row's case and the
    tabs' counts. Rows are read by keyset (`after`), so a page costs the same deep in a list."""
    s = db.session()
    now = db.now()
    saved = _saved_filter(s)
    filters = Filters.from_args(MultiDict(saved.query)) if saved else Filters.from_request()
    size = params.integer(request.args, "size", minimum=PAGE_SIZES[0], maximum=PAGE_SIZES[1],
                          default=25)
    after = request.args.get("after") or None
    if after is not None and decode_cursor(after) is None:
        params.bad_request(_("翻页参数无效，请从第一页重新开始。"))
    tabs, unit_less = counts(s, who(), now)
    rows, next_cursor = page(s, who(), filters, after, size, now, unit_less)
    cases, others = {}, {}
    if rows:
        cases = {sg.instance_id: sg for sg in s.execute(
            _ROW_CASES, {"instance_ids": list({t.instance_id for t in rows})})}
        # A case of another process: its process's name and business key.
        others = instance_rules.case_rows(s, {t.instance_id for t in rows} - set(cases))
    fields = FIELDS.labels(english=locale() == "en")
    # 代录 can only be a commission task: read the lead deputy's lanes only then.
    lead = deputies.lead_deputy_lanes(s) if any(
        t.candidate_role == deputies.ON_BEHALF_ROLE for t in rows) else frozenset()
    # The deployed processes' human steps, named as every page names them.
    steps = [(bpmn_id, step_name(bpmn_id, name)) for bpmn_id, name in
             instance_rules.human_steps(s, db.engine()).items()]
    # 代理: the absent colleagues whose held tasks are listed with mine, by username.
    absent = {a.username: a.name for a in who().substituting}
    return render_template("inbox/index.html", rows=rows, cases=cases, others=others,
                           filters=filters, saved=saved, absent=absent,
                           saved_filters=saved_filters.listed(s, int(who().id))
                           if who().has_saved_filters else [],
                           filter_name=params.text(request.args, "filter_name",
                                                   limit=saved_filters.NAME_LIMIT),
                           next_cursor=next_cursor, counts=tabs,
                           fields=fields, steps=steps, now=now, due_class=due_class,
                           on_behalf=partial(deputies.recorded_on_behalf, lead_lanes=lead))


def _saved_filter(session):
    """The saved filter `saved` names (保存的筛选): None when absent, 404 if not the user's."""
    filter_id = params.integer(request.args, "saved")
    found = saved_filters.owned(session, int(who().id), filter_id) if filter_id else None
    if filter_id is not None and found is None:
        abort(404)
    return found


def _act(action, task_id: str, *args):
    """Run an inbox action in one write as the signed-in user; a refusal is flashed, not
    raised, so each view only says what to show next."""
    params.task_id(task_id)
    try:
        with db.write() as s:
            action(s, me(s), task_id, *args, db.now())
    except DomainError as err:
        flash(label(str(err)), "error")
        return False
    return True


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    """认领: take a task from the queue, then back to where the user was (or my tasks)."""
    if _act(inbox_actions.claim, task_id):
        flash(_("已认领任务。"), "success")
    return redirect(local_target(request.form.get("next"), url_for("inbox.index", queue="mine")))


@bp.post("/inbox/claim")
@login_required
def claim_selected():
    """认领所选: claim each ticked task of the queue on its own terms; one message says how it
    went. Only the ticked `task` values count: nothing else in the form names an action."""
    ids = request.form.getlist("task")
    if len(ids) > inbox_actions.MOST_AT_ONCE:
        params.bad_request(_("一次最多认领 {n} 项。", n=inbox_actions.MOST_AT_ONCE))
    if any(not params.TASK_ID.fullmatch(task_id) for task_id in ids):
        params.bad_request(_("参数 {name} 的值无效。", name="task"))
    back = local_target(request.form.get("next"), url_for("inbox.index", queue="queue"))
    if not ids:
        flash(_("请先勾选要认领的任务。"), "error")
        return redirect(back)
    with db.write() as s:
        result = inbox_actions.claim_many(s, me(s), ids, db.now())
    parts = [_("认领 {n} 项", n=result.claimed)]
    if result.taken:
        parts.append(_("{n} 项已被他人认领", n=result.taken))
    if result.refused:
        parts.append(_("{n} 项无法认领（已办结或不属于您）", n=result.refused))
    flash(_("，").join(parts), "success" if result.claimed == len(set(ids)) else "info")
    return redirect(back)


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str):
    """退回队列: give a claimed task back to the queue."""
    if _act(inbox_actions.release, task_id):
        flash(_("任务已退回队列。"), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/handover")
@login_required
def hand_over(task_id: str):
    """转交: hand a task to a colleague of the same unit and role (named in the form's `to`)."""
    to = params.text(request.form, "to", limit=limit_of(User.username))
    if not to:
        params.bad_request(_("请选择要转交的同事。"))
    if _act(inbox_actions.hand_over, task_id, to):
        flash(_("任务已转交给 {name}。", name=to), "success")
    return redirect(url_for("inbox.index"))
