"""`jianyi people`: the organisation from a workbook (import, template) and one-time password
links for accounts. Every change is audited."""
from __future__ import annotations

import os
from pathlib import Path

import click

from workflows.errors import DomainError
from workflows.users import by_username

from .. import create_app
from .common import cli_english


@click.group("people")
def people_group() -> None:
    """The organisation: units, divisions, deputies, sessions and users."""


@people_group.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="check and count, write nothing")
@click.option("--by", "actor", default=lambda: os.environ.get("USER", "admin"),
              help="who imports (recorded in the audit trail)")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), default=None,
              help="where to write the .xlsx error report if cells are refused")
def people_import(workbook: str, dry_run: bool, actor: str, errors_path: str | None) -> None:
    """Import the organisation workbook (one worksheet per kind), all or nothing."""
    from workflows.organisation_table import import_organisation
    from workflows.workbook_files import error_report

    app = create_app()
    english = cli_english()
    try:
        with app.extensions["db"].write() as session:
            outcome = import_organisation(session, Path(workbook), actor=actor,
                                          now=app.extensions["engine"].clock())
            if outcome.errors or dry_run:
                session.rollback()
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    if outcome.errors:
        for e in outcome.errors:
            click.echo(f"  {e.sheet or '-'}  row {e.row}  {e.column}  {e.value!r}: "
                       f"{e.english if english and e.english else e.message}", err=True)
        if errors_path:
            Path(errors_path).write_bytes(error_report(outcome.errors))
        raise click.ClickException(f"{len(outcome.errors)} problem(s); nothing was imported")
    for sheet, counts in outcome.counts.items():
        click.echo(f"  {sheet:<10} created {counts['created']:>5}  changed "
                   f"{counts['changed']:>5}  unchanged {counts['unchanged']:>5}")
    click.echo("dry run: nothing was written" if dry_run else "imported")


@people_group.command("template")
@click.argument("file", type=click.Path(dir_okay=False))
def people_template(file: str) -> None:
    """Write the organisation workbook's template to FILE."""
    from workflows.organisation_table import template_workbook
    Path(file).write_bytes(template_workbook())
    click.echo(f"template written to {file}")


@people_group.command("link")
@click.argument("username")
@click.option("--reset", is_flag=True, help="also make the current password unusable")
@click.option("--by", "actor", default=lambda: os.environ.get("USER", "admin"))
def people_link(username: str, reset: bool, actor: str) -> None:
    """Print a one-time link (72 hours, single use) with which USERNAME sets a password."""
    from workflows import password_links
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            user = by_username(session, username)
            if user is None:
                raise click.ClickException(f"no user '{username}'")
            token = password_links.issue(session, user, actor=actor, reset=reset,
                                         now=app.extensions["engine"].clock())
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"/password-link/{token}")
