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

from . import DEFAULT_DB, create_app


def _db_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DB)


@click.group()
def main() -> None:
    """Jianyi (建议): deputies' suggestion handling."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


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
    for problem in err.problems:
        click.echo(f"  {problem.file or '-'}  {problem.element_id or '-'}  {problem.reason}", err=True)
    click.echo(f"refused: {len(err.problems)} problem(s)", err=True)


@bpmn.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def bpmn_validate(path: str) -> None:
    """Check a folder of BPMN/DMN files and forms with the same rules as deploy."""
    app = create_app()
    try:
        compiled = app.extensions["engine"].compile(Package.from_folder(path))
    except DeployError as err:
        _report(err)
        sys.exit(1)
    click.echo(f"valid: {', '.join(sorted(compiled.specs))} ({compiled.package.content_hash[:12]})")


@bpmn.command("deploy")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--by", "actor", default=lambda: os.environ.get("USER", "designer"),
              help="who deploys (recorded in the audit trail)")
def bpmn_deploy(path: str, actor: str) -> None:
    """Validate and deploy a folder as a new process version."""
    app = create_app()
    database: Database = app.extensions["db"]
    try:
        with database.write() as session:
            version = app.extensions["engine"].deploy(session, Package.from_folder(path), actor)
            label = f"version {version.id} ({version.content_hash[:12]}): " + ", ".join(
                d.process_id for d in version.definitions)
    except DeployError as err:
        _report(err)
        sys.exit(1)
    click.echo(f"deployed {label}")


@main.command("scheduler")
@click.option("--interval", default=10.0, help="seconds between ticks")
@click.option("--once", is_flag=True, help="run one tick and exit")
def scheduler(interval: float, once: bool) -> None:
    """Run the timer scheduler in the foreground."""
    app = create_app()
    database, engine = app.extensions["db"], app.extensions["engine"]
    if once:
        click.echo(f"cases with fired timers: {tick(database, engine)}")
        return
    make_scheduler(database, engine, interval_s=interval, blocking=True).start()


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000)
@click.option("--with-scheduler/--no-scheduler", default=True,
              help="also run the timer scheduler in this process (development)")
def serve(host: str, port: int, with_scheduler: bool) -> None:
    """Run the web app (development server)."""
    app = create_app()
    if with_scheduler:
        make_scheduler(app.extensions["db"], app.extensions["engine"],
                       interval_s=app.config["SCHEDULER_INTERVAL_S"]).start()
    app.run(host=host, port=port, use_reloader=False)
