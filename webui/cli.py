"""The `jianyi` command: database, BPMN, scheduler and server."""
from __future__ import annotations

import logging
import os
import sys

import click

from engine import DeployError, Package
from engine.scheduler import make_scheduler, tick
from models import Database
from models.migrations import upgrade

from workflows import housekeeping
from workflows.errors import DomainError

from . import DEFAULT_DB, create_app


def _db_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DB)


@click.group()
def main() -> None:
    """Jianyi (建议): deputies' suggestion handling."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SpiffWorkflow logs every task state change at INFO: far too much for a scheduler's log.
    logging.getLogger("spiff").setLevel(os.environ.get("SPIFF_LOG_LEVEL", "WARNING"))
    # APScheduler logs two lines per job run (every 10 s); the timer job logs what it fired.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


@main.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema (Alembic)."""
    app = create_app()  # makes the SQLite folder
    upgrade(app.config["DATABASE_URL"])
    click.echo(f"database at {app.config['DATABASE_URL']} is up to date")


@main.group()
def bpmn() -> None:
    """BPMN package commands."""


def _report(err: DeployError) -> None:
    from workflows.labels import split
    from workflows.lanes import MissingRule
    for problem in err.problems:
        reason = problem.reason
        if isinstance(problem, MissingRule):  # bilingual: in the CLI's language (JIANYI_LANG)
            reason = split(reason)[1 if _cli_english() else 0]
        click.echo(f"  {problem.file or '-'}  {problem.element_id or '-'}  {reason}", err=True)
    click.echo(f"refused: {len(err.problems)} problem(s)", err=True)


@bpmn.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def bpmn_validate(path: str) -> None:
    """Check a folder of BPMN/DMN files and forms with the same rules as deploy."""
    from workflows.designer import package_problems
    app = create_app()
    try:
        package = Package.from_folder(path)
        with app.extensions["db"].session() as session:
            problems = package_problems(session, app.extensions["engine"], package)
        if problems:
            raise DeployError(problems)
    except DeployError as err:
        _report(err)
        sys.exit(1)
    compiled = app.extensions["engine"].compile(package)
    click.echo(f"valid: {', '.join(sorted(compiled.specs))} ({compiled.package.content_hash[:12]})")


@bpmn.command("deploy")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--by", "actor", default=lambda: os.environ.get("USER", "designer"),
              help="who deploys (recorded in the audit trail)")
def bpmn_deploy(path: str, actor: str) -> None:
    """Validate and deploy a folder as a new process version."""
    from workflows.designer import deploy_package
    app = create_app()
    database: Database = app.extensions["db"]
    try:
        with database.write() as session:
            version = deploy_package(session, app.extensions["engine"],
                                     Package.from_folder(path), actor)
            label = f"version {version.id} ({version.content_hash[:12]}): " + ", ".join(
                d.process_id for d in version.definitions)
    except DeployError as err:
        _report(err)
        sys.exit(1)
    click.echo(f"deployed {label}")


@bpmn.command("migrate")
@click.option("--to", "to_version", type=int, default=None,
              help="target version (default: the one new cases start on)")
@click.option("--process", "process_id", default="suggestion", show_default=True)
@click.option("--from", "from_version", type=int, default=None, help="only cases on this version")
@click.option("--at", "at_step", default=None, help="only cases waiting at this step (BPMN id)")
@click.option("--case", "case_id", type=int, default=None, help="one case (instance id)")
@click.option("--apply", "apply_", is_flag=True,
              help="migrate the safe cases (without it: a dry run that writes nothing)")
@click.option("--by", "actor", default=lambda: os.environ.get("USER", "designer"),
              help="who migrates (recorded in the audit trail)")
def bpmn_migrate(to_version: int | None, process_id: str, from_version: int | None,
                 at_step: str | None, case_id: int | None, apply_: bool, actor: str) -> None:
    """Move running cases to a newer process version: a dry run unless --apply; refused cases
    are listed with their reasons and left as they are (exit 1 if any was refused)."""
    from workflows import designer
    app = create_app()
    database: Database = app.extensions["db"]
    with database.write() as session:
        target = to_version or designer.newest_version_id(session)
        if target is None:
            raise click.ClickException("no process version is deployed")
        plans = designer.migrate_cases(
            session, app.extensions["engine"], process_id=process_id, to_version_id=target,
            actor=actor, from_version_id=from_version, at_step=at_step, case_id=case_id,
            dry=not apply_)
    for plan in plans:
        verdict = ("migrated" if plan.migrated else "would migrate") if plan.safe else "refused"
        click.echo(f"case {plan.case_id}: version {plan.from_version} -> {plan.to_version}: "
                   f"{verdict}" + (f" ({'; '.join(plan.reasons)})" if plan.reasons else ""))
    refused = sum(not plan.safe for plan in plans)
    click.echo(f"{len(plans)} case(s), {refused} refused" + ("" if apply_ else " (dry run)"))
    if refused:
        sys.exit(1)


@main.command("demo")
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


@main.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option("--session", "session_id", type=int, default=None,
              help="congress session id (default: the newest)")
@click.option("--by", "username", default="commission", help="commission user who assigns")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), default=None,
              help="where to write the .xlsx error report if rows are refused")
def import_workbook(workbook: str, session_id: int | None, username: str,
                    errors_path: str | None) -> None:
    """Register and assign every suggestion of an assignment table (.xlsx) in one batch."""
    from sqlalchemy import select

    from models import CongressSession
    from workflows.assignment_table import error_report, import_assignments
    from workflows.users import by_username

    app = create_app()
    database: Database = app.extensions["db"]
    data = open(workbook, "rb").read()
    with database.write() as session:
        query = select(CongressSession).order_by(CongressSession.id.desc())
        if session_id is not None:
            query = query.where(CongressSession.id == session_id)
        congress = session.scalars(query).first()
        user = by_username(session, username)
        if congress is None or user is None or user.role != "commission":
            raise click.ClickException("need a congress session and a commission user")
        with click.progressbar(length=1, label="registering and assigning") as bar:
            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)
            outcome = import_assignments(session, app.extensions["engine"], data, congress,
                                         user, progress)
        if outcome.errors:
            session.rollback()
            for error in outcome.errors:
                click.echo(f"  row {error.row}  {error.column}  {error.value!r}: {error.message}",
                           err=True)
            if errors_path:
                open(errors_path, "wb").write(error_report(outcome.errors))
            raise click.ClickException(f"{len(outcome.errors)} problem(s); nothing was imported")
    click.echo(f"imported {len(outcome.suggestions)} suggestions")
    with database.session() as session:
        _warn_calendar(session)


def _table_rows(table: str, rows: int) -> None:
    """Progress of backup and restore: one line per table."""
    click.echo(f"  {table:<22} {rows:>9} rows")


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file: str) -> None:
    """Write every table and every attachment into one .zip (restorable on SQLite or PostgreSQL)."""
    from pathlib import Path

    from models.backup import backup
    app = create_app()
    counts = backup(app.extensions["db"], file, Path(app.config["ATTACHMENTS_DIR"]),
                    progress=_table_rows)
    click.echo(f"backed up {sum(counts.values())} rows of {len(counts)} tables to {file}")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="delete every row of a non-empty database first")
def restore_command(file: str, replace: bool) -> None:
    """Load a backup into an empty database (a database without tables gets the schema first)."""
    from pathlib import Path

    from sqlalchemy import inspect

    from models.backup import BackupError, restore
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


@main.command("check")
def check_command() -> None:
    """Check that every stored version passes today's deploy rules, every case's tasks and
    timers match its state, and the audit trail; exit 1 if not."""
    from engine.consistency import check_audit, check_cases, check_versions
    app = create_app()
    with app.extensions["db"].session() as session:
        engine = app.extensions["engine"]
        problems = (check_versions(session, engine) + check_cases(session, engine)
                    + check_audit(session))
        _warn_calendar(session)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} inconsistency(ies)")
    click.echo("every case and the audit trail are consistent")


def _cli_english() -> bool:
    """CLI messages people act on are Chinese first; JIANYI_LANG=en switches to English."""
    return os.environ.get("JIANYI_LANG", "zh").lower().startswith("en")


def _warn_calendar(session) -> bool:
    """Print the missing-calendar-year warning (to stderr) if deadlines reach a year whose
    holidays nobody entered; True if it was printed."""
    from models import utcnow
    from workflows import calendar
    warning = calendar.missing_year_warning(calendar.missing_years(session, utcnow()))
    if warning is not None:
        click.echo(("warning: " if _cli_english() else "警告：")
                   + warning[1 if _cli_english() else 0], err=True)
    return warning is not None


@main.group("calendar")
def calendar_group() -> None:
    """Holidays and adjusted working days (overrides the chinese-calendar package)."""


@calendar_group.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--holiday/--workday", "holiday", required=True)
@click.option("--note", default=None)
def calendar_set(day, holiday: bool, note: str | None) -> None:
    """Declare DAY a public holiday or an adjusted working day (调休)."""
    from models import CalendarDay, text
    if note is not None and (reason := text.problem(
            text.clean(note), limit=text.limit_of(CalendarDay.note), required=False)):
        raise click.BadParameter(reason, param_hint="--note")
    app = create_app()
    with app.extensions["db"].write() as session:
        session.merge(CalendarDay(day=day.date(), is_workday=not holiday, note=note))
    click.echo(f"{day.date()} is now a {'holiday' if holiday else 'working day'}")
    with app.extensions["db"].session() as session:
        _warn_calendar(session)


@calendar_group.command("show")
def calendar_show() -> None:
    """The entered holidays and adjusted working days, and the years still missing."""
    from sqlalchemy import select

    from models import CalendarDay
    app = create_app()
    with app.extensions["db"].session() as session:
        for row in session.scalars(select(CalendarDay).order_by(CalendarDay.day)):
            click.echo(f"{row.day}  {'workday' if row.is_workday else 'holiday'}  {row.note or ''}"
                       .rstrip())
        if not _warn_calendar(session):
            click.echo("the holidays of every year deadlines reach are known"
                       if _cli_english() else "期限涉及的各年份节假日均已录入或已知")


@main.group("settings")
def settings_group() -> None:
    """Time limits (working days / months)."""


@settings_group.command("show")
def settings_show() -> None:
    from workflows import settings
    app = create_app()
    with app.extensions["db"].session() as session:
        for key, value in settings.all_settings(session).items():
            click.echo(f"{key} = {value}")


@settings_group.command("set")
@click.argument("key")
@click.argument("value", type=int)
def settings_set(key: str, value: int) -> None:
    from workflows import settings
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            settings.set_value(session, key, value)
    except (KeyError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{key} = {value}")


@main.group("users")
def users_group() -> None:
    """Login accounts."""


@users_group.command("link-deputy")
@click.argument("username")
@click.argument("deputy_id", type=int)
@click.option("--by", "actor", default=lambda: os.environ.get("USER", "admin"),
              help="who links (recorded in the audit trail)")
def users_link_deputy(username: str, deputy_id: int, actor: str) -> None:
    """Link the deputy account USERNAME to deputy DEPUTY_ID: the feedback tasks of the deputy's
    suggestions that wait for the commission to record them (代录) go to the account."""
    from workflows.deputies import link_account
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            moved = link_account(session, username, deputy_id, actor=actor,
                                 now=app.extensions["engine"].clock())
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{username} is linked to deputy {deputy_id}; "
               f"{len(moved)} open feedback task(s) handed to them")


@users_group.command("set-role")
@click.argument("username")
@click.argument("role")
@click.option("--by", "actor", default=lambda: os.environ.get("USER", "admin"),
              help="who changes it (recorded in the audit trail)")
def users_set_role(username: str, role: str, actor: str) -> None:
    """Give USERNAME the role ROLE (a built-in role or one added with `jianyi roles add`)."""
    from workflows.roles import set_user_role
    from workflows.users import by_username
    app = create_app()
    with app.extensions["db"].write() as session:
        user = by_username(session, username)
        if user is None:
            raise click.ClickException(f"no user '{username}'")
        try:
            set_user_role(session, user, role, actor=actor, now=app.extensions["engine"].clock())
        except DomainError as err:
            raise click.ClickException(str(err)) from None
    click.echo(f"{username} has the role {role}")


@main.group("roles")
def roles_group() -> None:
    """Roles (built in, and added by an administrator)."""


@roles_group.command("list")
def roles_list() -> None:
    """Every role: code, Chinese and English name, built in or added."""
    from workflows.roles import all_roles
    app = create_app()
    with app.extensions["db"].session() as session:
        for role in all_roles(session):
            click.echo(f"{role.code}\t{role.name_zh}\t{role.name_en}\t"
                       f"{'built-in' if role.builtin else 'added'}")


@roles_group.command("add")
@click.argument("code")
@click.option("--zh", "name_zh", required=True, help="Chinese name")
@click.option("--en", "name_en", required=True, help="English name")
@click.option("--by", "actor", default=lambda: os.environ.get("USER", "admin"),
              help="who adds it (recorded in the audit trail)")
def roles_add(code: str, name_zh: str, name_en: str, actor: str) -> None:
    """Add a role (code: a lower-case letter, then lower-case letters, digits or _)."""
    from workflows.roles import add_role
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            add_role(session, code, name_zh, name_en, actor=actor,
                     now=app.extensions["engine"].clock())
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"role {code} added")


@main.group("lanes")
def lanes_group() -> None:
    """Process settings: who does each lane's tasks, and who may start a process."""


@lanes_group.command("list")
@click.option("--process", "process_id", default=None, help="only this process")
def lanes_list(process_id: str | None) -> None:
    """Every lane rule (process, lane, kind, role, path) and who may start each process."""
    from models import LaneRule
    from sqlalchemy import select
    from workflows.starting import allowed_roles
    app = create_app()
    with app.extensions["db"].session() as session:
        query = select(LaneRule).order_by(LaneRule.process_id, LaneRule.lane)
        if process_id:
            query = query.where(LaneRule.process_id == process_id)
        for rule in session.scalars(query):
            click.echo(f"{rule.process_id}\t{rule.lane}\t{rule.kind}\t{rule.role or '-'}\t"
                       f"{rule.path or '-'}")
        for pid, roles in sorted(allowed_roles(session).items()):
            if not process_id or pid == process_id:
                click.echo(f"{pid}\tstarted by: {', '.join(roles)}")


def _lane_change(change) -> None:
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            message = change(session, app.extensions["engine"].clock())
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    click.echo(message)


@lanes_group.command("set")
@click.option("--process", "process_id", required=True)
@click.option("--lane", required=True, help="the lane's name as drawn in the BPMN")
@click.option("--kind", required=True, type=click.Choice(
    ["role", "unit_role", "person", "initiator", "lead_deputy"]))
@click.option("--role", default=None)
@click.option("--path", default=None, help="data path, e.g. branch.unit or supervising_leader")
@click.option("--actor", default=lambda: os.environ.get("USER", "designer"),
              help="who sets it (recorded in the audit trail)")
def lanes_set(process_id, lane, kind, role, path, actor) -> None:
    """Add or change the rule of a lane (audited)."""
    from workflows.lanes import set_rule
    _lane_change(lambda s, now: set_rule(s, process_id=process_id, lane=lane, kind=kind,
                                         role=role, path=path, actor=actor, now=now)
                 and f"{process_id} / {lane}: {kind}")


@lanes_group.command("delete")
@click.option("--process", "process_id", required=True)
@click.option("--lane", required=True)
@click.option("--actor", default=lambda: os.environ.get("USER", "designer"))
def lanes_delete(process_id, lane, actor) -> None:
    """Delete a lane's rule; refused while the newest version of the process has the lane."""
    from models import LaneRule
    from sqlalchemy import select
    from workflows.lanes import delete_rule

    def change(s, now):
        rule_id = s.scalar(select(LaneRule.id).where(LaneRule.process_id == process_id,
                                                     LaneRule.lane == lane))
        if rule_id is None:
            raise click.ClickException(f"no rule for lane '{lane}' of process '{process_id}'")
        delete_rule(s, rule_id, actor=actor, now=now)
        return f"{process_id} / {lane}: deleted"
    _lane_change(change)


@lanes_group.command("allow-start")
@click.option("--process", "process_id", required=True)
@click.option("--role", required=True)
@click.option("--actor", default=lambda: os.environ.get("USER", "designer"))
def lanes_allow_start(process_id, role, actor) -> None:
    """Let members of ROLE start cases of the process (audited)."""
    from workflows.starting import allow
    _lane_change(lambda s, now: f"{process_id}: {role} may start it"
                 + ("" if allow(s, process_id, role, actor=actor, now=now) else " (already)"))


@lanes_group.command("deny-start")
@click.option("--process", "process_id", required=True)
@click.option("--role", required=True)
@click.option("--actor", default=lambda: os.environ.get("USER", "designer"))
def lanes_deny_start(process_id, role, actor) -> None:
    """Stop members of ROLE starting cases of the process (audited)."""
    from workflows.starting import deny
    _lane_change(lambda s, now: f"{process_id}: {role} may not start it"
                 + ("" if deny(s, process_id, role, actor=actor, now=now) else " (already)"))


@lanes_group.command("load")
@click.argument("settings_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor", default=lambda: os.environ.get("USER", "designer"))
def lanes_load(settings_file: str, actor: str) -> None:
    """Set a process's lane rules and start permissions from its settings file
    (<process>.settings.toml; all or nothing, audited)."""
    from pathlib import Path

    from workflows.process_settings import load

    def change(session, now):
        settings = load(session, Path(settings_file).read_text(encoding="utf-8"), actor=actor,
                        now=now)
        return (f"{settings.process_id}: {len(settings.rules)} lane rule(s), started by: "
                f"{', '.join(settings.start) or '-'}")
    _lane_change(change)


@main.group("figures")
def figures_group() -> None:
    """Supervisors' figures."""


@figures_group.command("refresh")
def figures_refresh() -> None:
    """Recompute the per-assignment facts from the records (after imports or repairs)."""
    from workflows.statistics import refresh_facts
    app = create_app()
    with app.extensions["db"].write() as session:
        click.echo(f"assignments refreshed: {refresh_facts(session)}")


@main.command("scheduler")
@click.option("--interval", default=10.0, help="seconds between ticks")
@click.option("--once", is_flag=True, help="run one tick and exit")
def scheduler(interval: float, once: bool) -> None:
    """Run the timer scheduler in the foreground."""
    app = create_app()
    database, engine = app.extensions["db"], app.extensions["engine"]
    if once:
        click.echo(f"cases with fired timers: {tick(database, engine)}")
        with database.session() as session:
            _warn_calendar(session)
        click.echo(f"suggestions whose words were counted: {housekeeping(database)}")
        return
    make_scheduler(database, engine, interval_s=interval, blocking=True,
                   jobs=[housekeeping]).start()


class _Admission:
    """WSGI middleware of the development server: at most `limit` requests run the app at once.

    Werkzeug starts a thread per connection, and every thread competes for the one interpreter
    lock: in a 50-way burst of completions `/healthz` waited 4-6 s for its turns with no limit,
    up to 1.7 s with 4 requests at once, 0.6 s with 2 and 0.08 s with 1, while the burst took
    about as long in each case. Threads past the limit wait here holding nothing (no database
    connection, no lock); `/healthz` never waits.
    """

    def __init__(self, app, limit: int):
        import threading
        self.app, self._slots = app, threading.BoundedSemaphore(limit)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            return self.app(environ, start_response)
        with self._slots:
            return self.app(environ, start_response)


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000)
@click.option("--workers", type=int, default=0,
              help="production: serve with this many gunicorn worker processes (0: development "
                   "server)")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              default=None, help="a gunicorn config file (e.g. docs/deploy/gunicorn.conf.py)")
@click.option("--with-scheduler/--no-scheduler", default=True,
              help="development server only: also run the timer scheduler in this process")
@click.option("--threads", type=click.IntRange(1, 64), default=1,
              help="development server only: requests that run at once (more wait their turn; "
                   "/healthz never waits)")
def serve(host: str, port: int, workers: int, config_file: str | None,
          with_scheduler: bool, threads: int) -> None:
    """Run the web app: gunicorn with --workers or --config, else the development server."""
    if workers or config_file:
        from .production import GunicornServer
        # Timers are fired by `jianyi scheduler` processes, never inside web workers.
        GunicornServer({"bind": f"{host}:{port}" if not config_file else None,
                        "workers": workers or None}, config_file).run()
        return
    app = create_app()
    if with_scheduler:
        make_scheduler(app.extensions["db"], app.extensions["engine"],
                       interval_s=app.config["SCHEDULER_INTERVAL_S"], jobs=[housekeeping]).start()
    app.wsgi_app = _Admission(app.wsgi_app, threads)
    app.run(host=host, port=port, use_reloader=False, threaded=True)


if __name__ == "__main__":
    main()
