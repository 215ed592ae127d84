"""Case pages (案件): summary, diagram position, timeline, deadlines, escalations, letters;
the deputy's own suggestions; registering a suggestion."""
from __future__ import annotations

from functools import partial
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from engine import ConflictError, FormError
from models import (Assignment, CongressSession, Deputy, Feedback, HumanTask, ProcessInstance,
                    Reply, Suggestion)
from models.text import clean
from models.vocabulary import FIELDS
from workflows import cases as case_rules
from workflows import congress_sessions, deputies, merging, replies, reports, similarity, suggestions
from workflows import instances as instance_rules
from workflows import text as text_rules
from workflows.errors import DomainError

from . import db, params
from .auth import roles_required, who
from .headers import stored_file
from .i18n import gettext as _
from .i18n import label, locale
from flask import send_file

bp = Blueprint("cases", __name__)


def _visible_or_404(suggestion_id: int, *load) -> Suggestion:
    """The suggestion (with its assignments, and the relationships `load` names) if this user
    may see it; 404 / 403 otherwise. One statement reads the case and whether it is visible
    (`case_rules.visible_suggestions`)."""
    params.row_id(suggestion_id)
    found = db.session().execute(
        select(Suggestion, case_rules.visible_suggestions(who()).label("visible"))
        .options(selectinload(Suggestion.assignments), *load)
        .where(Suggestion.id == suggestion_id)).first()
    if found is None:
        abort(404)
    if not found.visible:
        abort(403)
    return found.Suggestion


@bp.get("/cases")
@login_required
def index():
    """The cases this user may see (a deputy: their own suggestions)."""
    s = db.session()
    query = select(Suggestion).where(case_rules.visible_suggestions(who()))
    status = params.code(request.args, "status")
    if status:
        query = query.where(Suggestion.status == status)
    rows = s.scalars(query.order_by(Suggestion.number).limit(500)).all()
    return render_template("cases/index.html", rows=rows, status=status,
                           others=instance_rules.others(s, current_user.row))


@bp.get("/cases/<int:suggestion_id>")
@login_required
def show(suggestion_id: int):
    """A suggestion's case page (timeline, replies, feedback, diagram) for users who may see it."""
    s = db.session()
    # what the page shows of the case's people and units, read with it (not one by one)
    suggestion = _visible_or_404(suggestion_id, joinedload(Suggestion.lead_deputy),
                                 selectinload(Suggestion.co_signers),
                                 selectinload(Suggestion.assignments)
                                 .joinedload(Assignment.unit))
    instance = s.get(ProcessInstance, suggestion.instance_id) if suggestion.instance_id else None
    merged = merging.page(s, suggestion)  # 并案: the host's handling, seen from either side
    assignments = merged.assignments
    ids = [a.id for a in assignments]
    # Replies and feedback name their unit: several units may answer one suggestion (分办).
    assignment_units = {a.id: a.unit.name for a in assignments}
    diagram = case_rules.diagram_state(s, db.engine(), instance) if instance else None
    open_tasks = s.scalars(select(HumanTask).where(
        HumanTask.instance_id == suggestion.instance_id, HumanTask.state == "ready")
        .order_by(HumanTask.due_at)).all() if instance else []
    feedback = select(Feedback).where(Feedback.assignment_id.in_(ids))
    if merged.host is not None:  # its own deputy's ratings only
        feedback = feedback.where(Feedback.suggestion_id == suggestion.id)
    return render_template(
        "cases/case.html", suggestion=suggestion, instance=instance,
        timeline=case_rules.timeline(s, instance.id) if instance else [],
        names=instance_rules.step_names(s, db.engine(), instance) if instance else {},
        escalations=case_rules.escalations(s, suggestion.id),
        replies=s.scalars(select(Reply).where(Reply.assignment_id.in_(ids))
                          .order_by(Reply.id)).all(),
        feedback=s.scalars(feedback.order_by(Feedback.id)).all(),
        units=case_rules.unit_names(s), assignment_units=assignment_units, diagram=diagram,
        open_tasks=open_tasks + merged.open_tasks,
        on_behalf=partial(deputies.recorded_on_behalf,
                          lead_lanes=deputies.lead_deputy_lanes(s)),
        now=db.now(), assignments=assignments, merged=merged,
        merged_numbers={m.id: m.number for m in merged.merged},
        host_visible=merged.host is not None and case_rules.may_see(
            s, who(), merged.host.id),
        similar=similarity.similar_to(s, suggestion.id),
        progress=reports.progress_reports(s, [suggestion.id]).get(suggestion.id, []))


@bp.get("/cases/<int:suggestion_id>/diagram/<path:filename>")
@login_required
def diagram(suggestion_id: int, filename: str):
    """A BPMN file of a visible case's version, as inert data for the diagram viewer."""
    suggestion = _visible_or_404(suggestion_id)
    instance = db.session().get(ProcessInstance, suggestion.instance_id)
    if instance is None:
        abort(404)
    state = case_rules.diagram_state(db.session(), db.engine(), instance)
    if filename not in state.files:
        abort(404)
    # Uploaded XML is data for the viewer's fetch(), never a document the browser renders.
    return stored_file(state.files[filename], filename)


@bp.get("/replies/<int:reply_id>/letter")
@login_required
def letter(reply_id: int):
    """The reply letter (.docx) of a reply, for users who may see its suggestion."""
    s = db.session()
    reply = s.get(Reply, params.row_id(reply_id))
    if reply is None:
        abort(404)
    target = params.integer(request.args, "suggestion")
    if not case_rules.may_see(s, who(), target or reply.assignment.suggestion_id):
        abort(403)
    try:
        name, data = replies.reply_letter(s, reply_id, target)
    except DomainError:
        abort(404)
    return send_file(BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument."
                              "wordprocessingml.document")


def _fields() -> dict[str, str]:
    """The fields (领域) a suggestion may be in, labelled in the reader's language."""
    return FIELDS.labels(english=locale() == "en")


@bp.route("/register", methods=["GET", "POST"])
@roles_required("commission")
def register():
    """登记: the commission registers a suggestion; its case starts at `assign`."""
    s = db.session()
    congress = congress_sessions.latest(s)
    deputies = s.scalars(select(Deputy).order_by(Deputy.id)).all()
    next_number = (s.scalar(select(func.max(Suggestion.number)).where(
        Suggestion.congress_session_id == congress.id)) or 0) + 1 if congress else 1
    if request.method == "GET":
        return render_template("cases/register.html", deputies=deputies, errors={}, fields=_fields(),
                               values={"number": next_number}, congress=congress)
    form = request.form
    values = {k: clean(form.get(k, "")) for k in ("number", "title", "body", "field",
                                                   "lead_deputy")}
    values["co_signers"] = form.getlist("co_signers")
    errors = text_rules.problems(text_rules.SUGGESTION, {
        k: values[k] for k in ("title", "body", "field")})
    errors = {k: label(v) for k, v in errors.items()}
    if not _positive(values["number"]):
        errors["number"] = _("请输入正整数。")
    if not _positive(values["lead_deputy"]):
        errors["lead_deputy"] = _("必填。")
    co_signers = [int(i) for i in values["co_signers"] if _positive(i)]
    if congress is None:
        errors["number"] = _("尚未设置届次。")
    if not errors:
        try:
            with db.write() as w:
                lead = w.get(Deputy, int(values["lead_deputy"]))
                if lead is None:
                    raise FormError({"lead_deputy": _("请选择领衔代表。")})
                co = [w.get(Deputy, i) for i in co_signers]
                created = suggestions.register(
                    w, db.engine(), congress_session=w.get(CongressSession, congress.id),
                    number=int(values["number"]), title=values["title"],
                    body=values["body"], field=values["field"], lead_deputy=lead,
                    co_signers=[d for d in co if d and d.id != lead.id],
                    actor=current_user.username)
                suggestion_id = created.id
                task_id = suggestions.assign_task(w, created).id
        except FormError as err:
            errors.update({k: label(v) for k, v in err.errors.items()})
        except (DomainError, ConflictError) as err:
            errors["number"] = label(str(err))
    if errors:
        return render_template("cases/register.html", deputies=deputies, errors=errors, fields=_fields(),
                               values=values, congress=congress), 400
    flash(_("第{number}号建议已登记，请交办。", number=values["number"]), "success")
    return redirect(url_for("tasks.show", task_id=task_id, case=suggestion_id))


def _positive(value: str) -> bool:
    """An id or number as typed: ASCII digits within the database's integers."""
    return value.isascii() and value.isdigit() and 1 <= int(value) <= params.MAX_ID
