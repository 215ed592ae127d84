"""Importing the organisation from one workbook (组织机构导入): upload → a dry run showing the
rows and the errors by cell → confirm. The template and the error report are downloads.
Administrators only; the import is all or nothing and audited (`workflows.organisation_table`).

As on the assignment table's page, the checked workbook is kept server-side under a random token
bound to its uploader (``workflows.staging``); the confirmation imports exactly those bytes,
once, and runs every check again (the database may have changed since the dry run).
"""
from __future__ import annotations

from io import BytesIO

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user

from workflows.errors import DomainError
from workflows.organisation_table import SHEETS, import_organisation, template_workbook
from workflows.staging import MAX_BYTES, StagingError, size_problem, stage, take
from workflows.staging import report as kept_report
from workflows.workbook_files import error_report

from . import db
from .auth import roles_required
from .i18n import gettext as _, label
from .staged_uploads import staging_dir

bp = Blueprint("org_import", __name__, url_prefix="/admin/organisation")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PURPOSE = "organisation"  # its kept uploads (workflows.staging)


def _download(data: bytes, name: str) -> Response:
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _page(status: int = 200, error: str | None = None, **values):
    if error:
        flash(error, "error")
    return render_template("admin/import.html", outcome=None, **values), status


@bp.get("/import")
@roles_required("admin")
def upload():
    """Administrators: the upload form and the template."""
    return _page()


@bp.get("/template.xlsx")
@roles_required("admin")
def template():
    """Administrators: the organisation workbook's template."""
    return _download(template_workbook(), "organisation-template.xlsx")


def _dry_run(data: bytes):
    """The import's outcome on `data`, written nowhere."""
    with db.write() as s:
        outcome = import_organisation(s, data, actor=current_user.username, now=db.now())
        s.rollback()
    return outcome


@bp.post("/import")
@roles_required("admin")
def run():
    """Administrators: the dry run of an uploaded workbook; a workbook without errors is kept
    for the confirmation, the error report of one with errors for its download."""
    upload_ = request.files.get("file")
    if upload_ is None or not upload_.filename:
        return _page(400, _("请选择要导入的文件。"))
    data = upload_.stream.read(MAX_BYTES + 1)
    if problem := size_problem(data):
        return _page(400, label(problem))
    try:
        outcome = _dry_run(data)
    except DomainError as err:
        return _page(400, label(str(err)))
    staged = stage(staging_dir(), error_report(outcome.errors) if outcome.errors else data,
                   purpose=PURPOSE, username=current_user.username, filename=upload_.filename,
                   now=db.now(), kind="report" if outcome.errors else "table")
    return render_template("admin/import.html", outcome=outcome, sheets=SHEETS, staged=staged,
                           name=staged.filename), 400 if outcome.errors else 200


@bp.get("/report/<token>.xlsx")
@roles_required("admin")
def report(token: str):
    """Administrators: the error report of their own refused workbook."""
    data = kept_report(staging_dir(), token, purpose=PURPOSE, username=current_user.username,
                       now=db.now())
    if data is None:
        abort(404)
    return _download(data, "organisation-errors.xlsx")


@bp.post("/import/confirm")
@roles_required("admin")
def confirm():
    """Administrators: import the kept workbook the page was shown; refused if it is not this
    user's, was imported already, expired or changed — and, all or nothing, if the database
    changed since the dry run so that a row no longer passes."""
    try:
        staged, data = take(staging_dir(), request.form.get("token", ""),
                            request.form.get("sha256", ""), purpose=PURPOSE,
                            username=current_user.username, now=db.now())
    except StagingError as err:
        return _page(409, label(str(err)))
    try:
        with db.write() as s:
            outcome = import_organisation(s, data, actor=current_user.username, now=db.now())
            if outcome.errors:
                s.rollback()
    except DomainError as err:
        return _page(409, label(str(err)))
    if outcome.errors:
        return render_template("admin/import.html", outcome=outcome, sheets=SHEETS,
                               staged=None, name=staged.filename), 409
    done = sum(c["created"] + c["changed"] for c in outcome.counts.values())
    flash(_("导入完成：新增或更新 {count} 条记录。", count=done), "success")
    return redirect(url_for("org.units_list"))
