"""The bulletin's figures (公报数据): a congress session beside the one before it, with the
paragraph the commission's bulletin would print, and the same as .xlsx. Supervisors only."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from models import CongressSession
from workflows import bulletin as figures
from workflows import bulletin_report

from . import db, params
from .auth import roles_required
from .i18n import locale
from .supervision import SUPERVISORS, XLSX

bp = Blueprint("bulletin", __name__, url_prefix="/supervision")


def _chosen():
    """The sessions, latest first, and the one asked for (`session`; else the latest)."""
    s = db.session()
    sessions = figures.sessions(s)
    chosen_id = params.integer(request.args, "session")
    if chosen_id is None:
        return sessions, sessions[0] if sessions else None
    chosen = s.get(CongressSession, chosen_id)
    if chosen is None:
        abort(404)
    return sessions, chosen


@bp.get("/bulletin")
@roles_required(*SUPERVISORS)
def page():
    """Supervisors: a session's bulletin figures beside the previous session's."""
    sessions, chosen = _chosen()
    english = locale() == "en"
    data = figures.bulletin(db.session(), chosen, db.now()) if chosen else None
    return render_template(
        "supervision/bulletin.html", sessions=sessions, chosen=chosen, data=data,
        table=bulletin_report.table(data, english) if data else None,
        paragraph=bulletin_report.paragraph(data, english) if data else "",
        shares=[row.share for row in bulletin_report.ROWS])


@bp.get("/bulletin.xlsx")
@roles_required(*SUPERVISORS)
def xlsx():
    """Supervisors: the bulletin figures of a session and the previous one as .xlsx."""
    _sessions, chosen = _chosen()
    if chosen is None:
        abort(404)
    data = bulletin_report.to_xlsx(figures.bulletin(db.session(), chosen, db.now()),
                                   english=locale() == "en")
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="bulletin-{chosen.id}.xlsx"'})
