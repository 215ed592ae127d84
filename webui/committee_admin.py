"""Special committees in the organisation administration (专门委员会): the list, adding one,
its name and the fields (领域) it covers, and its members (accounts of the committee role).
Administrators only; every change audited (`workflows.committee_admin`)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from models import Committee, CommitteeField, User, vocabulary
from workflows import committee_admin
from workflows.organisation import OrganisationError

from . import db, params
from .auth import roles_required
from .i18n import gettext as _, label, locale
from .records import Field, Kind, like, register

bp = Blueprint("committee_admin", __name__, url_prefix="/admin")


class _Row:
    def __init__(self, id, **values):
        self.id = id
        self.__dict__.update(values)


def _field_options():
    return [(t.code, vocabulary.FIELDS.label(t.code, english=locale() == "en"))
            for t in vocabulary.FIELDS]


def _committees(s, search):
    query = select(Committee).order_by(Committee.name)
    if search:
        query = query.where(or_(like(Committee.name, search), Committee.id.in_(
            select(CommitteeField.committee_id).where(like(CommitteeField.field, search)))))
    counts = dict(s.execute(select(User.committee_id, func.count()).where(
        User.committee_id.is_not(None)).group_by(User.committee_id)).all())
    names = dict(_field_options())
    return [_Row(c.id, name=c.name, fields="、".join(names.get(f, f) for f in c.field_codes),
                 members=counts.get(c.id, 0)) for c in s.scalars(query)]


def _load(s, committee_id):
    c = s.get(Committee, committee_id)
    return None if c is None else {"name": c.name, "fields": c.field_codes}


def _extra(s, committee_id, typed=None, errors=None):
    members = s.scalars(select(User).where(User.committee_id == committee_id)
                        .order_by(User.username)).all()
    others = [u for u in committee_admin.member_candidates(s) if u.committee_id != committee_id]
    homes = dict(s.execute(select(Committee.id, Committee.name)).all())
    return {"members": members, "candidates": others, "homes": homes,
            "member_typed": typed or {}, "member_errors": errors or {}}


COMMITTEES = Kind(
    "committees", "专门委员会 (Special committees)", "添加专门委员会 (Add a committee)",
    [Field("name", "名称 (Name)", limit=64),
     Field("fields", "对口领域 (Fields covered)", "multi", options=_field_options,
           hint="委员会成员看到这些领域的建议，以及交办时指定由本委员会督办的建议 "
                "(members see the suggestions of these fields, and those assigned to the "
                "committee by name)")],
    [("name", "名称 (Name)"), ("fields", "对口领域 (Fields covered)"),
     ("members", "成员数 (Members)")],
    _committees, _load,
    lambda s, i, v, actor, now: committee_admin.save_committee(s, i, **v, actor=actor, now=now),
    template="admin/committee.html", details=_extra)
register(bp, COMMITTEES)


def _committee(committee_id: int) -> Committee:
    params.row_id(committee_id)
    committee = db.session().get(Committee, committee_id)
    if committee is None:
        abort(404)
    return committee


def _refused(committee_id: int, typed: dict, problems: dict):
    s = db.session()
    return render_template("admin/committee.html", kind=COMMITTEES, record_id=committee_id,
                           typed=_load(s, committee_id), errors={},
                           **_extra(s, committee_id, typed, problems)), 400


@bp.post("/committees/<int:committee_id>/members")
@roles_required("admin")
def add_member(committee_id: int):
    """Administrators: make an account of the committee role a member (moved from another
    committee if it had one)."""
    _committee(committee_id)
    raw = request.form.get("user_id", "")[:20]
    user_id = int(raw) if raw.isdigit() and int(raw) <= params.MAX_ID else None  # a database id
    try:
        with db.write() as s:
            committee_admin.add_member(s, s.get(Committee, committee_id),
                                       s.get(User, user_id) if user_id else None,
                                       actor=current_user.username, now=db.now())
    except OrganisationError as err:
        return _refused(committee_id, {"user_id": raw}, err.problems)
    flash(_("已保存。"), "success")
    return redirect(url_for("committee_admin.committees_one", record_id=committee_id))


@bp.post("/committees/<int:committee_id>/members/<int:user_id>/remove")
@roles_required("admin")
def remove_member(committee_id: int, user_id: int):
    """Administrators: take a member out of the committee (the account stays)."""
    _committee(committee_id)
    params.row_id(user_id)
    try:
        with db.write() as s:
            user = s.get(User, user_id)
            if user is None:
                abort(404)
            committee_admin.remove_member(s, s.get(Committee, committee_id), user,
                                          actor=current_user.username, now=db.now())
    except OrganisationError as err:
        flash(label(err.problems["user_id"]), "error")
        return redirect(url_for("committee_admin.committees_one", record_id=committee_id))
    flash(_("已保存。"), "success")
    return redirect(url_for("committee_admin.committees_one", record_id=committee_id))
