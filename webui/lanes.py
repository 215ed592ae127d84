"""Process settings (流程设置, `/designer/lanes`): per process, who does each lane's tasks (lane
rules) and who may start it. Designers and administrators only; every change audited."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models import LaneRule
from workflows import lanes, roles, starting
from workflows.errors import DomainError

from . import db, params
from .auth import roles_required
from .i18n import gettext as _

bp = Blueprint("lanes", __name__, url_prefix="/designer/lanes")
DESIGNERS = ("designer", "admin")
FIELDS = ("process_id", "lane", "kind", "role", "path")


def _text(source, name: str, limit: int) -> str:
    """A field as typed (for the form kept on error); the rule checks say what is wrong."""
    value = source.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _typed(source) -> dict[str, str]:
    return {"process_id": _text(source, "process_id", 128), "lane": _text(source, "lane", 255),
            "kind": _text(source, "kind", 16), "role": _text(source, "role", 32),
            "path": _text(source, "path", 128)}


def _page(typed: dict | None = None, errors: dict | None = None, status: int = 200):
    s = db.session()
    rules = s.scalars(select(LaneRule).order_by(LaneRule.process_id, LaneRule.lane)).all()
    processes = starting.newest_processes(s)
    deployed = lanes.deployed_lanes(s)
    ids = sorted(set(processes) | {r.process_id for r in rules})
    by_process = {pid: [r for r in rules if r.process_id == pid] for pid in ids}
    missing = {pid: sorted(deployed.get(pid, set()) - {r.lane for r in by_process[pid]})
               for pid in ids}
    return render_template("designer/lanes.html", processes=processes, ids=ids,
                           by_process=by_process, deployed=deployed, missing=missing,
                           allowed=starting.allowed_roles(s), roles=roles.all_roles(s),
                           kinds=lanes.KINDS, typed=typed or {}, errors=errors or {}), status


@bp.get("")
@roles_required(*DESIGNERS)
def index():
    """Every process with its lane rules and start permissions; forms to change them."""
    return _page()


@bp.post("/rules")
@roles_required(*DESIGNERS)
def set_rule():
    """Add or change a lane's rule (from the page); errors shown beside the fields."""
    typed = _typed(request.form)
    try:
        with db.write() as s:
            lanes.set_rule(s, **typed, actor=current_user.username, now=db.now())
    except lanes.RuleError as err:
        return _page(typed, err.problems, 400)
    flash(_("已保存泳道“{lane}”的分派规则。", lane=typed["lane"]), "success")
    return redirect(url_for("lanes.index") + f"#process-{typed['process_id']}")


@bp.post("/rules.json")
@roles_required(*DESIGNERS)
def set_rule_json():
    """Add a lane's rule from the designer's problem list (JSON in, JSON out)."""
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes
        payload = None
    typed = _typed(payload if isinstance(payload, dict) else {})
    try:
        with db.write() as s:
            lanes.set_rule(s, **typed, actor=current_user.username, now=db.now())
    except lanes.RuleError as err:
        return jsonify(ok=False, problems=err.problems), 400
    return jsonify(ok=True, message=_("已保存泳道“{lane}”的分派规则。", lane=typed["lane"]))


@bp.post("/rules/<int:rule_id>/delete")
@roles_required(*DESIGNERS)
def delete_rule(rule_id: int):
    """Delete a rule; refused while the newest version of its process has the lane."""
    rule_id = params.row_id(rule_id)
    try:
        with db.write() as s:
            lanes.delete_rule(s, rule_id, actor=current_user.username, now=db.now())
    except lanes.RuleError as err:
        flash(_("不能删除：") + "; ".join(err.problems.values()), "error")
        return redirect(url_for("lanes.index"))
    flash(_("已删除分派规则。"), "success")
    return redirect(url_for("lanes.index"))


@bp.post("/start")
@roles_required(*DESIGNERS)
def start_permission():
    """Allow (or, with action=deny, stop) a role to start a process."""
    process_id = params.code(request.form, "process_id")
    role = params.code(request.form, "role")
    change = starting.deny if request.form.get("action") == "deny" else starting.allow
    try:
        with db.write() as s:
            change(s, process_id, role, actor=current_user.username, now=db.now())
    except DomainError as err:
        flash(_("未保存：") + str(err), "error")
        return redirect(url_for("lanes.index"))
    flash(_("已保存发起权限。"), "success")
    return redirect(url_for("lanes.index") + f"#process-{process_id}")


@bp.app_context_processor
def _choices():
    """`lane_rule_choices()` for the editor's inline add-rule form (read only when called)."""
    def lane_rule_choices() -> dict:
        from .i18n import kind_name, locale
        pick = (lambda r: r.name_en) if locale() == "en" else (lambda r: r.name_zh)
        return {"url": url_for("lanes.set_rule_json"),
                "kinds": [[k, kind_name(k)] for k in lanes.KINDS],
                "roles": [[r.code, f"{pick(r)} ({r.code})"] for r in roles.all_roles(db.session())],
                "text": {"title": _("为此泳道添加分派规则"), "kind": _("规则"), "role": _("角色"),
                         "path": _("数据路径"), "pathHint": _("如 branch.unit"),
                         "save": _("添加规则并重新校验"), "none": _("（无）"),
                         "failed": _("未保存：")}}
    return {"lane_rule_choices": lane_rule_choices}
