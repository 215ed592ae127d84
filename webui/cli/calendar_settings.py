"""`jianyi calendar` and `jianyi settings`: the working-day calendar and the time limits that
deadlines are counted in (the same checked, audited functions as the web page 时限与日历)."""
from __future__ import annotations

import os

import click
from sqlalchemy import select

from models import CalendarDay
from workflows import calendar_days, settings

from .. import create_app
from .common import cli_english, warn_calendar


@click.group("calendar")
def calendar_group() -> None:
    """Holidays and adjusted working days (overrides the chinese-calendar package)."""


def _actor_option(func):
    return click.option("--by", "actor", default=lambda: os.environ.get("USER", "admin"),
                        help="who makes the change (audit trail)")(func)


@calendar_group.command("set")
@click.argument("day")
@click.option("--to", "last", default="", help="last day of a range (YYYY-MM-DD)")
@click.option("--holiday/--workday", "holiday", required=True)
@click.option("--note", default=None)
@_actor_option
def calendar_set(day: str, last: str, holiday: bool, note: str | None, actor: str) -> None:
    """Declare DAY (YYYY-MM-DD, up to --to) a public holiday or an adjusted working day (调休)."""
    try:
        entry = calendar_days.check(day, last, "holiday" if holiday else "workday", note or "")
    except calendar_days.CalendarError as err:
        raise click.BadParameter(err.problems.popitem()[1]) from None
    app = create_app()
    with app.extensions["db"].write() as session:
        calendar_days.enter(session, entry, actor=actor, now=app.extensions["engine"].clock())
    shown = str(entry.first) if entry.first == entry.last else f"{entry.first}..{entry.last}"
    click.echo(f"{shown} is now a {'holiday' if holiday else 'working day'}")
    with app.extensions["db"].session() as session:
        warn_calendar(session)


@calendar_group.command("unset")
@click.argument("day")
@_actor_option
def calendar_unset(day: str, actor: str) -> None:
    """Forget an entered DAY (the package's calendar, or weekends, count again)."""
    parsed = calendar_days.parse_day(day)
    if parsed is None:
        raise click.BadParameter("YYYY-MM-DD", param_hint="DAY")
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            calendar_days.remove(session, parsed, actor=actor,
                                 now=app.extensions["engine"].clock())
    except calendar_days.CalendarError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{parsed} removed")


@calendar_group.command("show")
def calendar_show() -> None:
    """The entered holidays and adjusted working days, and the years still missing."""
    app = create_app()
    with app.extensions["db"].session() as session:
        for row in session.scalars(select(CalendarDay).order_by(CalendarDay.day)):
            click.echo(f"{row.day}  {'workday' if row.is_workday else 'holiday'}  {row.note or ''}"
                       .rstrip())
        if not warn_calendar(session):
            click.echo("the holidays of every year deadlines reach are known"
                       if cli_english() else "期限涉及的各年份节假日均已录入或已知")


@click.group("settings")
def settings_group() -> None:
    """Time limits (working days / months)."""


@settings_group.command("show")
def settings_show() -> None:
    app = create_app()
    with app.extensions["db"].session() as session:
        for key, value in settings.all_settings(session).items():
            click.echo(f"{key} = {value}")


@settings_group.command("set")
@click.argument("key")
@click.argument("value", type=int)
@_actor_option
def settings_set(key: str, value: int, actor: str) -> None:
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            settings.change(session, {key: value}, actor=actor,
                            now=app.extensions["engine"].clock())
    except settings.SettingsError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{key} = {value}")
