"""The organisation import: every row of a workbook without a single error written in the
caller's transaction — new rows added, existing ones (same key) changed where they differ —
each audited with what changed. A dry run is the same import rolled back by the caller."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import (AuditEvent, Committee, CongressSession, Deputy, Division, Suggestion, Unit,
                    User)

from .. import accounts, committee_admin, deputies
from ..organisation import apply
from .checking import Checker, Known, Planned
from .columns import SHEETS, OrgCellError
from .reading import read

PREVIEW = 200  # rows per worksheet an outcome keeps for a page to show


@dataclass
class Outcome:
    """What an import did (or would do): per worksheet key, how many rows were created,
    changed and left as they were, and a preview of the rows; or the errors, nothing written."""

    errors: list[OrgCellError] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: dict[str, list[tuple[int, dict, str]]] = field(default_factory=dict)

    def note(self, sheet: str, planned: Planned, action: str) -> None:
        counts = self.counts.setdefault(sheet, {"created": 0, "changed": 0, "unchanged": 0})
        counts[action] += 1
        rows = self.rows.setdefault(sheet, [])
        if len(rows) < PREVIEW:
            rows.append((planned.row.number, planned.row.raw, action))


def import_organisation(session: Session, data: bytes | str | Path, *, actor: str,
                        now: datetime) -> Outcome:
    """Import the workbook `data`; on any error nothing is written (the errors come back)."""
    found, errors = read(data)
    outcome = Outcome(errors=errors)
    if errors:
        return outcome
    checker = Checker(Known.read(session), actor)
    plans = {s.key: getattr(checker, s.key)(found.get(s.key, [])) for s in SHEETS}
    for sheet in SHEETS:
        for planned in plans[sheet.key]:
            outcome.errors.extend(planned.row.errors[c.key] for c in sheet.columns
                                  if c.key in planned.row.errors)
    if outcome.errors:
        outcome.errors.sort(key=lambda e: ([s.zh for s in SHEETS].index(e.sheet), e.row))
        return outcome
    writer = _Writer(session, actor, now, outcome)
    writer.rows("units", Unit, plans["units"], lambda v: v["code"], what="unit")
    units = dict(session.execute(select(Unit.code, Unit.id)).tuples().all())
    writer.rows("divisions", Division, [
        Planned(p.row, {"unit_id": units[p.values["unit"]], "name": p.values["name"]},
                p.existing) for p in plans["divisions"]],
        lambda v: f"{v['unit_id']}/{v['name']}", what="division")
    writer.rows("deputies", Deputy, plans["deputies"],
                lambda v: f"{v['name']}/{v['electoral_unit']}", what="deputy")
    writer.rows("sessions", CongressSession, plans["sessions"],
                lambda v: f"{v['congress']}/{v['meeting']}", what="congress_session")
    writer.committees(plans["committees"])
    writer.users(plans["users"], units)
    return outcome


class _Writer:
    def __init__(self, session: Session, actor: str, now: datetime, outcome: Outcome):
        self.session, self.actor, self.now, self.outcome = session, actor, now, outcome

    def rows(self, sheet: str, model, plans: list[Planned], key, what: str,
             new: dict | None = None) -> list:
        """Add the new rows at once, change the existing ones; returns the new objects."""
        defaults, new = new or {}, []
        for planned in plans:
            if planned.existing is None:
                new.append((planned, model(**planned.values, **defaults)))
                continue
            row = self.session.get(model, planned.existing)
            changes = apply(self.session, row, planned.values, what=what, actor=self.actor,
                            now=self.now, key=key(planned.values))
            self.outcome.note(sheet, planned, "changed" if changes else "unchanged")
        self.session.add_all(obj for _p, obj in new)
        self.session.flush()
        if new:
            self.session.execute(insert(AuditEvent), [
                {"at": self.now, "actor": self.actor, "action": f"{what}_created",
                 "detail": {"id": obj.id, "key": key(planned.values), "source": "import",
                            "changes": {k: [None, _plain(v)]
                                        for k, v in planned.values.items()}}}
                for planned, obj in new])
        for planned, _obj in new:
            self.outcome.note(sheet, planned, "created")
        return [obj for _p, obj in new]

    def committees(self, plans: list[Planned]) -> None:
        """Each committee through the administration's own save (checked and audited)."""
        for planned in plans:
            before = None
            if planned.existing is not None:
                c = self.session.get(Committee, planned.existing)
                before = sorted(c.field_codes)
            committee_admin.save_committee(self.session, planned.existing,
                                           name=planned.values["name"],
                                           fields=planned.values["fields"], actor=self.actor,
                                           now=self.now)
            action = "created" if before is None else \
                "unchanged" if before == sorted(set(planned.values["fields"])) else "changed"
            self.outcome.note("committees", planned, action)

    def users(self, plans: list[Planned], units: dict[str, int]) -> None:
        divisions = {(uid, name): did for did, uid, name in self.session.execute(
            select(Division.id, Division.unit_id, Division.name))}
        deputy_ids = {(name, unit): did for did, name, unit in self.session.execute(
            select(Deputy.id, Deputy.name, Deputy.electoral_unit))}
        # deputies whose suggestions may have feedback tasks waiting for their account
        with_cases = set(self.session.scalars(select(Suggestion.lead_deputy_id).distinct()))
        committee_ids = dict(self.session.execute(select(Committee.name, Committee.id))
                             .tuples().all())
        staged, links, activity = [], [], []
        for planned in plans:
            v = planned.values
            unit_id = units.get(v["unit"]) if v["unit"] else None
            deputy_id = deputy_ids[v["deputy"]] if v["deputy"] else None
            values = {"username": v["username"], "name": v["name"], "role": v["role"],
                      "unit_id": unit_id,
                      "division_id": divisions.get((unit_id, v["division"]))
                      if v["division"] else None}
            if planned.existing is None:
                values.update(deputy_id=deputy_id, active=v["active"])
                if deputy_id in with_cases and v["active"]:
                    links.append((v["username"], deputy_id))
            else:
                activity.append((planned.existing, v["active"]))
                old = self.session.get(User, planned.existing).deputy_id
                if deputy_id is not None and deputy_id != old:
                    links.append((v["username"], deputy_id))
            if v["committee"]:  # a blank cell leaves the membership as it is
                values["committee_id"] = committee_ids[v["committee"]]
            staged.append(Planned(planned.row, values, planned.existing))
        no_password = dict(password_hash=accounts.NO_PASSWORD, must_change_password=True)
        self.rows("users", User, staged, lambda v: v["username"], what="user", new=no_password)
        for user_id, active in activity:  # first: a deactivated account frees its deputy
            accounts.set_active(self.session, self.session.get(User, user_id), active,
                                actor=self.actor, now=self.now)
        for username, deputy_id in links:
            deputies.link_account(self.session, username, deputy_id, actor=self.actor,
                                  now=self.now)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
