"""Deputies submit suggestions online (提出): the deputy's list of online suggestions, starting
a new one, and the draft page's side panel (similar earlier suggestions with their replies,
quality hints). The draft, co-signing and review steps are ordinary tasks of the `intake`
process (bpmn/intake.bpmn), shown by the task page."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from sqlalchemy import func, select

from engine import EngineError
from models import CongressSession
from models.text import LONG_TEXT, clean, problem
from workflows import drafting, intake as intake_rules
from workflows import instances as instance_rules
from workflows.errors import DomainError

from . import db
from .auth import roles_required, who
from .i18n import gettext as _
from .i18n import label, locale

bp = Blueprint("intake", __name__)
TITLE_LIMIT = 255


@bp.get("/intake")
@roles_required("deputy")
def index():
    """提出建议: my online suggestions and where each stands."""
    rows = intake_rules.my_submissions(db.session(), db.engine(), current_user.username)
    return render_template("intake/index.html", rows=rows)


@bp.post("/intake/new")
@roles_required("deputy")
def new():
    """Start a new online suggestion and open its draft."""
    try:
        with db.write() as s:
            case = intake_rules.start_draft(s, db.engine(), current_user.row)
    except (DomainError, EngineError) as err:
        current_app.logger.warning("intake start refused: %s", err)
        flash(label(str(err)) if isinstance(err, DomainError)
              else _("流程在这一步出错，请联系流程设计人员"), "error")
        return redirect(url_for("intake.index"))
    task = instance_rules.first_task_for(db.session(), who(), case)
    if task is None:
        abort(409)
    return redirect(url_for("tasks.show", task_id=task.id))


def aside(task):
    """The draft page's side panel (None for every other task)."""
    return intake_rules.draft_view(db.session(), db.engine(), task)


@bp.post("/intake/assist")
@roles_required("deputy", "commission")
def assist():
    """What the draft page shows beside the form for the text typed so far (JSON): the most
    similar registered suggestions with their replies, and the quality hints."""
    title, body = clean(request.form.get("title", "")), clean(request.form.get("body", ""))
    for name, value, limit, multiline in (("title", title, TITLE_LIMIT, False),
                                          ("body", body, LONG_TEXT, True)):
        refused = problem(value, limit=limit, required=False, multiline=multiline)
        if refused:
            return jsonify(error=_("参数 {name} 无效：{reason}", name=name,
                                   reason=label(refused))), 400
    research = request.form.get("from_research", "") in ("1", "true", "on")
    s = db.session()
    year = s.scalar(select(func.max(CongressSession.year))) or db.now().year
    found = drafting.assist(s, title, body, year, research)
    language = "en" if locale() == "en" else "zh"
    found["hints"] = [{"code": h["code"], "text": h[language]} for h in found["hints"]]
    return jsonify(found)
