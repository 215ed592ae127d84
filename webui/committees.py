"""Special committees' supervision of their own field (专门委员会对口督办): a member's list of
the committee's cases and the form recording a supervision activity (督办活动) on one; the
case page shows a case's activities (`supervision_card`)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import Committee, Suggestion, vocabulary
from models.text import LONG_TEXT, clean
from workflows import committees
from workflows.errors import FormError, PermissionDenied

from . import db, params
from .auth import roles_required
from .i18n import gettext as _
from .i18n import label, locale

bp = Blueprint("committees", __name__, url_prefix="/committee")
ROLE = committees.ROLE


@bp.get("")
@roles_required(ROLE)
def index():
    """Committee members: the cases of their committee's fields, with their activities."""
    s = db.session()
    committee_id = current_user.committee_id
    committee = s.get(Committee, committee_id) if committee_id else None
    rows = committees.committee_cases(s, committee.id) if committee else []
    return render_template("committees/index.html", committee=committee, rows=rows,
                           counts=committees.activity_counts(s, [r.id for r in rows]))


def _case_or_abort(suggestion_id: int) -> Suggestion:
    """The suggestion, if this member's committee supervises it (404 / 403 otherwise)."""
    s = db.session()
    suggestion = s.get(Suggestion, params.row_id(suggestion_id))
    if suggestion is None:
        abort(404)
    if not committees.may_supervise(s, current_user.row, suggestion_id):
        abort(403)
    return suggestion


def _form(suggestion: Suggestion, typed: dict, errors: dict, status: int = 200):
    return render_template("committees/activity.html", suggestion=suggestion, typed=typed,
                           errors=errors, forms=committees.FORMS,
                           today=db.now().date().isoformat()), status


@bp.get("/cases/<int:suggestion_id>/activity")
@roles_required(ROLE)
def activity_form(suggestion_id: int):
    """Committee members, on a case of their committee: the supervision activity form."""
    return _form(_case_or_abort(suggestion_id), {}, {})


@bp.post("/cases/<int:suggestion_id>/activity")
@roles_required(ROLE)
def record_activity(suggestion_id: int):
    """Record a supervision activity; what was typed stays on the form if it is refused."""
    suggestion = _case_or_abort(suggestion_id)
    # Kept as typed (cut far beyond any limit, so a huge post is not echoed back whole).
    typed = {name: clean(request.form.get(name, ""))[:LONG_TEXT + 1]
             for name in committees.ACTIVITY_FIELDS}
    try:
        with db.write() as s:
            committees.record_activity(s, current_user.row, suggestion_id, typed,
                                       now=db.now())
    except FormError as err:
        return _form(suggestion, typed, {k: label(v) for k, v in err.errors.items()}, 400)
    except PermissionDenied:
        abort(403)
    flash(_("已记录督办活动。"), "success")
    return redirect(url_for("cases.show", suggestion_id=suggestion_id) + "#timeline")


@bp.app_context_processor
def _case_card():
    def supervision_card(suggestion_id: int) -> dict:
        """A case page's 督办活动 card: the activities, and whether this user may record one."""
        s = db.session()
        return {"activities": committees.activities(s, suggestion_id),
                "may_record": current_user.is_authenticated and current_user.role == ROLE
                and committees.may_supervise(s, current_user.row, suggestion_id)}
    def field_name(code: str) -> str:
        """A field (领域) in the reader's language."""
        return vocabulary.FIELDS.label(code, english=locale() == "en")
    return {"supervision_card": supervision_card, "field_name": field_name}
