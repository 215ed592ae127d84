"""Process designer (流程设计): library of versions, BPMN and form editor, validate, deploy,
version diff and migration of running cases. Designers and administrators only."""
from __future__ import annotations

import json

from flask import (Blueprint, abort, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine import DeployError, Package
from engine.version_diff import diff_packages
from models import HumanTask, ProcessInstance, ProcessVersion
from models.text import limit_of
from workflows import designer
from workflows.lanes import MissingRule

from . import db, form_fields, params
from .auth import roles_required
from .choices import options_for
from .headers import stored_file
from .i18n import gettext as _
from .i18n import label

bp = Blueprint("designer", __name__, url_prefix="/designer")
DESIGNERS = ("designer", "admin")


def _version_or_404(version_id: int) -> ProcessVersion:
    version = db.session().get(ProcessVersion, params.row_id(version_id))
    if version is None:
        abort(404)
    return version


def _problems(problems) -> list[dict]:
    """Problems as the editor lists them; a lane without a rule also names its process and lane
    (the editor offers the rule's form beside it). Bilingual reasons in the reader's language."""
    return [{"file": p.file, "element_id": p.element_id, "reason": label(p.reason),
             "process_id": p.process_id, "lane": p.lane} if isinstance(p, MissingRule) else
            {"file": p.file, "element_id": p.element_id, "reason": p.reason} for p in problems]


@bp.get("")
@roles_required(*DESIGNERS)
def library():
    """Designers and admins: every deployed process version, the newest and running counts."""
    s = db.session()
    versions = s.scalars(select(ProcessVersion).options(selectinload(ProcessVersion.definitions))
                         .order_by(ProcessVersion.id.desc())).all()
    return render_template("designer/library.html", versions=versions,
                           newest=designer.newest_version_id(s),
                           running=designer.running_counts(s))


@bp.get("/versions/<int:version_id>/files/<path:name>")
@roles_required(*DESIGNERS)
def file(version_id: int, name: str):
    """Designers and admins: one stored file of a version, as an inert plain-text download."""
    text = _version_or_404(version_id).files.get(name)
    if text is None:
        abort(404)
    return stored_file(text, name)  # a download of plain text: markup in it never runs


@bp.get("/versions/<int:version_id>/edit")
@roles_required(*DESIGNERS)
def edit(version_id: int):
    """Designers and admins: the BPMN/DMN/form editor opened on a version's files."""
    version = _version_or_404(version_id)
    return render_template("designer/editor.html", version=version, files=version.files)


@bp.get("/edit")
@roles_required(*DESIGNERS)
def edit_newest():
    """Designers and admins: the editor on the version new cases start on."""
    newest = designer.newest_version_id(db.session())
    if newest is None:
        abort(404)
    return redirect(url_for("designer.edit", version_id=newest))


def _files_from_request():
    """The editor's {name: text}; None for any other body (the deploy rules then say so)."""
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes
        return None
    return payload.get("files") if isinstance(payload, dict) else None


@bp.post("/validate")
@roles_required(*DESIGNERS)
def validate():
    """Designers and admins: the deploy rules' problems with the editor's files (JSON)."""
    return jsonify(problems=_problems(designer.validate(db.session(), db.engine(),
                                                        _files_from_request())))


@bp.post("/deploy")
@roles_required(*DESIGNERS)
def deploy():
    """Designers and admins: deploy the editor's files as a new version (or reuse an equal one)."""
    newest = designer.newest_version_id(db.session())
    try:
        with db.write() as s:
            version = designer.deploy(s, db.engine(), _files_from_request(), current_user.username)
            version_id = version.id
    except DeployError as err:
        return jsonify(problems=_problems(err.problems)), 400
    created = newest is None or version_id > newest
    if created:
        message = _("已部署为版本 {n}，新案件将按此版本运行。", n=version_id)
    elif version_id != newest:
        message = _("内容与版本 {n} 相同：已重新启用版本 {n}，新案件将按此版本运行。", n=version_id)
    else:
        message = _("内容与当前版本 {n} 相同，未产生新版本。", n=version_id)
    return jsonify(version_id=version_id, created=created, message=message,
                   edit_url=url_for("designer.edit", version_id=version_id),
                   library_url=url_for("designer.library"))


@bp.post("/preview")
@roles_required(*DESIGNERS)
def preview():
    """The form as the inbox would show it, from the schema text being edited (which may hold
    anything: every part is checked before it is shown)."""
    try:
        schema = json.loads(request.form.get("schema", ""))
    except (ValueError, RecursionError) as err:
        reason = str(err) if isinstance(err, ValueError) else _("嵌套层次过深。")
        return render_template("designer/_preview.html", error=_("不是有效的 JSON：") + reason)
    if not isinstance(schema, dict):
        return render_template("designer/_preview.html", error=_("表单必须是 JSON 对象。"))
    try:
        problem = designer.form_problem(schema)
    except RecursionError:
        problem = _("嵌套层次过深。")
    ui, ui_error = _preview_ui()
    if ui_error:
        problem = ui_error
    elif ui and not problem:
        try:
            problem = designer.ui_problem(ui, schema)
        except RecursionError:
            problem = _("嵌套层次过深。")
    if not isinstance(schema.get("title"), str):
        schema = {k: v for k, v in schema.items() if k != "title"}
    try:
        shown = form_fields.fields(schema, options_for(None), ui)
    except RecursionError:
        shown, problem = [], _("嵌套层次过深。")
    return render_template("designer/_preview.html", schema=schema, fields=shown,
                           problem=problem, error=None)


def _preview_ui() -> tuple[dict | None, str | None]:
    """The uiSchema sent with a preview (optional), or why it cannot be used."""
    text = request.form.get("ui_schema", "")
    if not text.strip():
        return None, None
    try:
        ui = json.loads(text)
    except (ValueError, RecursionError):
        return None, _("uiSchema 不是有效的 JSON。")
    if not isinstance(ui, dict):
        return None, _("uiSchema 必须是 JSON 对象。")
    return ui, None


@bp.get("/diff")
@roles_required(*DESIGNERS)
def diff():
    """Designers and admins: what changed between two process versions."""
    old = _version_or_404(params.integer(request.args, "old", default=0))
    new = _version_or_404(params.integer(request.args, "new", default=0))
    changes = diff_packages(Package(dict(old.files)), Package(dict(new.files))).changes
    return render_template("designer/diff.html", old=old, new=new, changes=changes)


@bp.route("/migrate", methods=["GET", "POST"])
@roles_required(*DESIGNERS)
def migrate():
    """Designers and admins: plan (dry run) or carry out moving running cases to a version."""
    s = db.session()
    versions = s.scalars(select(ProcessVersion).order_by(ProcessVersion.id.desc())).all()
    source = request.form if request.method == "POST" else request.args
    choice = {"process_id": params.text(source, "process_id",
                                        limit=limit_of(ProcessInstance.process_id)) or "suggestion",
              "to_version": params.integer(source, "to_version") or designer.newest_version_id(s),
              "from_version": params.integer(source, "from_version"),
              "at_step": params.text(source, "at_step", limit=limit_of(HumanTask.bpmn_id))
              or None,
              "case_id": params.integer(source, "case_id")}
    plans, real = None, False
    if request.method == "POST" and choice["to_version"]:
        real = request.form.get("action") == "migrate"
        with db.write() as w:
            plans = designer.migrate_cases(
                w, db.engine(), process_id=choice["process_id"],
                to_version_id=choice["to_version"], from_version_id=choice["from_version"],
                at_step=choice["at_step"], case_id=choice["case_id"], actor=current_user.username,
                dry=not real)
    return render_template("designer/migrate.html", versions=versions, choice=choice,
                           plans=plans, real=real)
