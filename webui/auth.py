"""Login, logout, password change; lockout after repeated failures; role checks."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session as cookie, url_for)
from flask_login import (LoginManager, UserMixin, current_user, login_required, login_user,
                         logout_user)
from sqlalchemy import bindparam, select
from models import Unit, User
from workflows.users import authenticate, change_password

from . import db
from .i18n import gettext as _

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


@dataclass(frozen=True)
class UnitRef:
    """The current user's unit as pages show it."""

    id: int
    code: str
    name: str


class CurrentUser(UserMixin):
    """The logged-in user of this request.

    Every request needs who is asking (role, unit, name), so those columns are read with one
    Core statement; the ORM `User` row (`row`) is loaded only when a view asks for it.
    """

    def __init__(self, found):
        self.id = str(found.id)  # Flask-Login's identifier is a string
        self.username, self.name, self.role, self.active = (
            found.username, found.name, found.role, found.active)
        self.unit_id, self.division_id, self.deputy_id = (
            found.unit_id, found.division_id, found.deputy_id)
        self.unit = UnitRef(found.unit_id, found.unit_code, found.unit_name) \
            if found.unit_id is not None else None
        self._row: User | None = None

    @property
    def row(self) -> User:
        if self._row is None:
            self._row = db.session().get(User, int(self.id))
        return self._row

    def __getattr__(self, name):  # any other column: from the ORM row
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.row, name)


# Built once: every request loads its user.
_ACTIVE_USER = (select(User.id, User.username, User.name, User.role, User.active, User.unit_id,
                       User.division_id, User.deputy_id, Unit.code.label("unit_code"),
                       Unit.name.label("unit_name"))
                .outerjoin(Unit, User.unit_id == Unit.id)
                .where(User.id == bindparam("user_id"), User.active.is_(True)))


@login_manager.user_loader
def load_user(user_id: str):
    found = db.session().connection().execute(_ACTIVE_USER, {"user_id": int(user_id)}).first()
    return CurrentUser(found) if found is not None else None


def who() -> CurrentUser:
    """The request's user itself, not the proxy (cheaper to pass down a hot path)."""
    return current_user._get_current_object()


def me(session) -> User:
    """The current user's row in `session` (e.g. a write transaction)."""
    return session.get(User, int(current_user.id))


def roles_required(*roles: str):
    """Only these roles may use the view (403 otherwise)."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("auth/login.html")
    username = request.form.get("username", "").strip()
    with db.write() as s:
        user, problem = authenticate(
            s, username, request.form.get("password", ""), db.now(),
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            address=request.remote_addr,
            max_address_failures=current_app.config["LOGIN_MAX_ADDRESS_FAILURES"])
        user_id = user.id if user is not None else None
    if problem == "address_blocked":
        return render_template("auth/login.html", username=username, error=_(
            "此地址登录失败次数过多，请稍后再试。")), 429
    if user_id is None:
        error = _("登录失败次数过多，账户已锁定，请稍后再试。") if problem == "locked" \
            else _("用户名或密码错误。")
        return render_template("auth/login.html", error=error, username=username), 401
    cookie.clear()
    login_user(load_user(str(user_id)))
    cookie.permanent = True
    return redirect(local_target(request.args.get("next"), url_for("inbox.index")))


def local_target(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback`: a `next` parameter never sends
    anyone to another site (`//host` and `/\\host` are other sites to a browser)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return fallback


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    cookie.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    if request.method == "GET":
        return render_template("auth/password.html", errors={})
    with db.write() as s:
        errors = change_password(s, me(s), request.form.get("current", ""),
                                 request.form.get("new", ""), request.form.get("confirm", ""),
                                 db.now())
        if errors:
            s.rollback()
    if errors:
        return render_template("auth/password.html", errors=errors), 400
    flash(_("密码已修改。"), "success")
    return redirect(url_for("inbox.index"))


def init_app(app) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
