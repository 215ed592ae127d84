"""`jianyi calendar` and `jianyi settings`: the working-day calendar and the time limits that
deadlines are counted in."""
from __future__ import annotations

import click
from sqlalchemy import select

from models import CalendarDay, text
from workflows import settings

from .. import create_app
from .common import cli_english, warn_calendar


@click.group("calendar")
def calendar_group() -> None:
    """Holidays and adjusted working days (overrides the chinese-calendar package)."""


@calendar_group.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--holiday/--workday", "holiday", required=True)
@click.option("--note", default=None)
def calendar_set(day, holiday: bool, note: str | None) -> None:
    """Declare DAY a public holiday or an adjusted working day (调休)."""
    if note is not None and (reason := text.problem(
            text.clean(note), limit=text.limit_of(CalendarDay.note), required=False)):
        raise click.BadParameter(reason, param_hint="--note")
    app = create_app()
    with app.extensions["db"].write() as session:
        session.merge(CalendarDay(day=day.date(), is_workday=not holiday, note=note))
    click.echo(f"{day.date()} is now a {'holiday' if holiday else 'working day'}")
    with app.extensions["db"].session() as session:
        warn_calendar(session)


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
def settings_set(key: str, value: int) -> None:
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            settings.set_value(session, key, value)
    except (KeyError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{key} = {value}")
