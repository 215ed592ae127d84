"""Supervision (督办): dashboard, tracking lists, ledgers and reports.

Supervisors see every unit; a unit's own staff see only their unit's figures and cases.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import select

from models import Unit
from models.vocabulary import FIELDS
from workflows import congress_sessions, ledger, reports, similarity
from workflows.statistics import Filters

from . import db, params
from .auth import roles_required
from .i18n import locale
from models import Assignment

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
SUPERVISORS = ("commission", "provincial_leader", "committee", "admin")
UNIT_STAFF = ("unit_handler", "reviewer", "signer")
MIN_YEAR, MAX_YEAR = 1949, 9999  # the years a congress session can be in
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def current_filters() -> Filters:
    """The page's filters; unit staff are always held to their own unit."""
    args = request.args
    filters = Filters(congress_session_id=params.integer(args, "session"),
                      field=params.one_of(args, "field", FIELDS) or None,
                      key_only=args.get("key") == "1", unit_id=params.integer(args, "unit"))
    if current_user.role not in SUPERVISORS:
        filters.unit_id = current_user.unit_id
    return filters


def _options():
    s = db.session()
    return {
        "sessions": congress_sessions.newest_first(s),
        "fields": FIELDS.labels(english=locale() == "en"),
        "units": s.scalars(select(Unit).order_by(Unit.id)).all(),
    }


@bp.get("")
@roles_required(*SUPERVISORS, *UNIT_STAFF)
def dashboard():
    """Supervisors (all units) and unit staff (their own unit): the supervision figures."""
    filters = current_filters()
    by = "division" if request.args.get("by") == "division" else "unit"
    now = db.now()
    data = reports.dashboard(db.session(), filters, now, by=by)
    return render_template("supervision/dashboard.html", data=data, filters=filters, by=by,
                           now=now, supervisor=current_user.role in SUPERVISORS, **_options())


LISTS = {"follow_up": reports.follow_up_cases, "dissatisfied": reports.dissatisfied_cases}


@bp.get("/lists/<kind>")
@roles_required(*SUPERVISORS, *UNIT_STAFF)
def tracking(kind: str):
    """Supervisors and unit staff: a tracking list (follow-up, dissatisfied, key, repeated)."""
    filters = current_filters()
    s = db.session()
    progress = {}
    if kind in LISTS:
        rows = LISTS[kind](s, filters)
    elif kind == "key":
        rows = reports.key_cases(s, filters)
        progress = reports.progress_reports(s, [sg.id for sg, _leader in rows], filters.unit_id)
    elif kind == "repeated":
        year = params.integer(request.args, "year", minimum=MIN_YEAR, maximum=MAX_YEAR) \
            or db.now().year
        rows = similarity.repeated(s, year)
        if filters.unit_id:
            mine = set(s.scalars(select(Assignment.suggestion_id)
                                 .where(Assignment.unit_id == filters.unit_id)))
            rows = [(sg, matches) for sg, matches in rows if sg.id in mine]
    else:
        abort(404)
    return render_template("supervision/list.html", kind=kind, rows=rows, filters=filters,
                           progress=progress,
                           supervisor=current_user.role in SUPERVISORS, **_options())


def _ledger_filters(filters: Filters) -> ledger.LedgerFilters:
    return ledger.LedgerFilters(**vars(filters),
                                status=params.code(request.args, "status") or None)


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d")


@bp.get("/ledger.xlsx")
@roles_required(*SUPERVISORS, *UNIT_STAFF)
def ledger_xlsx():
    """Supervisors and unit staff: the case ledger (or key-suggestion table) as .xlsx."""
    filters = _ledger_filters(current_filters())
    key = request.args.get("table") == "key"
    english = locale() == "en"  # the English ledger: English headers and code labels
    with db.database().session() as s:  # its own session: a long read
        records = (ledger.key_rows if key else ledger.rows)(s, filters, db.now(), english)
        data = ledger.to_xlsx(records, columns=ledger.KEY_COLUMNS if key else ledger.COLUMNS,
                              sheet="重点建议" if key else "台账", english=english)
    name = f"{'key-suggestions' if key else 'ledger'}-{_stamp()}.xlsx"
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/ledger.csv")
@roles_required(*SUPERVISORS, *UNIT_STAFF)
def ledger_csv():
    """Supervisors and unit staff: the case ledger as streamed CSV."""
    filters = _ledger_filters(current_filters())
    now = db.now()
    database = db.database()
    english = locale() == "en"

    def generate():
        with database.session() as s:
            yield from ledger.to_csv(ledger.rows(s, filters, now, english), english=english)
    return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="ledger-{_stamp()}.csv"'})


@bp.get("/evaluation/<int:unit_id>.xlsx")
@roles_required(*SUPERVISORS, *UNIT_STAFF)
def evaluation(unit_id: int):
    """Supervisors (any unit) and unit staff (their own unit): a unit's evaluation .xlsx."""
    params.row_id(unit_id)
    if current_user.role not in SUPERVISORS and unit_id != current_user.unit_id:
        abort(403)
    data = reports.evaluation_report(db.session(), unit_id, current_filters(), db.now())
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="evaluation-{unit_id}-{_stamp()}.xlsx"'})


@bp.get("/midyear.xlsx")
@roles_required(*SUPERVISORS)
def midyear():
    """Supervisors only: the mid-year report .xlsx."""
    data = reports.midyear_report(db.session(), current_filters(), db.now())
    return Response(data, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="midyear-{_stamp()}.xlsx"'})
