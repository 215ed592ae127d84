"""Administration of the organisation (组织机构): handling units with their kind and divisions,
deputies, congress sessions. Administrators only; every change audited (`workflows.organisation`)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from models import CongressSession, Deputy, Division, Unit, User
from models.vocabulary import UNIT_KINDS
from workflows import congress_sessions, organisation
from workflows.organisation import OrganisationError

from . import db, params
from .auth import roles_required
from .i18n import gettext as _, term
from .records import MAX_TYPED, Field, Kind, like, register

bp = Blueprint("org", __name__, url_prefix="/admin")


# ---- units and their divisions ----
def _units(s, search):
    query = select(Unit.id, Unit.code, Unit.name, Unit.kind,
                   func.count(Division.id).label("divisions")).outerjoin(Division).group_by(
        Unit.id).order_by(Unit.code)
    if search:
        query = query.where(or_(like(Unit.code, search), like(Unit.name, search)))
    return [_Row(r.id, code=r.code, name=r.name, kind=term(r.kind), divisions=r.divisions)
            for r in s.execute(query)]


class _Row:
    def __init__(self, id, **values):
        self.id = id
        self.__dict__.update(values)


def _load_unit(s, unit_id):
    unit = s.get(Unit, unit_id)
    return None if unit is None else {"code": unit.code, "name": unit.name, "kind": unit.kind}


def _unit_extra(s, unit_id, typed=None, errors=None):
    divisions = s.scalars(select(Division).where(Division.unit_id == unit_id)
                          .order_by(Division.id)).all()
    people = s.scalar(select(func.count()).select_from(User).where(User.unit_id == unit_id))
    return {"divisions": divisions, "people": people, "division_typed": typed or {},
            "division_errors": errors or {}}


UNITS = Kind(
    "units", "单位 (Units)", "添加单位 (Add a unit)",
    [Field("code", "代码 (Code)", limit=32,
           hint="字母、数字、_ 或 -，不超过32个字符 (letters, digits, _ or -, at most 32)"),
     Field("name", "名称 (Name)", limit=128),
     Field("kind", "类别 (Kind)", "choice", options=lambda: [(t.code, term(t.code)) for t in UNIT_KINDS])],
    [("code", "代码 (Code)"), ("name", "名称 (Name)"), ("kind", "类别 (Kind)"),
     ("divisions", "处室数 (Divisions)")],
    _units, _load_unit,
    lambda s, i, v, actor, now: organisation.save_unit(s, i, **v, actor=actor, now=now),
    template="admin/unit.html", details=_unit_extra)


@bp.post("/units/<int:record_id>/divisions", defaults={"division_id": None})
@bp.post("/units/<int:record_id>/divisions/<int:division_id>")
@roles_required("admin")
def save_division(record_id: int, division_id: int | None):
    """Administrators: add a division to a unit, or rename one."""
    params.row_id(record_id)
    if division_id is not None:
        params.row_id(division_id)
    s = db.session()
    if s.get(Unit, record_id) is None:
        abort(404)
    division = s.get(Division, division_id) if division_id else None
    if division_id and (division is None or division.unit_id != record_id):
        abort(404)
    name = request.form.get("name", "")[:MAX_TYPED]
    try:
        with db.write() as w:
            organisation.save_division(w, division_id, unit_id=record_id, name=name,
                                       actor=current_user.username, now=db.now())
    except OrganisationError as err:
        extra = _unit_extra(db.session(), record_id, {"name": name, "id": division_id},
                            err.problems)
        return render_template("admin/unit.html", kind=UNITS, record_id=record_id,
                               typed=_load_unit(db.session(), record_id), errors={},
                               **extra), 400
    flash(_("已保存。"), "success")
    return redirect(url_for("org.units_one", record_id=record_id))


# ---- deputies ----
def _deputies(s, search):
    query = select(Deputy, User.username).outerjoin(
        User, (User.deputy_id == Deputy.id) & User.active.is_(True)).order_by(Deputy.name,
                                                                              Deputy.id)
    if search:
        query = query.where(or_(like(Deputy.name, search), like(Deputy.delegation, search),
                                like(Deputy.electoral_unit, search)))
    return [_Row(d.id, name=d.name, delegation=d.delegation or "", electoral_unit=d.electoral_unit,
                 phone=d.phone or "", email=d.email or "", account=username or "")
            for d, username in s.execute(query)]


def _load_deputy(s, deputy_id):
    d = s.get(Deputy, deputy_id)
    return None if d is None else {k: getattr(d, k) or "" for k in (
        "name", "delegation", "electoral_unit", "phone", "email")}


def _deputy_extra(s, deputy_id):
    return {"accounts": s.scalars(select(User).where(User.deputy_id == deputy_id)
                                  .order_by(User.username)).all()}


DEPUTIES = Kind(
    "deputies", "代表 (Deputies)", "添加代表 (Add a deputy)",
    [Field("name", "姓名 (Name)"), Field("delegation", "代表团 (Delegation)"),
     Field("electoral_unit", "选举单位 (Electoral unit)"), Field("phone", "电话 (Phone)", limit=32),
     Field("email", "电子邮箱 (E-mail)", limit=128)],
    [("name", "姓名 (Name)"), ("delegation", "代表团 (Delegation)"),
     ("electoral_unit", "选举单位 (Electoral unit)"), ("phone", "电话 (Phone)"),
     ("email", "电子邮箱 (E-mail)"), ("account", "账号 (Account)")],
    _deputies, _load_deputy,
    lambda s, i, v, actor, now: organisation.save_deputy(s, i, **v, actor=actor, now=now),
    template="admin/deputy.html", details=_deputy_extra)


# ---- congress sessions ----
def _sessions(s, search):
    query = congress_sessions.newest_first_query()
    if search:
        query = query.where(like(CongressSession.name, search))
    return [_Row(c.id, name=c.name, congress=c.congress, meeting=c.meeting, year=c.year,
                 opened_on=c.opened_on.isoformat() if c.opened_on else "")
            for c in s.scalars(query)]


def _load_session(s, session_id):
    c = s.get(CongressSession, session_id)
    return None if c is None else {"congress": str(c.congress), "meeting": str(c.meeting),
                                   "year": str(c.year), "name": c.name,
                                   "opened_on": c.opened_on.isoformat() if c.opened_on else ""}


SESSIONS = Kind(
    "sessions", "会议 (Congress sessions)", "添加会议 (Add a session)",
    [Field("congress", "届 (Congress)", "int", limit=2, hint="如 14：第十四届 (e.g. 14: the 14th)"),
     Field("meeting", "次 (Meeting)", "int", limit=2, hint="如 3：第三次会议 (e.g. 3: the 3rd)"),
     Field("year", "年份 (Year)", "int", limit=4), Field("name", "名称 (Name)", limit=128),
     Field("opened_on", "开幕日期 (Opening day)", "date", limit=10, hint="YYYY-MM-DD")],
    [("name", "名称 (Name)"), ("congress", "届 (Congress)"), ("meeting", "次 (Meeting)"),
     ("year", "年份 (Year)"), ("opened_on", "开幕日期 (Opening day)")],
    _sessions, _load_session,
    lambda s, i, v, actor, now: organisation.save_congress_session(s, i, **v, actor=actor,
                                                                   now=now))

for _kind in (UNITS, DEPUTIES, SESSIONS):
    register(bp, _kind)
