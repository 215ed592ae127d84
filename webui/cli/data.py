"""`jianyi demo`, `import`, `backup`, `restore`, `check` and `figures`: loading, saving and
checking the data.

The demo province and the assignment-table import are imported when their command runs: they
load the simulator and openpyxl, which would add a third to the start-up of every other command
(`jianyi --help` included).
"""
from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import inspect

from engine.consistency import check_audit, check_instances, check_versions
from models import CongressSession, Database
from models.backup import BackupError, backup, restore
from models.migrations import upgrade
from workflows.statistics import refresh_facts
from workflows.users import by_username

from workflows import congress_sessions

from .. import create_app
from .common import warn_calendar


@click.command("demo")
@click.option("--quiet", is_flag=True, help="only print the logins")
def demo(quiet: bool) -> None:
    """Load the demo province (once) and print the demo logins."""
    from workflows import demo as demo_data
    app = create_app()
    database: Database = app.extensions["db"]
    with database.write() as session:
        if demo_data.is_loaded(session):
            logins = demo_data.LOGINS
            if not quiet:
                click.echo("demo data already loaded")
        else:
            logins = demo_data.load(session)
            if not quiet:
                click.echo("demo province loaded")
    click.echo(f"Demo logins (password: {demo_data.DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.username:<14} {login.role:<18} {login.note}")


@click.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option("--session", "congress_session_id", type=int, default=None,
              help="congress session id (default: the newest)")
@click.option("--by", "username", default="commission", help="commission user who assigns")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), default=None,
              help="where to write the .xlsx error report if rows are refused")
@click.option("--dry-run", is_flag=True, help="only check: list what would be assigned")
def import_workbook(workbook: str, congress_session_id: int | None, username: str,
                    errors_path: str | None, dry_run: bool) -> None:
    """Register and assign every suggestion of an assignment table (.xlsx) in one batch (the
    web page 导入交办表 runs the same check and import)."""
    from workflows.assignment_table import check_table, error_report, import_assignments

    app = create_app()
    database: Database = app.extensions["db"]
    data = open(workbook, "rb").read()
    with database.write() as session:
        query = congress_sessions.newest_first_query()
        if congress_session_id is not None:
            query = query.where(CongressSession.id == congress_session_id)
        congress = session.scalars(query).first()
        user = by_username(session, username)
        if congress is None or user is None or user.role != "commission":
            raise click.ClickException("need a congress session and a commission user")
        if dry_run:
            rows, errors = check_table(session, data, congress)
            suggestions = rows
        else:
            with click.progressbar(length=1, label="registering and assigning") as bar:
                def progress(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - bar.pos)
                outcome = import_assignments(session, app.extensions["engine"], data,
                                             congress, user, progress)
            errors, suggestions = outcome.errors, outcome.suggestions
        if errors:
            session.rollback()
            for error in errors:
                click.echo(f"  row {error.row}  {error.column}  {error.value!r}: {error.message}",
                           err=True)
            if errors_path:
                open(errors_path, "wb").write(error_report(errors))
            raise click.ClickException(f"{len(errors)} problem(s); nothing was imported")
    if dry_run:
        for row in rows:
            units = " ".join([row.lead_unit, *(f"+{c}" for c in row.co_units)])
            click.echo(f"  row {row.row}  no. {row.number}  {row.mode}  {units}  {row.title}")
        click.echo(f"{len(rows)} suggestions would be imported (nothing was written)")
        return
    click.echo(f"imported {len(suggestions)} suggestions")
    with database.session() as session:
        warn_calendar(session)


def _table_rows(table: str, rows: int) -> None:
    """Progress of backup and restore: one line per table."""
    click.echo(f"  {table:<22} {rows:>9} rows")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file: str) -> None:
    """Write every table and every attachment into one .zip (restorable on SQLite or PostgreSQL)."""
    app = create_app()
    counts = backup(app.extensions["db"], file, Path(app.config["ATTACHMENTS_DIR"]),
                    progress=_table_rows)
    click.echo(f"backed up {sum(counts.values())} rows of {len(counts)} tables to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="delete every row of a non-empty database first")
def restore_command(file: str, replace: bool) -> None:
    """Load a backup into an empty database (a database without tables gets the schema first)."""
    app = create_app()
    if not inspect(app.extensions["db"].engine).get_table_names():
        upgrade(app.config["DATABASE_URL"])
    try:
        counts = restore(app.extensions["db"], file, Path(app.config["ATTACHMENTS_DIR"]),
                         replace=replace,
                         progress=_table_rows)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"restored {sum(counts.values())} rows of {len(counts)} tables from {file}")


@click.command("check")
def check_command() -> None:
    """Check that every stored version passes today's deploy rules, every case's tasks and
    timers match its state, and the audit trail; exit 1 if not."""
    app = create_app()
    with app.extensions["db"].session() as session:
        engine = app.extensions["engine"]
        problems = (check_versions(session, engine) + check_instances(session, engine)
                    + check_audit(session))
        warn_calendar(session)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} inconsistency(ies)")
    click.echo("every case and the audit trail are consistent")


@click.group("figures")
def figures_group() -> None:
    """Supervisors' figures."""


@figures_group.command("refresh")
def figures_refresh() -> None:
    """Recompute the per-assignment facts from the records (after imports or repairs)."""
    app = create_app()
    with app.extensions["db"].write() as session:
        click.echo(f"assignments refreshed: {refresh_facts(session)}")
