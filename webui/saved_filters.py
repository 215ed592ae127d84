"""Saved inbox filters (保存的筛选): save the inbox's current filter under a name, delete it
(using one is the inbox's `saved` parameter). Each user sees and uses only their own; the
parameters are checked by the inbox's own `Filters` when saved and when used."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import login_required

from workflows import saved_filters
from workflows.errors import DomainError

from . import db, params
from .auth import me
from .inbox import Filters
from .i18n import gettext as _
from .i18n import label

bp = Blueprint("saved_filters", __name__)
NAME_LIMIT = saved_filters.NAME_LIMIT


@bp.post("/inbox/filters")
@login_required
def save():
    """Keep the posted filter (the inbox's parameters, checked as the inbox checks them) under
    the posted name; a refusal goes back to the same filter with the name as typed."""
    filters = Filters.from_args(request.form)
    name = request.form.get("name", "")[:4 * NAME_LIMIT]
    with db.write() as s:
        row, problem = saved_filters.save(s, me(s), name, filters.args(), db.now())
        saved_id = row.id if row is not None else None
    if problem:
        flash(label(problem), "error")
        return redirect(url_for("inbox.index", filter_name=name[:NAME_LIMIT], **filters.args()))
    flash(_("筛选已保存。"), "success")
    return redirect(url_for("inbox.index", saved=saved_id))


@bp.post("/inbox/filters/<int:filter_id>/delete")
@login_required
def delete(filter_id: int):
    """Delete one of my saved filters; another user's answers 404."""
    params.row_id(filter_id)
    try:
        with db.write() as s:
            saved_filters.delete(s, me(s), filter_id, db.now())
    except DomainError:
        abort(404)
    flash(_("筛选已删除。"), "success")
    return redirect(url_for("inbox.index"))
