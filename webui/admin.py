"""Administration (管理): roles — the built-in ones and roles an administrator adds — and which
role a user has. Administrators only; every change audited."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models import User
from workflows import roles
from workflows.users import by_username

from . import db
from .auth import roles_required
from .i18n import gettext as _

bp = Blueprint("admin", __name__, url_prefix="/admin")

def _field(name: str, limit: int) -> str:
    value = request.form.get(name, "")
    return value[:limit]

def _page(typed=None, errors=None, user_typed=None, user_errors=None, status: int = 200):
    s = db.session()
    users = s.execute(select(User.username, User.name, User.role).order_by(User.username)
                      .limit(1000)).all()
    return render_template("admin/roles.html", roles=roles.all_roles(s), users=users,
                           typed=typed or {}, errors=errors or {}, user_typed=user_typed or {},
                           user_errors=user_errors or {}), status

@bp.get("/roles")
@roles_required("admin")
def roles_page():
    """Every role with its names; a form to add one and a form to give a user a role."""
    return _page()

@bp.post("/roles")
@roles_required("admin")
def add_role():
    """Add a role (code allow-listed, Chinese and English names)."""
    typed = {"code": _field("code", 32), "name_zh": _field("name_zh", 64),
             "name_en": _field("name_en", 64)}
    try:
        with db.write() as s:
            roles.add_role(s, typed["code"], typed["name_zh"], typed["name_en"],
                           actor=current_user.username, now=db.now())
    except roles.RoleError as err:
        return _page(typed=typed, errors=err.problems, status=400)
    flash(_("已添加角色“{name}”。", name=typed["name_zh"]), "success")
    return redirect(url_for("admin.roles_page"))

@bp.post("/roles/user")
@roles_required("admin")
def set_user_role():
    """Give a user another role."""
    typed = {"username": _field("username", 64), "role": _field("role", 32)}
    with db.write() as s:
        user = by_username(s, typed["username"])
        if user is None:
            problems = {"username": "没有这个用户 (no such user)"}
        else:
            try:
                roles.set_user_role(s, user, typed["role"], actor=current_user.username,
                                    now=db.now())
                problems = {}
            except roles.RoleError as err:
                problems = err.problems
    if problems:
        return _page(user_typed=typed, user_errors=problems, status=400)
    flash(_("已将用户 {user} 的角色改为“{role}”。", user=typed["username"],
            role=typed["role"]), "success")
    return redirect(url_for("admin.roles_page"))
