"""Who may start which process: a role per process, kept as data."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, User
from workflows import roles, starting
from workflows.roles import RoleError
from workflows.users import create_user

from ..conftest import START


def _user(s, username):
    return s.scalar(select(User).where(User.username == username))


def test_the_commission_starts_the_suggestion_process_and_nobody_else(db, org):
    with db.session() as s:
        assert starting.startable(s, _user(s, "commission")) == [
            ("suggestion", "代表建议办理")]
        assert starting.may_start(s, _user(s, "commission"), "suggestion")
        for other in ("leader", "transport_unit_handler", "dep_1"):
            # deputies start only their own online suggestions (提出建议, bpmn/intake.bpmn)
            assert starting.startable(s, _user(s, other)) == (
                [("intake", "代表提出建议")] if other == "dep_1" else [])
            assert not starting.may_start(s, _user(s, other), "suggestion")
        # unit_handling is deployed, but nobody is allowed to start it on its own
        assert not starting.may_start(s, _user(s, "commission"), "unit_handling")


def test_allowing_and_denying_a_role_is_audited(db, org):
    with db.write() as s:
        roles.add_role(s, "inspection_office", "政府办公厅督查室", "Inspection office",
                       actor="admin", now=START)
        create_user(s, "inspector", "督查员", "inspection_office", "pw")
        assert starting.allow(s, "unit_handling", "inspection_office", actor="designer", now=START)
        assert not starting.allow(s, "unit_handling", "inspection_office", actor="designer",
                                  now=START)
    with db.session() as s:
        assert starting.startable(s, _user(s, "inspector")) == [
            ("unit_handling", "承办单位办理")]
        assert starting.allowed_roles(s)["unit_handling"] == ["inspection_office"]
    with db.write() as s:
        assert starting.deny(s, "unit_handling", "inspection_office", actor="designer", now=START)
    with db.session() as s:
        assert not starting.may_start(s, _user(s, "inspector"), "unit_handling")
        changes = [e.detail["change"] for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == "start_permission"))]
    assert changes == ["allow", "deny"]


def test_a_process_not_deployed_is_not_startable_even_if_allowed(db, org):
    with db.write() as s:
        starting.allow(s, "not_deployed", "commission", actor="designer", now=START)
        assert not starting.may_start(s, _user(s, "commission"), "not_deployed")


@pytest.mark.parametrize("process_id, role", [
    ("suggestion", "no_such_role"), ("<script>", "commission"), ("a" * 129, "commission"),
    ("", "commission"), (None, "commission"), ("suggestion", None),
])
def test_bad_processes_and_roles_are_refused(db, org, process_id, role):
    with db.write() as s, pytest.raises(RoleError):
        starting.allow(s, process_id, role, actor="designer", now=START)
    with db.session() as s:
        assert starting.may_start(s, _user(s, "commission"), process_id) is (
            process_id == "suggestion")
