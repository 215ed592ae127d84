"""`jianyi db` and `jianyi bpmn`: the schema, and validating, deploying and migrating processes.

`workflows.designer` is imported when a `bpmn` command runs: it loads SpiffWorkflow's diff
module for case migration, a tenth of a second more for every other command (`--help` too).
"""
from __future__ import annotations

import os
import sys

import click

from engine import DeployError, Package
from models import Database
from models.migrations import upgrade
from workflows.labels import split
from workflows.lanes import MissingRule

from .. import create_app
from .common import cli_english


@click.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema (Alembic)."""
    app = create_app()  # makes the SQLite folder
    upgrade(app.config["DATABASE_URL"])
    click.echo(f"database at {app.config['DATABASE_URL']} is up to date")


@click.group()
def bpmn() -> None:
    """BPMN package commands."""


def _report(err: DeployError) -> None:
    for problem in err.problems:
        reason = problem.reason
        if isinstance(problem, MissingRule):  # bilingual: in the CLI's language (JIANYI_LANG)
            reason = split(reason)[1 if cli_english() else 0]
        click.echo(f"  {problem.file or '-'}  {problem.element_id or '-'}  {reason}", err=True)
    click.echo(f"refused: {len(err.problems)} problem(s)", err=True)


@bpmn.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def bpmn_validate(path: str) -> None:
    """Check a folder of BPMN/DMN files and forms with the same rules as deploy."""
    from workflows import designer
    app = create_app()
    try:
        package = Package.from_folder(path)
        with app.extensions["db"].session() as session:
            problems = designer.package_problems(session, app.extensions["engine"], package)
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
    from workflows import designer
    app = create_app()
    database: Database = app.extensions["db"]
    try:
        with database.write() as session:
            version = designer.deploy_package(session, app.extensions["engine"],
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
        click.echo(f"case {plan.instance_id}: version {plan.from_version} -> {plan.to_version}: "
                   f"{verdict}" + (f" ({'; '.join(plan.reasons)})" if plan.reasons else ""))
    refused = sum(not plan.safe for plan in plans)
    click.echo(f"{len(plans)} case(s), {refused} refused" + ("" if apply_ else " (dry run)"))
    if refused:
        sys.exit(1)
