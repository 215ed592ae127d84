"""In-app notifications (通知)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from models import Notification
from workflows import notifications

from . import db, params
from .auth import UNREAD_SHOWN, local_target

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_count():
    """The header's badge: counted with the request's user (`auth.load_user`), "99+" beyond."""
    if not current_user.is_authenticated:
        return {}
    count = current_user.unread_notifications
    return {"unread_notifications": f"{UNREAD_SHOWN}+" if count > UNREAD_SHOWN else count}


@bp.get("/notifications")
@login_required
def index():
    """Any signed-in user: their latest 100 notifications."""
    rows = db.session().scalars(select(Notification).where(
        Notification.username == current_user.username)
        .order_by(Notification.id.desc()).limit(100)).all()
    return render_template("notifications/index.html", rows=rows)


@bp.post("/notifications/read")
@login_required
def mark_read():
    """Any signed-in user: mark one (or all) of their notifications read."""
    notification_id = params.integer(request.form, "id")
    with db.write() as s:
        notifications.mark_read(s, current_user.username, db.now(), notification_id)
    return redirect(local_target(request.form.get("next"), url_for("notifications.index")))
