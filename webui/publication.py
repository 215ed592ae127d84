"""办理结果公开 (review): the commission's queue of replies marked for publication, and the page
where it masks personal data and publishes, withholds or withdraws one. Commission only."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.text import LONG_TEXT, NOTE
from workflows import publication
from workflows.errors import DomainError

from . import db, params
from .auth import roles_required
from .i18n import gettext as _

bp = Blueprint("publication", __name__, url_prefix="/publication")
DECISIONS = ("approve", "withhold", "withdraw")


@bp.get("")
@roles_required("commission")
def queue():
    """The replies waiting for review, and the latest decisions."""
    s = db.session()
    return render_template("publication/queue.html", waiting=publication.queue(s),
                           decided=publication.decided(s))


def _review(reply_id: int):
    try:
        return publication.review(db.session(), params.row_id(reply_id))
    except DomainError:
        abort(404)  # no such reply, or one its unit did not mark for publication


def _page(reply_id: int, typed=None, error: str | None = None, status: int = 200):
    data = _review(reply_id)
    typed = typed or {}
    return render_template(
        "publication/review.html", data=data, error=error,
        choice_of={c.finding.text: c.index for c in data.choices},
        ticked=typed.get("ticked", {c.index for c in data.choices}),
        public_text=typed.get("public_text", data.reply.answer_text),
        reason=typed.get("reason", ""), decision=typed.get("decision")), status


@bp.get("/replies/<int:reply_id>")
@roles_required("commission")
def review(reply_id: int):
    """One reply: the original text with what was found marked, and the decisions."""
    return _page(reply_id)


@bp.post("/replies/<int:reply_id>")
@roles_required("commission")
def decide(reply_id: int):
    """Publish (with the ticked findings masked), withhold or withdraw, with a reason."""
    data = _review(reply_id)
    decision = params.code(request.form, "decision", DECISIONS)
    if not decision:  # a form posted without its button decides nothing
        params.bad_request(_("参数 {name} 的值无效。", name="decision"))
    ticked = {int(v) for v in request.form.getlist("mask")
              if v.isascii() and v.isdigit() and int(v) < len(data.choices)}
    typed = {"ticked": ticked, "decision": decision,
             "public_text": request.form.get("public_text", "")[:LONG_TEXT + 1],
             "reason": request.form.get("reason", "")[:NOTE + 1]}
    actions = {
        "approve": lambda s: publication.approve(
            s, data.reply.id, ticked, typed["public_text"], actor=current_user.username,
            now=db.now()),
        "withhold": lambda s: publication.withhold(
            s, data.reply.id, typed["reason"], actor=current_user.username, now=db.now()),
        "withdraw": lambda s: publication.withdraw(
            s, data.reply.id, typed["reason"], actor=current_user.username, now=db.now()),
    }
    try:
        with db.write() as s:
            actions[decision](s)
    except DomainError as err:
        return _page(reply_id, typed, str(err), 400)
    flash({"approve": _("答复已公开。"), "withhold": _("已决定不予公开。"),
           "withdraw": _("已撤回公开。")}[decision], "success")
    return redirect(url_for("publication.queue"))
