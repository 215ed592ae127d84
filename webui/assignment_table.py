"""The assignment table from the web (交办表导入): at the assignment meeting the commission uploads
the .xlsx, sees the dry run (what would be assigned, or every bad cell), and confirms.

The confirmation imports exactly the file that was checked: it is kept server-side under a random
token bound to the uploader (``workflows.staging``), and the import is the one
`jianyi import` runs (``import_assignments``). openpyxl is imported when a page needs it, as
the CLI does, so other commands start without it.
"""
from __future__ import annotations

import hashlib
from io import BytesIO

from flask import (Blueprint, abort, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user
from sqlalchemy import select

from models import Assignment, AuditEvent, CongressSession, Suggestion, Unit, User

from workflows import congress_sessions

from . import db, params
from .auth import roles_required
from .i18n import gettext as _
from .i18n import label
from .staged_uploads import staging_dir

bp = Blueprint("assignment_table", __name__, url_prefix="/assignment-table")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PURPOSE = "assignment_table"  # its kept uploads (workflows.staging)


def _congresses():
    return congress_sessions.newest_first(db.session())


def _upload_page(errors=None, chosen=None, status: int = 200):
    from workflows.assignment_table import MAX_ROWS
    from workflows.staging import MAX_BYTES
    congresses = _congresses()
    return render_template("assignment_table/upload.html", congresses=congresses,
                           chosen=chosen or (congresses[0].id if congresses else None),
                           errors=errors or {}, max_rows=MAX_ROWS,
                           max_mb=MAX_BYTES // (1024 * 1024)), status


@bp.get("")
@roles_required("commission")
def upload_page():
    """The upload form: the congress session, the file, the template to download."""
    return _upload_page()


@bp.get("/template.xlsx")
@roles_required("commission")
def template():
    """The import template (headers, an example row, a sheet of help)."""
    from workflows.assignment_table import template_workbook
    return send_file(BytesIO(template_workbook()), mimetype=XLSX, as_attachment=True,
                     download_name="交办表模板.xlsx")


@bp.post("/check")
@roles_required("commission")
def check():
    """The dry run: every bad cell, or the rows and what each would be assigned, with the
    confirmation form (the kept upload's token and sha256)."""
    from workflows.assignment_table import check_table, error_report
    from workflows.staging import MAX_BYTES, size_problem, stage
    chosen = params.integer(request.form, "congress_session")
    congress = db.session().get(CongressSession, chosen) if chosen else None
    if congress is None:
        return _upload_page({"congress_session": _("请选择届次。")}, chosen, 400)
    upload = request.files.get("table")
    if upload is None or not upload.filename:
        return _upload_page({"table": _("请选择文件。")}, chosen, 400)
    data = upload.stream.read(MAX_BYTES + 1)
    if problem := size_problem(data):
        return _upload_page({"table": label(problem)}, chosen, 400)
    rows, errors = check_table(db.session(), data, congress)
    with db.write() as s:
        kept = error_report(errors) if errors else data
        staged = stage(staging_dir(), kept, purpose=PURPOSE, username=current_user.username,
                       filename=upload.filename, now=db.now(),
                       kind="report" if errors else "table",
                       details={"congress_session_id": congress.id})
        s.add(AuditEvent(at=db.now(), actor=current_user.username,
                         action="assignment_table_checked",
                         detail={"sha256": hashlib.sha256(data).hexdigest(), "rows": len(rows),
                                 "errors": len(errors), "congress_session_id": congress.id}))
    units = dict(db.session().execute(select(Unit.code, Unit.name)).all())
    return render_template("assignment_table/check.html", congress=congress, rows=rows,
                           errors=errors, staged=staged, units=units,
                           filename=staged.filename), 400 if errors else 200


@bp.get("/report/<token>.xlsx")
@roles_required("commission")
def report(token: str):
    """The error report (行号, 列, 值, 问题) of the uploader's last refused file, as
    `jianyi import --errors` writes it."""
    from workflows.staging import report as kept_report
    data = kept_report(staging_dir(), token, purpose=PURPOSE, username=current_user.username, now=db.now())
    if data is None:
        abort(404)
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name="交办表错误报告.xlsx")


@bp.post("/confirm")
@roles_required("commission")
def confirm():
    """Import the kept upload the page was shown; refused if it is not this user's, was
    imported already, expired or changed."""
    from workflows.assignment_table import import_assignments
    from workflows.staging import StagingError, take
    try:
        staged, data = take(staging_dir(), request.form.get("token", ""),
                            request.form.get("sha256", ""), purpose=PURPOSE,
                            username=current_user.username, now=db.now())
    except StagingError as err:
        return _upload_page({"table": label(str(err))}, status=409)
    with db.write() as s:
        congress = s.get(CongressSession, staged.details.get("congress_session_id") or 0)
        user = s.scalar(select(User).where(User.username == current_user.username))
        if congress is None or user is None:
            abort(409)
        outcome = import_assignments(s, db.engine(), data, congress, user)
        if outcome.errors:  # the database changed since the dry run (a number registered)
            s.rollback()
        audit_id = outcome.audit.id if outcome.audit is not None else None
    if outcome.errors:
        units = dict(db.session().execute(select(Unit.code, Unit.name)).all())
        return render_template("assignment_table/check.html", congress=congress, rows=[],
                               errors=outcome.errors, staged=None, units=units,
                               filename=staged.filename), 409
    flash(_("已导入并交办 {n} 条建议。", n=len(outcome.suggestions)), "success")
    return redirect(url_for("assignment_table.imported", event_id=audit_id))


@bp.get("/imported/<int:event_id>")
@roles_required("commission")
def imported(event_id: int):
    """What an import registered: each suggestion with the units it was assigned to."""
    s = db.session()
    event = s.get(AuditEvent, params.row_id(event_id))
    if event is None or event.action != "assignment_table_imported":
        abort(404)
    ids = [i for i in event.detail.get("suggestions", []) if isinstance(i, int)]
    suggestions = s.scalars(select(Suggestion).where(Suggestion.id.in_(ids))
                            .order_by(Suggestion.number)).all() if ids else []
    units: dict[int, list[tuple[str, str]]] = {}
    for sid, role, name in s.execute(
            select(Assignment.suggestion_id, Assignment.role, Unit.name)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Assignment.suggestion_id.in_(ids)).order_by(Assignment.id)):
        units.setdefault(sid, []).append((role, name))
    return render_template("assignment_table/imported.html", event=event,
                           suggestions=suggestions, units=units)
