"""`jianyi mail`: the mail outbox — what waits, what was sent, what was given up and why."""
from __future__ import annotations

import click

from models import utcnow
from workflows.mail import outbox
from workflows.mail.sender import SmtpSender

from .. import create_app


@click.group("mail")
def mail_group() -> None:
    """Notifications by mail (SMTP settings: JIANYI_SMTP_* environment variables)."""


@mail_group.command("status")
@click.option("--limit", type=click.IntRange(1, 1000), default=20,
              help="how many of the latest failed mails to list")
def mail_status(limit: int) -> None:
    """Whether mail is on, rows per state, and the latest mails given up with their error."""
    app = create_app()
    settings = app.config["MAIL"]
    click.echo(f"mail: on, {settings.host}:{settings.effective_port} ({settings.tls}), "
               f"from {settings.sender}" if settings else
               "mail: off (JIANYI_SMTP_HOST is not set; nothing is sent)")
    with app.extensions["db"].session() as session:
        click.echo("  ".join(f"{state}={count}"
                             for state, count in outbox.counts(session).items()))
        for row in outbox.failures(session, limit):
            click.echo(f"failed #{row.id} to {row.username} <{row.address}> after "
                       f"{row.attempts} attempt(s): {row.last_error}")


@mail_group.command("send")
def mail_send() -> None:
    """Send one batch of due mail now (what the scheduler does each tick)."""
    app = create_app()
    settings = app.config["MAIL"]
    if settings is None:
        raise click.ClickException("mail is off: set JIANYI_SMTP_HOST and JIANYI_MAIL_FROM")
    done = outbox.deliver(app.extensions["db"], SmtpSender(settings), utcnow,
                          base_url=settings.base_url)
    click.echo(f"sent={done.sent} retrying={done.retrying} failed={done.failed}")
