"""In-app notifications (通知)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from models import Notification
from workflows import notifications

from . import db, params
from .auth import local_target

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_count():
    if not current_user.is_authenticated:
        return {}
    count = db.session().scalar(select(func.count()).select_from(Notification).where(
        Notification.username == current_user.username, Notification.read_at.is_(None)))
    return {"unread_notifications": count}


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
