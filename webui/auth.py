"""Login, logout, password change, sessions that end; lockout after repeated failures; role
checks; the one check of where `next` may lead."""
from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from urllib.parse import quote, unquote, urlsplit

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   session as cookie, url_for)
from flask_login import (LoginManager, UserMixin, current_user, login_required, login_user,
                         logout_user)
from sqlalchemy import bindparam, func, select

from models import LoginSession, Notification, Unit, User
from workflows import saved_filters, starting, substitution, users

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
    """The logged-in user of this request, through one of their login sessions.

    Every request needs who is asking (role, unit, name), so those columns are read with one
    Core statement together with the session; the ORM `User` row (`row`) is loaded only when a
    view asks for it.
    """

    def __init__(self, found, token: str):
        self.id = str(found.id)
        self.token, self.session_id = token, found.session_id
        self.username, self.name, self.role, self.active = (
            found.username, found.name, found.role, found.active)
        self.unit_id, self.division_id, self.deputy_id = (
            found.unit_id, found.division_id, found.deputy_id)
        self.must_change_password = found.must_change_password
        self.unit = UnitRef(found.unit_id, found.unit_code, found.unit_name) \
            if found.unit_id is not None else None
        self.unread_notifications = found.unread
        self.may_start_other = found.may_start_other
        self.has_saved_filters = found.has_saved_filters
        self._row: User | None = None
        # 代理 is rare: when the statement found nobody this user stands in for, nobody is asked
        self._substituting = None if found.substitutes else ()

    @property
    def substituting(self):
        """The absent colleagues this user stands in for today (代理; read once a request, and
        only by pages that ask who may do a task)."""
        if self._substituting is None:
            self._substituting = substitution.standing_in_for(
                db.session(), self.username, substitution.today(db.now()))
        return self._substituting

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the session's token, not the user's id, so
        that ending the session on the server ends every copy of the cookie."""
        return self.token

    @property
    def row(self) -> User:
        if self._row is None:
            self._row = db.session().get(User, int(self.id))
        return self._row

    def __getattr__(self, name):  # any other column: from the ORM row
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.row, name)


# Built once: every request loads its user, with the session that lets it in, in one statement,
# which also counts their unread notifications (the header's badge, up to UNREAD_SHOWN + 1)
# and says whether they stand in for anyone on day `today` (代理) and whether they may start a
# process other than those with an entry of their own in the header (新建案件 is not shown for
# those alone, or a deputy would see two links that start the same thing), and whether they have
# saved an inbox filter (保存的筛选).
OWN_ENTRY = ("suggestion", "intake")  # 登记建议, 提出建议
UNREAD_SHOWN = 99
_UNREAD = select(func.count()).select_from(
    select(Notification.id).where(Notification.username == User.username,
                                  Notification.read_at.is_(None))
    # in the order of ix_notification_inbox: PostgreSQL's plan, made once for every user, then
    # reads an index range, not the table until it has found enough
    .order_by(Notification.username, Notification.read_at, Notification.id)
    .correlate(User).limit(UNREAD_SHOWN + 1).subquery()).scalar_subquery()
_ACTIVE_USER = (select(User.id, User.username, User.name, User.role, User.active, User.unit_id,
                       User.division_id, User.deputy_id, User.must_change_password,
                       Unit.code.label("unit_code"),
                       Unit.name.label("unit_name"), LoginSession.id.label("session_id"),
                       LoginSession.last_seen_at, _UNREAD.label("unread"),
                       substitution.standing_in_on(User.id, bindparam("today"))
                       .label("substitutes"),
                       starting.may_start_other(User.role, OWN_ENTRY).label("may_start_other"),
                       saved_filters.has_any(User.id).label("has_saved_filters"))
                .join_from(LoginSession, User, LoginSession.user_id == User.id)
                .outerjoin(Unit, User.unit_id == Unit.id)
                .where(LoginSession.token_hash == bindparam("token_hash"),
                       LoginSession.last_seen_at > bindparam("idle_since"),
                       LoginSession.created_at > bindparam("born_since"),
                       User.active.is_(True)))


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _seen_every() -> timedelta:
    """How stale `last_seen_at` may get before a request moves it on: a write every few
    minutes per session, not one per request (the idle limit is kept to within this)."""
    return min(timedelta(minutes=5), _idle_limit() / 10)


@login_manager.user_loader
def load_user(token: str):
    now = db.now()
    found = db.session().connection().execute(_ACTIVE_USER, {
        "token_hash": users.token_hash(token), "today": substitution.today(now),
        "idle_since": now - _idle_limit(),
        "born_since": now - current_app.config["PERMANENT_SESSION_LIFETIME"]}).first()
    if found is None:  # logged out, ended by a password change, idle, too old, or deactivated
        return None
    if found.last_seen_at < now - _seen_every():
        g.login_session_seen = found.session_id  # written after the view (see _note_activity)
    return CurrentUser(found, token)


@bp.after_app_request
def _note_activity(response):
    """Move the session's idle clock on, outside any write block of the view."""
    session_id = g.pop("login_session_seen", None)
    if session_id is not None:
        with db.write() as s:
            users.seen(s, session_id, db.now())
    return response


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
    """Sign-in page and its post, for anyone; failures count towards account and address locks."""
    if request.method == "GET":
        return render_template("auth/login.html")
    username = request.form.get("username", "").strip()
    now = db.now()
    with db.write() as s:
        user, problem = users.authenticate(
            s, username, request.form.get("password", ""), now,
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            address=request.remote_addr,
            max_address_failures=current_app.config["LOGIN_MAX_ADDRESS_FAILURES"])
        token = users.start_session(s, user, now, request.remote_addr) if user else None
    if problem == "address_blocked":
        return render_template("auth/login.html", username=username, error=_(
            "此地址登录失败次数过多，请稍后再试。")), 429
    if token is None:
        # The same answer whether or not the name is an account (see users.authenticate).
        error = _("登录失败次数过多，账户已锁定，请稍后再试。") if problem == "locked" \
            else _("用户名或密码错误。")
        return render_template("auth/login.html", error=error, username=username), 401
    cookie.clear()
    login_user(load_user(token))
    cookie.permanent = True
    return redirect(local_target(request.args.get("next"), url_for("inbox.index")))


# ---- where `next` may lead ----
# Characters a local target may carry as they are, beside letters and digits: RFC 3986's path,
# query and fragment characters. Others (a space, Chinese text) are percent-encoded.
_URL_CHARACTERS = "/?#[]@!$&'()*+,;=:-._~%"
# Unicode categories no target may hold, as given or decoded: controls (tab, CR, LF and NUL,
# which browsers drop or choke on), format characters (bidi overrides, zero-width), line and
# paragraph separators, surrogates, private use, unassigned.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
_MAX_TARGET = 2048
_DECODINGS = 3  # a target still changing after this many percent-decodings is refused


def local_target(target: str | None, fallback: str) -> str:
    """`target` if a browser would take it to a page of this site, else `fallback`: the one
    check for every `next` parameter.

    Browsers drop tabs and newlines anywhere in a URL, trim spaces and controls at its ends,
    read a backslash as a slash, and take `//host` as another site. Rather than predict what a
    browser makes of such a target, any target it would alter is refused: it must begin with
    exactly one `/`, hold no control, format or separator character, no backslash and no
    surrounding whitespace, and stay so when percent-decoded (a proxy or the next hop may
    decode it again; one still changing after three decodings is refused). What passes is
    sent percent-encoded as ASCII.
    """
    if not isinstance(target, str) or not target or len(target) > _MAX_TARGET:
        return fallback
    text = target
    for _ in range(_DECODINGS):
        if not _stays_here(text):
            return fallback
        decoded = unquote(text)
        if decoded == text:
            return quote(target, safe=_URL_CHARACTERS)
        text = decoded
    return fallback


def _stays_here(text: str) -> bool:
    """One spelling of a target: a path of this site that no browser would read otherwise."""
    if not text.startswith("/") or text.startswith("//") or text != text.strip():
        return False
    if "\\" in text or any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


@bp.post("/logout")
@login_required
def logout():
    """Any signed-in user: end this login session (its row too) and clear the cookie."""
    with db.write() as s:
        users.end_session(s, current_user.session_id, current_user.username, db.now())
    logout_user()
    cookie.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Any signed-in user: change their own password; their other sessions end."""
    if request.method == "GET":
        return render_template("auth/password.html", errors={})
    with db.write() as s:
        errors = users.change_password(
            s, me(s), request.form.get("current", ""), request.form.get("new", ""),
            request.form.get("confirm", ""), db.now(), keep_session=current_user.session_id)
        if errors:
            s.rollback()
    if errors:
        return render_template("auth/password.html", errors=errors), 400
    flash(_("密码已修改，其他已登录的会话均已退出。"), "success")
    return redirect(url_for("inbox.index"))


def init_app(app) -> None:
    # Minutes without a request after which a login session ends (besides the absolute
    # PERMANENT_SESSION_LIFETIME); at most a day, when housekeeping drops idle sessions.
    app.config.setdefault("SESSION_IDLE_MINUTES",
                          int(os.environ.get("JIANYI_SESSION_IDLE_MINUTES", "120")))
    login_manager.init_app(app)
    app.register_blueprint(bp)
