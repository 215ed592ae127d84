"""Importing the organisation from one workbook (组织机构导入): upload → a dry run showing the
rows and the errors by cell → confirm. The template and the error report are downloads.
Administrators only; the import is all or nothing and audited (`workflows.organisation_table`).

The confirm step posts the file back (base64 in a hidden field, with its SHA-256) and the import
runs again from the start: nothing is kept on the server between the two steps, and nothing the
dry run found is trusted.
"""
from __future__ import annotations

import base64
import binascii
import hashlib

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflows.errors import DomainError
from workflows.organisation_table import SHEETS, import_organisation, template_workbook
from workflows.workbook_files import error_report

from . import db, params
from .auth import roles_required
from .i18n import gettext as _, label

bp = Blueprint("org_import", __name__, url_prefix="/admin/organisation")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE = 8 * 1024 * 1024


def _download(data: bytes, name: str) -> Response:
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/import")
@roles_required("admin")
def upload():
    """Administrators: the upload form and the template."""
    return render_template("admin/import.html", outcome=None)


@bp.get("/template.xlsx")
@roles_required("admin")
def template():
    """Administrators: the organisation workbook's template."""
    return _download(template_workbook(), "organisation-template.xlsx")


def _file() -> bytes:
    """The uploaded workbook, or the one posted back by the confirm step."""
    if "file" in request.files and request.files["file"].filename:
        data = request.files["file"].read(MAX_FILE + 1)
    else:
        encoded = request.form.get("workbook", "")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            params.bad_request(_("上传的文件无效，请重新选择文件。"))
        if hashlib.sha256(data).hexdigest() != request.form.get("digest", ""):
            params.bad_request(_("上传的文件无效，请重新选择文件。"))
    if not data:
        params.bad_request(_("请选择要导入的文件。"))
    if len(data) > MAX_FILE:
        params.bad_request(_("文件过大（最大 8 MB）。"))
    return data


@bp.post("/import")
@roles_required("admin")
def run():
    """Administrators: a dry run (`confirm` absent) or the import itself; `report` downloads the
    error report instead."""
    data = _file()
    confirm = request.form.get("confirm") == "1"
    try:
        with db.write() as s:
            outcome = import_organisation(s, data, actor=current_user.username, now=db.now())
            if outcome.errors or not confirm:
                s.rollback()
    except DomainError as err:
        flash(label(str(err)), "error")
        return render_template("admin/import.html", outcome=None), 400
    if request.form.get("report") == "1" and outcome.errors:
        return _download(error_report(outcome.errors), "organisation-errors.xlsx")
    if confirm and not outcome.errors:
        done = sum(c["created"] + c["changed"] for c in outcome.counts.values())
        flash(_("导入完成：新增或更新 {count} 条记录。", count=done), "success")
        return redirect(url_for("org.units_list"))
    return render_template("admin/import.html", outcome=outcome, sheets=SHEETS,
                           workbook=base64.b64encode(data).decode(),
                           digest=hashlib.sha256(data).hexdigest(),
                           name=request.files["file"].filename if "file" in request.files
                           else request.form.get("name", "")[:255]), \
        400 if outcome.errors else 200
