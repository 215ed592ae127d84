"""Administration of accounts (用户): list, search, create, edit, deactivate and reactivate
(never delete), and the one-time link that lets a user choose a password — on creation and on
"reset password". The administrator never types a password. Administrators only; audited."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from models import Deputy, Division, HumanTask, PasswordLink, Unit, User
from workflows import accounts, password_links, roles
from workflows.organisation import OrganisationError

from . import db, params
from .auth import roles_required
from .i18n import gettext as _, label, role_name
from .records import Field, Kind, like, register, show_link

bp = Blueprint("people", __name__, url_prefix="/admin")


class _Row:
    def __init__(self, id, **values):
        self.id = id
        self.__dict__.update(values)


def _users(s, search):
    query = select(User.id, User.username, User.name, User.role, User.active,
                   Unit.name.label("unit")).outerjoin(Unit, User.unit_id == Unit.id) \
        .order_by(User.username)
    if search:
        query = query.where(or_(like(User.username, search), like(User.name, search),
                                like(Unit.name, search)))
    return [_Row(r.id, username=r.username, name=r.name, role=role_name(r.role),
                 unit=r.unit or "", active=_("启用") if r.active else _("已停用"))
            for r in db.session().execute(query)]


def _load(s, user_id):
    u = s.get(User, user_id)
    if u is None:
        return None
    return {"username": u.username, "name": u.name, "role": u.role,
            "unit_id": str(u.unit_id or ""), "division_id": str(u.division_id or ""),
            "deputy_id": str(u.deputy_id or "")}


def _extra(s, user_id):
    user = s.get(User, user_id)
    held = s.scalars(select(HumanTask.id).where(HumanTask.assignee == user.username,
                                                HumanTask.state == "ready")).all()
    link = s.scalar(select(PasswordLink).where(PasswordLink.user_id == user_id)
                    .order_by(PasswordLink.id.desc()).limit(1))
    return {"user": user, "held": len(held), "last_link": link, "now": db.now()}


def _roles():
    return [(r.code, role_name(r.code)) for r in roles.all_roles(db.session())]


def _units():
    return [(str(i), f"{name} ({code})") for i, code, name in db.session().execute(
        select(Unit.id, Unit.code, Unit.name).order_by(Unit.code))]


def _divisions():
    return [(str(i), f"{unit} / {name}") for i, unit, name in db.session().execute(
        select(Division.id, Unit.name, Division.name).join(Unit).order_by(Unit.code,
                                                                          Division.id))]


def _deputies():
    return [(str(i), f"{name}（{unit}）") for i, name, unit in db.session().execute(
        select(Deputy.id, Deputy.name, Deputy.electoral_unit).order_by(Deputy.name, Deputy.id))]


def _save(s, user_id, v, actor, now):
    user = accounts.save_account(s, user_id, username=v["username"], name=v["name"],
                                 role=v["role"], unit_id=v["unit_id"],
                                 division_id=v["division_id"], deputy_id=v["deputy_id"],
                                 actor=actor, now=now)
    if user_id is None:
        return user, password_links.issue(s, user, actor=actor, now=now)
    return user


USERS = Kind(
    "users", "用户 (Users)", "添加用户 (Add a user)",
    [Field("username", "用户名 (Username)",
           hint="字母、数字和 _ . @ -，2至64个字符 (2-64 letters, digits, _ . @ -)"),
     Field("name", "姓名 (Name)"), Field("role", "角色 (Role)", "choice", options=_roles),
     Field("unit_id", "单位 (Unit)", "ref", options=_units,
           hint="承办处室、分管负责同志、主要负责同志必填 (required for a unit's roles)"),
     Field("division_id", "处室 (Division)", "ref", options=_divisions),
     Field("deputy_id", "关联代表 (Linked deputy)", "ref", options=_deputies,
           hint="仅代表角色；关联后该代表待代录的反馈任务转给此账号 "
                "(deputy role only; the deputy's feedback tasks waiting to be recorded move "
                "to this account)")],
    [("username", "用户名 (Username)"), ("name", "姓名 (Name)"), ("role", "角色 (Role)"),
     ("unit", "单位 (Unit)"), ("active", "状态 (State)")],
    _users, _load, _save, template="admin/user.html", details=_extra)
register(bp, USERS)


def _user(user_id: int) -> User:
    params.row_id(user_id)
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/active")
@roles_required("admin")
def set_active(user_id: int):
    """Administrators: deactivate an account (its sessions end, its tasks go back) or
    reactivate it."""
    _user(user_id)
    active = request.form.get("active", "")
    if active not in ("0", "1"):
        params.bad_request(_("参数 {name} 的值无效。", name="active"))
    try:
        with db.write() as s:
            given_back = accounts.set_active(s, s.get(User, user_id), active == "1",
                                             actor=current_user.username, now=db.now())
    except OrganisationError as err:
        flash(label(err.problems.get("active", str(err))), "error")
        return redirect(url_for("people.users_one", record_id=user_id))
    if active == "1":
        flash(_("账号已启用。"), "success")
    else:
        flash(_("账号已停用；{count} 个任务已退回。", count=len(given_back)), "success")
    return redirect(url_for("people.users_one", record_id=user_id))


@bp.post("/users/<int:user_id>/reset")
@roles_required("admin")
def reset_password(user_id: int):
    """Administrators: make the password unusable and show a new one-time link."""
    if not _user(user_id).active:
        params.bad_request(_("账号已停用，不能重置密码。"))
    with db.write() as s:
        token = password_links.issue(s, s.get(User, user_id), actor=current_user.username,
                                     now=db.now(), reset=True)
    return show_link(user_id, token)
