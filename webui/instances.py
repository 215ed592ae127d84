"""New cases of any process (新建案件) and the case page of a process that is not a suggestion."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import EngineError, LimitError, ProcessError
from models import ProcessInstance, User
from models.text import clean, limit_of, problem
from workflows import cases as case_rules
from workflows import instances as instance_rules
from workflows import starting

from . import db, params
from .auth import who
from .headers import stored_file
from .i18n import gettext as _
from .i18n import label

bp = Blueprint("instances", __name__)
SUGGESTION = "suggestion"  # registered on its own page (登记建议), with the suggestion's record
SUBJECT_LIMIT = limit_of(ProcessInstance.business_key)


def _startable() -> list[tuple[str, str]]:
    return starting.startable(db.session(), who())


def _new_page(values: dict, errors: dict, status: int = 200):
    return render_template("instances/new.html", processes=_startable(), values=values,
                           errors=errors, register=SUGGESTION), status


@bp.get("/cases/new")
@login_required
def new():
    """新建案件: the processes this user may start, each with a button (the suggestion process
    links to its own registration page)."""
    if not _startable():
        abort(403)
    return _new_page({}, {})


@bp.post("/cases/new")
@login_required
def start():
    """Start a case of the chosen process (audited by the engine's start); go to its first task
    if it is this user's, else to the case page."""
    process_id = params.code(request.form, "process")
    if not process_id or not starting.may_start(db.session(), who(), process_id):
        abort(403)
    if process_id == SUGGESTION:
        return redirect(url_for("cases.register"))
    subject = clean(request.form.get("subject", ""))
    values = {"process": process_id, "subject": subject}
    refused = problem(subject, limit=SUBJECT_LIMIT, required=False)
    if refused:
        return _new_page(values, {"subject": label(refused)}, 400)
    try:
        with db.write() as s:
            result = db.engine().start(s, process_id, actor=current_user.username,
                                       business_key=subject or None)
    except EngineError as err:
        current_app.logger.exception("starting %s failed", process_id)
        reason = _("流程脚本超出了一步允许的运行限额，请联系流程设计人员") \
            if isinstance(err, LimitError) else _("流程在这一步出错，请联系流程设计人员") \
            if isinstance(err, ProcessError) else label(str(err))
        return _new_page(values, {"process": _("未能新建案件：{reason}", reason=reason)}, 409)
    flash(_("已新建案件。"), "success")
    task = instance_rules.first_task_for(db.session(), who(), result.instance_id)
    if task is not None:
        return redirect(url_for("tasks.show", task_id=task.id))
    return redirect(url_for("instances.show", instance_id=result.instance_id))


def _visible_or_404(instance_id: int) -> ProcessInstance:
    s = db.session()
    instance = s.get(ProcessInstance, params.row_id(instance_id))
    if instance is None:
        abort(404)
    if not instance_rules.may_see(s, who(), instance):
        abort(403)
    return instance


@bp.get("/instances/<int:instance_id>")
@login_required
def show(instance_id: int):
    """A case of any process: where it stands on the diagram, its timeline, and what was entered
    at each step. A suggestion's case is shown by its own page."""
    s = db.session()
    suggestion = instance_rules.suggestion_of(s, params.row_id(instance_id))
    if suggestion is not None:
        return redirect(url_for("cases.show", suggestion_id=suggestion))
    instance = _visible_or_404(instance_id)
    engine = db.engine()
    names = instance_rules.step_names(s, engine, instance)
    process = instance_rules.process_names(
        s, [(instance.process_version_id, instance.process_id)]).get(
        (instance.process_version_id, instance.process_id), instance.process_id)
    open_tasks = engine.ready_tasks(s, instance_id=instance.id)
    return render_template(
        "instances/show.html", instance=instance, process=process, names=names,
        diagram=case_rules.diagram_state(s, engine, instance),
        timeline=case_rules.timeline(s, instance.id),
        steps=instance_rules.completed_steps(s, engine, instance, names),
        open_tasks=open_tasks, starter=_person(instance.started_by))


def _person(username: str) -> str:
    name = db.session().scalar(select(User.name).where(User.username == username))
    return name or username


@bp.get("/instances/<int:instance_id>/diagram/<path:filename>")
@login_required
def diagram(instance_id: int, filename: str):
    """A BPMN file of the case's version, as inert data for the diagram viewer."""
    instance = _visible_or_404(instance_id)
    state = case_rules.diagram_state(db.session(), db.engine(), instance)
    if filename not in state.files:
        abort(404)
    return stored_file(state.files[filename], filename)


def can_start() -> bool:
    """For the header: has this user a process to start that has no entry of its own
    (`auth.OWN_ENTRY`)? Asked with the request's user (`auth.load_user`)."""
    return current_user.is_authenticated and current_user.may_start_other


def init_app(app) -> None:
    app.jinja_env.globals.update(can_start_cases=can_start)
