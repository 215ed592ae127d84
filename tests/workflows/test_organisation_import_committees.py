"""The organisation workbook carries special committees (a 专门委员会 sheet: name, fields
separated by 、) and the users sheet's 专门委员会 column makes an account a member."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from models import AuditEvent, Committee, User
from workflows.organisation_table import import_organisation, template_workbook
from workflows.organisation_table.reading import read

from .organisation_books import USERS, book

NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
HEAD = ["名称", "对口领域"]
USER_HEAD = USERS[0] + ["专门委员会"]


def run(db, data):
    with db.write() as s:
        outcome = import_organisation(s, data, actor="admin", now=NOW)
        if outcome.errors:
            s.rollback()
    return outcome


def _committees(db):
    with db.session() as s:
        return {c.name: sorted(c.field_codes) for c in s.scalars(select(Committee))}


def test_committees_and_their_members_import_and_a_second_import_changes_nothing(db):
    data = book(专门委员会=[HEAD, ["财经委", "财政、产业"], ["农委", "农业"]],
                用户=[USER_HEAD, ["cm_1", "委员一", "committee", "", "", "", "是", "财经委"]])
    outcome = run(db, data)
    assert outcome.errors == [] and outcome.counts["committees"]["created"] == 2
    assert _committees(db) == {"财经委": ["产业", "财政"], "农委": ["农业"]}
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "cm_1"))
        assert user.committee_id == s.scalar(select(Committee.id).where(Committee.name == "财经委"))
        audited = s.scalars(select(AuditEvent.action)).all()
    assert audited.count("committee_created") == 2
    again = run(db, data)
    assert again.counts["committees"] == {"created": 0, "changed": 0, "unchanged": 2}
    assert again.counts["users"]["unchanged"] == 1
    moved = run(db, book(专门委员会=[HEAD, ["农委", "农业、水利"]],
                         用户=[USER_HEAD, ["cm_1", "委员一", "committee", "", "", "", "是", "农委"]]))
    assert moved.counts["committees"]["changed"] == 1
    assert _committees(db)["农委"] == ["农业", "水利"]
    with db.session() as s:
        assert s.scalar(select(Committee.name).join(User, User.committee_id == Committee.id)
                        .where(User.username == "cm_1")) == "农委"


def test_bad_committee_cells_are_named_and_nothing_is_written(db):
    data = book(专门委员会=[HEAD, ["财经委", "财政、火星"], ["财经委", "财政"], ["", "农业"]],
                用户=[USER_HEAD, ["cm_1", "委员一", "committee", "", "", "", "是", "没有的委"],
                      ["u_2", "某人", "commission", "", "", "", "是", "财经委"]])
    outcome = run(db, data)
    found = {(e.sheet, e.row, e.column) for e in outcome.errors}
    assert {("专门委员会", 2, "对口领域"), ("专门委员会", 3, "名称"), ("专门委员会", 4, "名称"),
            ("用户", 2, "专门委员会"), ("用户", 3, "专门委员会")} <= found
    assert _committees(db) == {}


def test_the_template_has_the_committees_sheet():
    found, errors = read(template_workbook())
    assert errors == [] and [r.raw["name"] for r in found["committees"]] == ["财政经济委员会"]
