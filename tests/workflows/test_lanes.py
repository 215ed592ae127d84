"""Lanes as data: each lane's rule says who does its tasks; deploy refuses a lane without one."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import DeployError, Package, ProcessError, TaskContext
from models import AuditEvent, LaneRule, User
from workflows import designer, lanes, roles, tasks
from workflows.roles import RoleError
from workflows.users import create_user

from ..conftest import BPMN, START
from .helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


@pytest.fixture
def cases(db, domain_engine, org):
    return Cases(db, domain_engine, org)


def renamed(old: str, new: str) -> Package:
    """The shipped package with a lane of unit_handling.bpmn renamed."""
    files = dict(Package.from_folder(BPMN).files)
    assert f'name="{old}"' in files["unit_handling.bpmn"]
    files["unit_handling.bpmn"] = files["unit_handling.bpmn"].replace(
        f'name="{old}"', f'name="{new}"', 1)
    return Package(files)


def test_a_renamed_lane_is_refused_until_it_has_a_rule_then_its_tasks_go_by_it(
        cases, db, domain_engine):
    package = renamed("Reviewer", "Inspection")
    with db.write() as s, pytest.raises(DeployError) as err:
        designer.deploy_package(s, domain_engine, package, "designer")
    [problem] = err.value.problems
    assert (problem.file, problem.element_id) == ("unit_handling.bpmn", "lane_Reviewer")
    elements = "review, review_gw, review_again, review_again_gw"
    assert problem.reason == (f"流程 unit_handling 的泳道“Inspection”没有分派规则，其中的元素："
                              f"{elements} (lane 'Inspection' of process 'unit_handling' has no "
                              f"assignment rule; its elements: {elements})")
    assert (problem.process_id, problem.lane) == ("unit_handling", "Inspection")
    with db.write() as s:
        roles.add_role(s, "inspection_office", "政府办公厅督查室", "Inspection office",
                       actor="admin", now=START)
        create_user(s, "inspector", "督查员", "inspection_office", "pw")
        lanes.set_rule(s, process_id="unit_handling", lane="Inspection", kind="role",
                       role="inspection_office", actor="designer", now=START)
        assert designer.validate(s, domain_engine, dict(package.files)) == []
        designer.deploy_package(s, domain_engine, package, "designer")
    _sid, case = cases.new(SOLE)
    assert cases.drive(case, stop_at={"review"}) == {"review"}
    [review] = cases.tasks(case)["review"]
    assert (review.lane, review.candidate_role, review.candidate_unit) == (
        "Inspection", "inspection_office", None)
    with db.session() as s:
        inspector = s.scalar(select(User).where(User.username == "inspector"))
        assert [t.id for t in tasks.my_tasks(s, inspector)] == [review.id]
        reviewer = s.scalar(select(User).where(User.username == "transport_reviewer"))
        assert tasks.my_tasks(s, reviewer) == []
    cases.complete("inspector", case, "review", {"review_decision": "approve"})
    assert "sign_off" in cases.tasks(case)


def test_a_lane_whose_rule_is_gone_fails_the_step_naming_process_and_lane(cases, db):
    """Never a silent queue: the step is refused and nothing of it is written."""
    _sid, case = cases.new(SOLE)
    with db.write() as s:
        s.query(LaneRule).filter_by(process_id="unit_handling", lane="UnitHandler").delete()
    with pytest.raises(ProcessError, match="lane 'UnitHandler' of process 'unit_handling' has "
                                           "no assignment rule"):
        cases.complete("transport_unit_handler", case, "acknowledge",
                       {"decision": "acknowledge"})
    assert set(cases.tasks(case)) == {"acknowledge"}


def ctx(lane="L", data=None, initiator="starter") -> TaskContext:
    return TaskContext("p", lane, "t", data or {}, initiator)


@pytest.mark.parametrize("rule, data, expected", [
    (lanes.Rule("p", "L", "role", "commission"), {}, ("commission", None, None)),
    (lanes.Rule("p", "L", "unit_role", "reviewer", "branch.unit"),
     {"branch": {"unit": "water"}}, ("reviewer", "water", None)),
    (lanes.Rule("p", "L", "person", "provincial_leader", "supervising_leader"),
     {"supervising_leader": "leader2"}, ("provincial_leader", None, "leader2")),
    (lanes.Rule("p", "L", "person", "provincial_leader", "supervising_leader"),
     {"supervising_leader": None}, ("provincial_leader", None, None)),
    (lanes.Rule("p", "L", "person", None, "a.b.c.d"),
     {"a": {"b": {"c": {"d": "someone"}}}}, (None, None, "someone")),
    (lanes.Rule("p", "L", "initiator"), {}, (None, None, "starter")),
])
def test_each_kind_of_rule_gives_its_candidates(rule, data, expected):
    found = lanes.candidates(rule, ctx(data=data))
    assert (found.role, found.unit, found.assignee) == expected


@pytest.mark.parametrize("rule, data", [
    (lanes.Rule("p", "L", "unit_role", "reviewer", "branch.unit"), {}),
    (lanes.Rule("p", "L", "unit_role", "reviewer", "branch.unit"), {"branch": "water"}),
    (lanes.Rule("p", "L", "unit_role", "reviewer", "branch.unit"), {"branch": {"unit": ""}}),
    (lanes.Rule("p", "L", "unit_role", "reviewer", "branch.unit"), {"branch": {"unit": 7}}),
    (lanes.Rule("p", "L", "person", None, "owner"), {}),
    (lanes.Rule("p", "L", "person", None, "owner"), {"owner": ["a"]}),
])
def test_a_rule_whose_data_path_holds_nothing_usable_fails_the_step(rule, data):
    """Never a task for the role in every unit, nor one for nobody: the step fails, naming the
    lane and the path, and the case stays where it was."""
    with pytest.raises(ProcessError) as failed:
        lanes.candidates(rule, ctx(data=data))
    assert "'L' of process 'p'" in str(failed.value) and rule.path in str(failed.value)


def test_a_task_outside_every_lane_is_the_initiators():
    found = lanes.resolve(ctx(lane=None, initiator="clerk"))
    assert (found.role, found.unit, found.assignee) == (None, None, "clerk")


def test_the_lead_deputy_rule_gives_the_deputys_account_or_the_commissions_queue(cases):
    _sid, case = cases.new(SOLE, deputy="王芳")
    cases.drive(case, stop_at={"feedback"})
    [feedback] = cases.tasks(case)["feedback"]
    assert (feedback.candidate_role, feedback.assignee) == ("deputy", "dep_1")


@pytest.mark.parametrize("path", [
    "__class__", "branch.__dict__", "a.b.c.d.e", "a..b", ".a", "a.", "a-b", "a b", "1a",
    "a[0]", "x" * 65, "a." + "b" * 64 + ".c" * 40, "分支", "a\x00", "", None, 3,
])
def test_hostile_data_paths_are_refused_when_set_and_when_read(db, path):
    with db.write() as s, pytest.raises(lanes.RuleError) as err:
        lanes.set_rule(s, process_id="p", lane="L", kind="unit_role", role="reviewer",
                       path=path, actor="designer", now=START)
    assert "path" in err.value.problems
    if isinstance(path, str) and path:
        with pytest.raises(ProcessError):
            lanes.lookup({"a": {}}, path)


def test_a_path_never_reaches_anything_but_dict_items():
    class Sneaky(dict):
        unit = "attribute"
    assert lanes.lookup({"branch": Sneaky()}, "branch.unit") is None
    assert lanes.lookup({"branch": ["water"]}, "branch.unit") is None


@pytest.mark.parametrize("fields, field", [
    (dict(kind="nonsense"), "kind"),
    (dict(kind="role", role=None), "role"),
    (dict(kind="role", role="nobody"), "role"),
    (dict(kind="unit_role", role="reviewer", path=None), "path"),
    (dict(kind="initiator", role="commission"), "role"),
    (dict(kind="lead_deputy", path="a"), "path"),
    (dict(kind="role", role="commission", process_id="<script>"), "process_id"),
    (dict(kind="role", role="commission", lane=""), "lane"),
    (dict(kind="role", role="commission", lane="x" * 256), "lane"),
    (dict(kind="role", role="commission", lane="a\u202eb"), "lane"),
])
def test_a_rule_is_checked_field_by_field(db, fields, field):
    values = dict(process_id="p", lane="L", role=None, path=None) | fields
    with db.write() as s, pytest.raises(lanes.RuleError) as err:
        lanes.set_rule(s, actor="designer", now=START, **values)
    assert field in err.value.problems


def test_setting_and_deleting_rules_is_audited_and_a_rule_in_use_stays(db, org):
    with db.write() as s:
        rule = lanes.set_rule(s, process_id="other", lane="Office", kind="initiator",
                              actor="designer", now=START)
        lanes.set_rule(s, process_id="other", lane="Office", kind="role", role="commission",
                       actor="designer", now=START)
        lanes.delete_rule(s, rule.id, actor="designer", now=START)
        in_use = s.scalar(select(LaneRule.id).where(LaneRule.process_id == "unit_handling",
                                                    LaneRule.lane == "Signer"))
    with db.write() as s, pytest.raises(lanes.RuleError) as err:
        lanes.delete_rule(s, in_use, actor="designer", now=START)
    assert "lane 'Signer' is in the newest deployed version of process 'unit_handling'" in str(err.value)
    with db.session() as s:
        assert s.get(LaneRule, in_use) is not None
        changes = [e.detail["change"] for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == "lane_rule").order_by(AuditEvent.id))]
    assert changes == ["set", "set", "delete"]


def test_rules_are_read_again_after_a_change(db):
    """The rules are kept between steps and read again when one changes."""
    with db.write() as s:
        first = lanes.rules(s)
        assert first[("unit_handling", "Supervisor")].role == "commission"
        lanes.set_rule(s, process_id="unit_handling", lane="Supervisor", kind="role",
                       role="provincial_leader", actor="designer", now=START)
    with db.session() as s:
        assert lanes.rules(s)[("unit_handling", "Supervisor")].role == "provincial_leader"


def test_a_role_is_added_checked_and_given(db, org):
    with db.write() as s:
        roles.add_role(s, "inspection_office", "政府办公厅督查室", "Inspection office",
                       actor="admin", now=START)
        user = s.scalar(select(User).where(User.username == "commission"))
        roles.set_user_role(s, user, "inspection_office", actor="admin", now=START)
    for code in ("inspection_office", "Admin", "a", "x" * 33, "1abc", "a-b", None):
        with db.write() as s, pytest.raises(RoleError) as err:
            roles.add_role(s, code, "名", "Name", actor="admin", now=START)
        assert "code" in err.value.problems
    with db.write() as s, pytest.raises(RoleError):
        roles.set_user_role(s, s.scalar(select(User).where(User.username == "leader")),
                            "no_such_role", actor="admin", now=START)
    with db.write() as s, pytest.raises(Exception, match="unknown role"):
        create_user(s, "x", "x", "no_such_role", "pw")
    with db.session() as s:
        assert s.scalar(select(User.role).where(User.username == "commission")) == \
            "inspection_office"
        assert roles.names(s)["inspection_office"] == ("政府办公厅督查室", "Inspection office")
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["role_added", "user_role_changed"]
