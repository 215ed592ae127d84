"""Shared by the human-task tests: the fixture process with a manual task and a form-less user
task (`tests/fixtures/human_tasks`), deployed on the domain engine with its lane rule and start
permission — data a designer sets on the process settings page."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from engine import Package
from workflows import lanes, starting

FOLDER = Path(__file__).parent / "fixtures" / "human_tasks"


def package() -> Package:
    return Package.from_folder(FOLDER)


def deploy(db, domain_engine, monkeypatch=None) -> None:
    """The equipment process deployed next to the suggestion process; the commission works its
    Commission lane and may start it."""
    now = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)
    with db.write() as session:
        domain_engine.deploy(session, package(), "designer")
        lanes.set_rule(session, process_id="equipment", lane="Commission", kind="role",
                       role="commission", actor="designer", now=now)
        starting.allow(session, "equipment", "commission", actor="designer", now=now)
