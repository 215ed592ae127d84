"""Simplified Chinese by default, English on request (语言切换).

Source strings are the Chinese texts; `translations/en.json` maps each to English. Form titles in
the BPMN forms are written "中文 (English)" and shown by locale with `label`. Steps and lanes are
named by `step_name` / `lane_name` (the catalogues' "step:<id>" / "lane:<name>" entries).
"""
from __future__ import annotations

from flask import Flask, g, redirect, request, url_for
from markupsafe import Markup

from models import vocabulary
from workflows import labels

LOCALES = ("zh", "en")
CATALOG: dict[str, dict[str, str]] = {
    "en": labels.catalogue("en"),  # the one reading of the file, shared with the step names
}


def locale() -> str:
    """The request's language: the `lang` cookie, else Chinese."""
    if "locale" not in g:
        chosen = request.cookies.get("lang", "zh") if request else "zh"
        g.locale = chosen if chosen in LOCALES else "zh"
    return g.locale


def gettext(text: str, **values) -> str:
    """Translate a Chinese source string for the current locale, then fill {placeholders}."""
    lang = locale()
    out = CATALOG[lang].get(text, text) if lang != "zh" else text
    return out.format(**values) if values else out


def label(text: str | None) -> str:
    """A bilingual title "中文 (English)" shown in the current language."""
    zh, en = labels.split(text)
    return en if locale() == "en" else zh


def step_name(bpmn_id: str | None, name: str | None = None, process_id: str | None = None) -> str:
    """A step (or process, event, gateway) in the current language: every page names steps
    through this (`workflows.labels.step`: the BPMN name, the catalogue's English by id)."""
    return _pick(labels.step(bpmn_id, name, process_id))


def lane_name(name: str | None) -> str:
    """A lane (an identifier lane rules key on) as the reader's language shows it."""
    return _pick(labels.lane(name))


def diagram_labels(files: dict[str, str]) -> dict[str, dict[str, str]]:
    """File -> element id -> label, for the diagram viewer to draw in the reader's language."""
    return {name: labels.diagram(xml, locale() == "en") for name, xml in files.items()}


def notice(notification) -> str:
    """A notification's text in the current language (older ones have only the Chinese)."""
    if locale() == "en" and notification.message_en:
        return notification.message_en
    return notification.message


# Codes stored in the database (roles, statuses, modes, ...) shown in either language: read
# from the one vocabulary (models.vocabulary); a code two lists share has the same labels in both.
TERMS: dict[str, tuple[str, str]] = {}
for _list in vocabulary.ALL:
    for _term in _list:
        TERMS.setdefault(_term.code, _term.pair)
ACTIONS = {"start": ("登记建议，进入交办", "registered the suggestion"),
           "case_completed": ("建议办结", "case closed"),
           "case_cancelled": ("终止本案", "ended the case"), "timer_fired": ("期限到达", "deadline reached"),
           "claim": ("认领任务", "claimed the task"), "release": ("退回队列", "released the task"),
           "hand_over": ("转交任务", "handed the task over"), "complete": ("完成", "completed"),
           "progress_report_sent": ("进展报告已送督办领导",
                                    "sent the progress report to the supervising leader"),
           "supervision_activity": ("记录专门委员会督办活动",
                                    "recorded a committee's supervision activity")}
DECISIONS = {"send_back": ("（退回修改）", " (sent back)"), "request_return": ("（申请退回）", " (asked to return)"),
             "request_extension": ("（申请延期）", " (asked for an extension)"),
             "request_coordination": ("（提请高位协调）", " (asked for coordination)"),
             "reassign": ("（同意退回，改交）", " (reassigned)"), "refuse": ("（不同意）", " (refused)"),
             "dissatisfied": ("（不满意）", " (dissatisfied)")}


def _pick(pair: tuple[str, str]) -> str:
    return pair[1] if locale() == "en" else pair[0]


def term(code: str | None) -> str:
    """A stored code (role, status, mode, ...) in the current language."""
    if not code:
        return ""
    pair = TERMS.get(code)
    return _pick(pair) if pair else code


def role_name(code: str | None) -> str:
    """A role's name in the current language: the built-in roles' from `TERMS`, the ones an
    administrator added from the `role` table (read once per request, only when needed)."""
    if not code:
        return ""
    if code in TERMS:
        return _pick(TERMS[code])
    from flask import g

    from workflows.roles import names

    from . import db
    if "role_names" not in g:
        g.role_names = names(db.session())
    pair = g.role_names.get(code)
    return _pick(pair) if pair else code


# The kinds of lane rule (workflows.lanes.KINDS).
KINDS = {"role": ("角色（任意单位）", "Role (any unit)"),
         "unit_role": ("单位中的角色", "Role in the unit at a data path"),
         "person": ("指定人员（数据路径中的用户名）", "Person named at a data path"),
         "initiator": ("发起人", "Whoever started the case"),
         "lead_deputy": ("领衔代表（无账号时由代表工委代录）",
                         "The lead deputy (the commission records it without an account)")}


def kind_name(kind: str) -> str:
    return _pick(KINDS[kind]) if kind in KINDS else kind


# A case of another process than the suggestion's (its steps named by its own BPMN).
CASE_ACTIONS = {"start": ("新建案件", "started the case"),
                "case_completed": ("案件办结", "case completed")}


def timeline_text(entry, names: dict[str, str], suggestion: bool = False) -> str:
    """One audit entry as a sentence; `names` is BPMN id -> name of the case's process
    (`workflows.instances.step_names`); a suggestion's case words its start and end its own way."""
    step = step_name(entry.step, names.get(entry.step)) if entry.step else ""
    decision = _pick(DECISIONS[entry.decision]) if entry.decision in DECISIONS else ""
    if entry.action == "complete":
        return (f"completed “{step}”" if locale() == "en" else f"完成「{step}」") + decision
    actions = ACTIONS if suggestion else {**ACTIONS, **CASE_ACTIONS}
    text = _pick(actions[entry.action]) if entry.action in actions else entry.action
    return f"{text}: {step}" if step and locale() == "en" else (f"{text}：{step}" if step else text)


def colon() -> str:
    """The colon after a label: full width in Chinese, ": " in English."""
    return ": " if locale() == "en" else "："


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=gettext, label=label, notice=notice, locale=locale, term=term,
                                 colon=colon,
                                 timeline_text=timeline_text, role_name=role_name,
                                 kind_name=kind_name, step_name=step_name,
                                 lane_name=lane_name, diagram_labels=diagram_labels)

    @app.get("/lang/<code>")
    def set_language(code: str):
        """Anyone: switch the interface language (a cookie) and go back to the page."""
        target = request.referrer or url_for("inbox.index")
        if not target.startswith(request.host_url):
            target = url_for("inbox.index")
        response = redirect(target)
        if code in LOCALES:
            response.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax",
                                httponly=True, secure=app.config["SESSION_COOKIE_SECURE"])
        return response

    app.jinja_env.filters["nl2br"] = lambda text: Markup("<br>").join(
        (text or "").split("\n"))
