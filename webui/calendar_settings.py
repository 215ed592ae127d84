"""Time limits and the calendar (时限与日历), for administrators: the time limits deadlines are
counted in (`workflows.settings`) and the holidays and adjusted working days entered over the
calendar package (`workflows.calendar_days`), with the missing-year warning and how to clear it.
`jianyi settings` and `jianyi calendar` call the same functions; every change is audited."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflows import calendar, calendar_days, settings

from . import db
from .auth import roles_required
from .i18n import gettext as _
from .i18n import label

bp = Blueprint("calendar_settings", __name__, url_prefix="/admin/settings")
TYPED_LIMIT = 16  # longer than any value a field can take; more is cut before it is shown


def limit_names() -> dict[str, tuple[str, str]]:
    """Each setting's name and unit in the reader's language."""
    return {
        "return_window_workdays": (_("申请退回期限"), _("个工作日（自交办起）")),
        "reply_months": (_("答复期限"), _("个月（自交办起）")),
        "extended_reply_months": (_("延期后答复期限"), _("个月（自交办起）")),
        "co_opinion_months": (_("会办意见期限"), _("个月（自交办起）")),
        "rehandle_months": (_("重新办理答复期限"), _("个月（自不满意反馈起）")),
        "reminder_days_before": (_("期限前提醒"), _("天（日历日）")),
        "long_overdue_workdays": (_("超期提请高位协调"), _("个工作日")),
        "midyear_report_date": (_("年中进展报告日期"), _("月日（如 630 为6月30日）")),
        "november_report_date": (_("11月进展报告日期"), _("月日（如 1130 为11月30日）")),
    }


def _page(typed=None, errors=None, day_typed=None, day_errors=None, status: int = 200):
    s = db.session()
    now = db.now()
    missing = calendar.missing_years(s, now)
    this_year = now.astimezone(calendar.CHINA).year
    known = [y for y in range(this_year - 1, this_year + 3) if calendar.known_to_package(y)]
    return render_template(
        "admin/calendar_settings.html", values=settings.all_settings(s),
        defaults=settings.DEFAULTS, bounds=settings.BOUNDS, names=limit_names(),
        typed=typed or {}, errors=errors or {}, day_typed=day_typed or {},
        day_errors=day_errors or {}, missing=missing, known=known,
        years=calendar_days.entered(s), max_span=calendar_days.MAX_SPAN,
        deadline_years=calendar.deadline_years(s, now)), status


@bp.get("")
@roles_required("admin")
def page():
    """The time limits form, the missing-year warning, the entered days and the form to add."""
    return _page()


@bp.post("/limits")
@roles_required("admin")
def limits():
    """Change the time limits: every field checked, none stored unless all are right."""
    typed = {key: request.form.get(key, "")[:TYPED_LIMIT] for key in settings.DEFAULTS}
    values, errors = {}, {}
    for key, raw in typed.items():
        raw = raw.strip()
        if not (raw.isascii() and raw.isdigit()):  # "１２", "1e3", "-1", "" are not numbers here
            errors[key] = _("请输入正整数。")
        else:
            values[key] = int(raw)
    if not errors:
        try:
            with db.write() as s:
                changes = settings.change(s, values, actor=current_user.username, now=db.now())
        except settings.SettingsError as err:
            errors = {k: label(v) for k, v in err.problems.items()}
    if errors:
        return _page(typed=typed, errors=errors, status=400)
    flash(_("已保存 {n} 项时限。", n=len(changes)) if changes else _("时限没有改动。"), "success")
    return redirect(url_for("calendar_settings.page"))


@bp.post("/days")
@roles_required("admin")
def add_days():
    """Enter holidays or adjusted working days (one day or a range)."""
    typed = {"first": request.form.get("first", "")[:TYPED_LIMIT],
             "last": request.form.get("last", "")[:TYPED_LIMIT],
             "kind": request.form.get("kind", "")[:TYPED_LIMIT],
             "note": request.form.get("note", "")[:calendar_days.NOTE_LIMIT + 1]}
    try:
        entry = calendar_days.check(typed["first"], typed["last"], typed["kind"], typed["note"])
        with db.write() as s:
            days = calendar_days.enter(s, entry, actor=current_user.username, now=db.now())
    except calendar_days.CalendarError as err:
        return _page(day_typed=typed, day_errors={k: label(v) for k, v in err.problems.items()},
                     status=400)
    flash(_("已录入 {n} 天。", n=len(days)), "success")
    return redirect(url_for("calendar_settings.page") + "#calendar")


@bp.post("/days/remove")
@roles_required("admin")
def remove_day():
    """Forget an entered day."""
    day = calendar_days.parse_day(request.form.get("day", "")[:TYPED_LIMIT])
    try:
        if day is None:
            raise calendar_days.CalendarError({"day": calendar_days.BAD_DAY})
        with db.write() as s:
            calendar_days.remove(s, day, actor=current_user.username, now=db.now())
    except calendar_days.CalendarError as err:
        return _page(day_errors={k: label(v) for k, v in err.problems.items()}, status=400)
    flash(_("已删除 {day}。", day=day.isoformat()), "success")
    return redirect(url_for("calendar_settings.page") + "#calendar")
