"""Notification settings (通知设置): each signed-in user chooses their own e-mail address, the
language of the mail and which kinds of notification they receive by mail; administrators also
see the mails given up. There is no user in the URL: a page shows and changes only its reader's
settings."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from models.text import clean
from models.vocabulary import NOTIFICATION_KINDS
from workflows.mail import outbox, preferences

from . import db
from .auth import me
from .i18n import gettext as _

bp = Blueprint("mail_settings", __name__)


def _page(typed: preferences.Choices | None = None, errors: dict | None = None,
          status: int = 200):
    s = db.session()
    shown = typed or preferences.choices(s, me(s))
    admin = current_user.role == "admin"
    return render_template(
        "notifications/settings.html", choices=shown, errors=errors or {},
        kinds=NOTIFICATION_KINDS.codes, defaults=preferences.DEFAULT_KINDS,
        mail=current_app.config.get("MAIL"),
        counts=outbox.counts(s) if admin else None,
        failures=outbox.failures(s) if admin else [], ours=(outbox.INTERRUPTED, outbox.TOO_OLD)), status


@bp.get("/notifications/settings")
@login_required
def page():
    """Any signed-in user: their own mail settings (administrators: and the failed mails)."""
    return _page()


@bp.post("/notifications/settings")
@login_required
def save():
    """Any signed-in user: keep their own mail settings; what was typed stays on refusal."""
    # Kept as typed (cut to a little past the limit so that an over-long value is refused,
    # not silently shortened); a kind or language that cannot be kept is named in the errors.
    email = clean(request.form.get("email", ""))[:preferences.ADDRESS_MAX + 1]
    language = request.form.get("language", "zh")[:8]
    kinds = {k[:16] for k in request.form.getlist("kinds")[:len(NOTIFICATION_KINDS) + 1]}
    typed = preferences.Choices(email, language if language in preferences.LANGUAGES else "zh",
                                frozenset(kinds & set(NOTIFICATION_KINDS.codes)))
    try:
        with db.write() as s:
            preferences.save(s, me(s), email, language, kinds, actor=current_user.username,
                             now=db.now())
    except preferences.MailSettingsError as err:
        return _page(typed=typed, errors=err.problems, status=400)
    flash(_("通知设置已保存。"), "success")
    return redirect(url_for("mail_settings.page"))
