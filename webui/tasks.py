"""The task page (办理页面): the form from the task's JSON Schema, the case's context, drafts,
attachments, completion."""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from io import BytesIO

from engine import ConflictError, FormError, LimitError, ProcessError
from models import (Assignment, Attachment, Consultation, CoOpinion, HumanTask,
                    ProcessInstance, Reply, Suggestion, Unit)
from workflows import attachments, cases as case_rules, deputies, inbox as inbox_actions
from workflows import instances as instance_rules
from workflows import intake as intake_rules
from workflows import replies
from workflows.letter import letter_blocks
from workflows import task_access, tasks as task_rules
from workflows.errors import DomainError, PermissionDenied

from . import db, form_fields, form_parsing, intake, params
from .choices import options_for
from .auth import me, who
from .i18n import gettext as _
from .i18n import label, role_name, step_name

bp = Blueprint("tasks", __name__)


def _task_or_404(task_id: str) -> HumanTask:
    task = db.session().get(HumanTask, params.task_id(task_id))
    if task is None:
        abort(404)
    return task


# The columns a completion needs, with the case's process version (one Core statement: this runs
# before every completion).
_HT, _PI = HumanTask.__table__, ProcessInstance.__table__
_TASK_TO_COMPLETE = (
    select(_HT.c.id, _HT.c.instance_id, _HT.c.state, _HT.c.bpmn_id, _HT.c.name, _HT.c.form,
           _HT.c.candidate_role, _HT.c.candidate_unit, _HT.c.assignee, _PI.c.process_version_id)
    .join_from(_HT, _PI, _HT.c.instance_id == _PI.c.id).where(_HT.c.id == bindparam("task_id")))


def _suggestion(task: HumanTask) -> Suggestion | None:
    return db.session().scalar(select(Suggestion).where(Suggestion.instance_id == task.instance_id))


def _context(task: HumanTask) -> dict:
    """What the handler needs beside the form: the suggestion, earlier opinions and records."""
    s = db.session()
    suggestion = _suggestion(task)
    context = {"suggestion": suggestion, "consultations": [], "opinions": [], "replies": [],
               "attachments": []}
    if suggestion is not None:
        # Each record with the name of the unit it came from: three units may answer one
        # suggestion (分办), and the deputy rates each of them.
        for key, model in (("consultations", Consultation), ("opinions", CoOpinion),
                           ("replies", Reply)):
            context[key] = s.execute(select(model, Unit.name).join(
                Assignment, model.assignment_id == Assignment.id).join(Unit).where(
                Assignment.suggestion_id == suggestion.id).order_by(model.id)).all()
    context["attachments"] = s.scalars(select(Attachment).where(
        Attachment.instance_id == task.instance_id).order_by(Attachment.id)).all()
    return context


def _draft_letter(task: HumanTask) -> list[tuple[str, str]]:
    """审核、签发、审阅: the letter as it will be sent, shown beside the decision."""
    if task.candidate_role not in replies.APPROVING_ROLES:
        return []
    s = db.session()
    letter = replies.draft_letter(s, task, db.engine().task_data(s, task.id), db.now())
    return letter_blocks(letter) if letter is not None else []


def _render(task: HumanTask, values: dict, errors: dict, status: int = 200):
    schema = db.engine().form(db.session(), task)
    fields = form_fields.fields(schema, options_for(task.candidate_unit),
                          db.engine().ui_form(db.session(), task))
    colleagues = inbox_actions.colleagues(db.session(), current_user.row, task)
    context = _context(task)
    return render_template("tasks/task.html", task=task, schema=schema, fields=fields,
                           instructions=instance_rules.task_instructions(
                               db.session(), db.engine(), task),
                           case=None if context["suggestion"] else instance_rules.case_rows(
                               db.session(), {task.instance_id}).get(task.instance_id),
                           button=form_fields.BUTTON, file_input=form_fields.FILE,
                           values=values, errors=errors, colleagues=colleagues,
                           in_person=inbox_actions.assigned_in_person(task),
                           on_behalf=deputies.recorded_on_behalf(
                               task, deputies.lead_deputy_lanes(db.session())),
                           letter=_draft_letter(task), now=db.now(), intake=intake.aside(task),
                           **context), status


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str):
    """The task form, for users who may complete the task; a finished task leads to its case."""
    task = _task_or_404(task_id)
    if task.state != "ready":
        flash(_("该任务已处理完毕。"), "info")
        return redirect(_case_page(task))
    if not task_access.allows(who(), task):
        abort(403)
    values = inbox_actions.draft(db.session(), current_user.row, task_id)
    if values is None:  # nothing typed yet: the form's defaults (a returning draft: its text)
        values = form_fields.defaults(db.engine().form(db.session(), task))
        values.update(intake_rules.prefill(db.session(), db.engine(), task))
    return _render(task, values, {})


def _case_page(task: HumanTask) -> str:
    """Where a task that is no longer open leads: its case's page, or the inbox."""
    suggestion = _suggestion(task)
    if suggestion is not None:
        return url_for("cases.show", suggestion_id=suggestion.id)
    instance = db.session().get(ProcessInstance, task.instance_id)
    if instance is not None and instance_rules.may_see(db.session(), who(), instance):
        return url_for("instances.show", instance_id=instance.id)
    return url_for("inbox.index")


@bp.post("/tasks/<task_id>")
@login_required
def submit(task_id: str):
    """Complete the task (or save a draft) from its form, for users who may complete it."""
    params.task_id(task_id)
    task = db.session().connection().execute(_TASK_TO_COMPLETE, {"task_id": task_id}).first()
    if task is None:
        abort(404)
    if task.state == "ready" and not task_access.allows(who(), task):
        abort(403)
    compiled = db.engine().compiled_version(db.session(), task.process_version_id)
    data, errors = form_parsing.parse(compiled.forms.get(task.form), request.form,
                               options_for(task.candidate_unit),
                               compiled.ui_form(task.bpmn_id, task.form))
    if errors:  # what was typed is shown again, each reason beside its field
        return _render(_task_or_404(task_id), data, errors, 400)
    # The button pressed, in the form's own namespace: a schema field (draft_reply's `action`)
    # can never answer it.
    if request.form.get(form_fields.BUTTON) == "save":
        refused = _save_draft(task_id, data)
        if refused is not None:
            return refused
        flash(_("已暂存。"), "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    db.engine().warm(db.session(), task.instance_id)  # the slow part, before the write lock
    name = step_name(task.bpmn_id, task.name)
    try:
        with db.write() as s:
            # The request's user only answers who may complete.
            task_rules.complete(s, db.engine(), who(), task_id, data)
    except FormError as err:
        return _render(_task_or_404(task_id), data, err.errors, 400)
    except (ConflictError, PermissionDenied) as err:
        flash(_("该任务已被他人处理：{reason}", reason=str(err)), "error")
        return redirect(url_for("inbox.index"))
    except (ProcessError, DomainError) as err:
        current_app.logger.exception("task %s failed", task_id)
        if isinstance(err, LimitError):  # the designer's script, not the handler's input
            reason = _("流程脚本超出了一步允许的运行限额，请联系流程设计人员")
        elif isinstance(err, ProcessError):  # the details are in the log, for the designer
            reason = _("流程在这一步出错，请联系流程设计人员")
        else:
            reason = label(str(err))
        flash(_("提交失败，案件未作改动：{reason}", reason=reason), "error")
        return _render(_task_or_404(task_id), data, {}, 409)
    flash(_("已提交：{name}", name=name), "success")
    return _after(task)


def _after(done) -> str:
    """Where a completed step leads: the case's next task the user may do, or, when none, the
    case's page with where it now waits (which step, which queue or person)."""
    s = db.session()
    following = task_rules.next_task(s, who(), done.instance_id)
    if following is not None:
        flash(_("下一项任务：{name}", name=step_name(following.bpmn_id, following.name)), "info")
        return redirect(url_for("tasks.show", task_id=following.id))
    places = []
    units = case_rules.unit_names(s)
    for waiting, holder in task_rules.waiting_at(s, done.instance_id):
        where = holder or " · ".join(part for part in (
            units.get(waiting.candidate_unit, waiting.candidate_unit),
            role_name(waiting.candidate_role)) if part) or _("待认领")
        places.append(_("{step}（{where}）", step=step_name(waiting.bpmn_id, waiting.name),
                        where=where))
    flash(_("案件现在等待：{places}", places=_("；").join(places)) if places
          else _("案件已没有待办环节。"), "info")
    suggestion = _suggestion(done)
    if suggestion is not None and not case_rules.may_see(s, who(), suggestion.id):
        return redirect(url_for("inbox.index"))
    return redirect(_case_page(done))


def _save_draft(task_id: str, data: dict):
    """暂存: keep what was typed as the user's draft; a refusal goes back to the inbox."""
    try:
        with db.write() as s:
            inbox_actions.save_draft(s, me(s), task_id, data, db.now())
    except DomainError as err:
        flash(label(str(err)), "error")
        return redirect(url_for("inbox.index"))
    return None


def _attachments_dir() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


@bp.post("/tasks/<task_id>/attachments")
@login_required
def upload(task_id: str):
    """上传附件. The upload button belongs to the task form, so the post carries what was typed
    there: it is kept as a draft (暂存) before the file is stored, and shown again after."""
    task = _task_or_404(task_id)
    schema = db.engine().form(db.session(), task)
    ui = db.engine().ui_form(db.session(), task)
    shown = form_fields.fields(schema, None, ui)
    typed = any(k == f.name or k.startswith(f"{f.name}.") for k in request.form for f in shown)
    data, errors = form_parsing.parse(schema, request.form, options_for(task.candidate_unit), ui) \
        if typed else ({}, {})
    if typed and not errors:
        refused = _save_draft(task_id, data)
        if refused is not None:
            return refused
    upload_file = request.files.get(form_fields.FILE) or request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash(_("请选择文件。"), "error")
    else:
        try:
            with db.write() as s:
                attachments.add(s, _attachments_dir(), me(s), s.get(HumanTask, task.id),
                                upload_file.filename, upload_file.read(), db.now())
        except DomainError as err:
            flash(label(str(err)), "error")
        else:
            flash(_("附件已上传。"), "success")
    if errors:  # nothing could be kept as a draft: the typed text is shown again, as typed
        return _render(_task_or_404(task_id), data, errors, 400)
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """An attachment's file, for users who may see the case it belongs to."""
    s = db.session()
    found = s.get(Attachment, params.row_id(attachment_id))
    if found is None:
        abort(404)
    suggestion = s.scalar(select(Suggestion.id).where(Suggestion.instance_id == found.instance_id))
    if suggestion is None:  # a case of another process: the case page's readers
        if not instance_rules.may_see(s, who(), s.get(ProcessInstance, found.instance_id)):
            abort(403)
    elif not case_rules.may_see(s, who(), suggestion):
        abort(403)
    return send_file(BytesIO(attachments.content(_attachments_dir(), found)),
                     mimetype=found.content_type, as_attachment=True,
                     download_name=found.filename)
