"""我的代理 (substitution during absence): name a colleague of the same role and unit to do
one's tasks for a range of days, see whom one stands in for, cancel early. Any signed-in user,
for themselves only; the rules are `workflows.substitution`, who then may do what
`workflows.task_access`."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from models import User
from models.text import limit_of
from workflows import substitution
from workflows.errors import DomainError

from . import db, params
from .auth import me
from .i18n import gettext as _
from .i18n import label

bp = Blueprint("substitution", __name__)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FIELDS = ("substitute", "starts_on", "ends_on", "reason")


def _page(typed=None, errors=None, status: int = 200):
    s = db.session()
    user = current_user.row
    named, standing_in = substitution.of_user(s, user)
    return render_template("substitution/index.html", named=named, standing_in=standing_in,
                           colleagues=substitution.colleagues(s, user),
                           today=substitution.today(db.now()), typed=typed or {},
                           errors=errors or {}, reason_limit=substitution.REASON_LIMIT), status


def _date(typed: dict, name: str, errors: dict) -> date | None:
    value = typed[name]
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "日期格式应为 年-月-日 (a date is year-month-day)"
        return None


@bp.get("/substitutions")
@login_required
def index():
    """My substitutions (those I named, those I stand in for) and the form to name one."""
    return _page()


@bp.post("/substitutions")
@login_required
def create():
    """Name a substitute for a range of days; refused with the reasons, keeping what was typed."""
    typed = {name: request.form.get(name, "")[:limit] for name, limit in zip(
        _FIELDS, (limit_of(User.username), 10, 10, 4 * substitution.REASON_LIMIT))}
    errors: dict[str, str] = {}
    starts_on, ends_on = _date(typed, "starts_on", errors), _date(typed, "ends_on", errors)
    if not errors:
        with db.write() as s:
            row, errors = substitution.set_substitute(s, me(s), typed["substitute"], starts_on,
                                                      ends_on, typed["reason"], db.now())
    if errors:
        return _page(typed, {k: label(v) for k, v in errors.items()}, 400)
    flash(_("已设置代理：{start} 至 {end}。", start=starts_on, end=ends_on), "success")
    return redirect(url_for("substitution.index"))


@bp.post("/substitutions/<int:substitution_id>/cancel")
@login_required
def cancel(substitution_id: int):
    """End one of my substitutions now; another user's answers 404."""
    params.row_id(substitution_id)
    try:
        with db.write() as s:
            substitution.cancel(s, me(s), substitution_id, db.now())
    except DomainError as err:
        if str(err) == substitution.NOT_FOUND:
            abort(404)
        flash(label(str(err)), "error")
    else:
        flash(_("代理已取消。"), "success")
    return redirect(url_for("substitution.index"))

