"""`jianyi users`, `roles` and `lanes`: who may log in, with which role, and who does each lane's
tasks and may start each process. Every change is audited."""
from __future__ import annotations

import os
from pathlib import Path

import click
from sqlalchemy import select

from models import LaneRule
from workflows import process_settings
from workflows.deputies import link_account
from workflows.errors import DomainError
from workflows.lanes import delete_rule, set_rule
from workflows.roles import add_role, all_roles, set_user_role
from workflows.starting import allow, allowed_roles, deny
from workflows.users import by_username

from .. import create_app


@click.group("users")
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


@click.group("roles")
def roles_group() -> None:
    """Roles (built in, and added by an administrator)."""


@roles_group.command("list")
def roles_list() -> None:
    """Every role: code, Chinese and English name, built in or added."""
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
    app = create_app()
    try:
        with app.extensions["db"].write() as session:
            add_role(session, code, name_zh, name_en, actor=actor,
                     now=app.extensions["engine"].clock())
    except DomainError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"role {code} added")


@click.group("lanes")
def lanes_group() -> None:
    """Process settings: who does each lane's tasks, and who may start a process."""


@lanes_group.command("list")
@click.option("--process", "process_id", default=None, help="only this process")
def lanes_list(process_id: str | None) -> None:
    """Every lane rule (process, lane, kind, role, path) and who may start each process."""
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
    _lane_change(lambda s, now: set_rule(s, process_id=process_id, lane=lane, kind=kind,
                                         role=role, path=path, actor=actor, now=now)
                 and f"{process_id} / {lane}: {kind}")


@lanes_group.command("delete")
@click.option("--process", "process_id", required=True)
@click.option("--lane", required=True)
@click.option("--actor", default=lambda: os.environ.get("USER", "designer"))
def lanes_delete(process_id, lane, actor) -> None:
    """Delete a lane's rule; refused while the newest version of the process has the lane."""
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
    _lane_change(lambda s, now: f"{process_id}: {role} may start it"
                 + ("" if allow(s, process_id, role, actor=actor, now=now) else " (already)"))


@lanes_group.command("deny-start")
@click.option("--process", "process_id", required=True)
@click.option("--role", required=True)
@click.option("--actor", default=lambda: os.environ.get("USER", "designer"))
def lanes_deny_start(process_id, role, actor) -> None:
    """Stop members of ROLE starting cases of the process (audited)."""
    _lane_change(lambda s, now: f"{process_id}: {role} may not start it"
                 + ("" if deny(s, process_id, role, actor=actor, now=now) else " (already)"))


@lanes_group.command("load")
@click.argument("settings_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--actor", default=lambda: os.environ.get("USER", "designer"))
def lanes_load(settings_file: str, actor: str) -> None:
    """Set a process's lane rules and start permissions from its settings file
    (<process>.settings.toml; all or nothing, audited)."""
    def change(session, now):
        settings = process_settings.load(
            session, Path(settings_file).read_text(encoding="utf-8"), actor=actor, now=now)
        return (f"{settings.process_id}: {len(settings.rules)} lane rule(s), started by: "
                f"{', '.join(settings.start) or '-'}")
    _lane_change(change)
