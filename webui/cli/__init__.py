"""The `jianyi` command (console script `jianyi = webui.cli:main`; also `python -m webui.cli`).

One module per group of commands: ``process`` (db, bpmn), ``data`` (demo, import, backup, restore,
check, figures), ``calendar_settings`` (calendar, settings), ``access`` (users, roles, lanes),
``people`` (the organisation workbook, one-time password links), ``mail`` (the mail outbox) and
``serving`` (scheduler, serve); ``common`` holds what several share.
"""
from __future__ import annotations

import logging
import os

import click

from .access import lanes_group, roles_group, users_group
from .calendar_settings import calendar_group, settings_group
from .data import (backup_command, check_command, demo, figures_group, import_workbook,
                   restore_command)
from .people import people_group
from .mail import mail_group
from .process import bpmn, db
from .serving import scheduler, serve


@click.group()
def main() -> None:
    """Jianyi (建议): deputies' suggestion handling."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SpiffWorkflow logs every task state change at INFO: far too much for a scheduler's log.
    logging.getLogger("spiff").setLevel(os.environ.get("SPIFF_LOG_LEVEL", "WARNING"))
    # APScheduler logs two lines per job run (every 10 s); the timer job logs what it fired.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


for _command in (db, bpmn, demo, import_workbook, backup_command, restore_command, check_command,
                 calendar_group, settings_group, users_group, roles_group, lanes_group,
                 figures_group, people_group, scheduler, serve, mail_group):
    main.add_command(_command)

__all__ = ["main"]
