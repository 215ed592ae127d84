"""代表约见承办单位 (examples/deputy_meeting): the second process, built from BPMN, forms and its
settings file only. The paths a demo does not walk: the unit declines, the unit never schedules
(the timer brings the commission in while the unit's task stays open), another unit's handler."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import DeployError, Package
from models import HumanTask, ProcessInstance, User
from workflows import designer, instances, process_settings, tasks
from workflows.errors import PermissionDenied

from ..conftest import START

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "deputy_meeting"
REQUEST = {"meeting_unit": "transport", "topic": "城乡公交一体化", "reason": "当面了解线路调整。"}


@pytest.fixture
def meeting(db, domain_engine, org):
    """The process deployed with its settings; returns the deputy's username."""
    package = Package.from_folder(FOLDER)
    with db.write() as s:
        with pytest.raises(DeployError) as refused:  # no rules yet: each lane is named
            designer.deploy_package(s, domain_engine, package, "designer")
        assert {p.element_id for p in refused.value.problems} == {
            "lane_deputy", "lane_unit", "lane_commission"}
        process_settings.load(s, (FOLDER / "deputy_meeting.settings.toml").read_text("utf-8"),
                              actor="designer", now=START)
        designer.deploy_package(s, domain_engine, package, "designer")
    return f"dep_{org.deputies['王芳']}"


def _ready(db, case):
    with db.session() as s:
        return {t.bpmn_id: t for t in s.scalars(select(HumanTask).where(
            HumanTask.instance_id == case, HumanTask.state == "ready"))}


def _do(db, engine, case, step, username, data=None):
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == username))
        tasks.complete(s, engine, user, _ready(db, case)[step].id, data or {})


def _start(db, engine, deputy):
    with db.write() as s:
        case = engine.start(s, "deputy_meeting", {}, actor=deputy).instance_id
    _do(db, engine, case, "request_meeting", deputy, REQUEST)
    return case


def test_a_declined_meeting_ends_after_the_deputy_reads_why(db, domain_engine, meeting):
    case = _start(db, domain_engine, meeting)
    schedule = _ready(db, case)["schedule_meeting"]
    assert (schedule.candidate_role, schedule.candidate_unit) == ("unit_handler", "transport")
    with db.write() as s, pytest.raises(PermissionDenied):  # another unit's handler
        other = s.scalar(select(User).where(User.username == "finance_unit_handler"))
        tasks.complete(s, domain_engine, other, schedule.id, {"decision": "meet"})
    _do(db, domain_engine, case, "schedule_meeting", "transport_unit_handler",
        {"decision": "decline", "decline_reason": "已书面答复，建议电话沟通"})
    read = _ready(db, case)["read_decline"]
    assert (read.assignee, read.candidate_role) == (meeting, None)  # the initiator's, in person
    with db.session() as s:
        shown = instances.task_instructions(s, domain_engine, read)
    assert "已书面答复，建议电话沟通" in shown.html and "<blockquote>" in shown.html
    _do(db, domain_engine, case, "read_decline", meeting)
    with db.session() as s:
        assert s.get(ProcessInstance, case).status == "completed"


def test_a_unit_that_does_not_schedule_is_urged_and_its_task_stays_open(db, domain_engine,
                                                                        meeting):
    case = _start(db, domain_engine, meeting)
    with db.write() as s:
        domain_engine.fire_due_timers(s, START + timedelta(days=4, hours=23))
    assert set(_ready(db, case)) == {"schedule_meeting"}
    with db.write() as s:
        domain_engine.fire_due_timers(s, START + timedelta(days=5, minutes=1))
    ready = _ready(db, case)
    assert set(ready) == {"schedule_meeting", "urge_unit"}
    assert ready["urge_unit"].candidate_role == "commission"
    with db.session() as s:
        shown = instances.task_instructions(s, domain_engine, ready["urge_unit"])
    assert "<strong>省交通运输厅</strong>" in shown.html and "城乡公交一体化" in shown.html
    _do(db, domain_engine, case, "urge_unit", "commission")
    _do(db, domain_engine, case, "schedule_meeting", "transport_unit_handler",
        {"decision": "meet", "meeting_date": "2026-03-12", "place": "厅 3 楼会议室"})
    assert set(_ready(db, case)) == {"confirm_meeting"}


def test_scheduling_requires_what_the_decision_needs(db, domain_engine, meeting):
    from engine import FormError
    case = _start(db, domain_engine, meeting)
    for data in ({"decision": "meet"}, {"decision": "decline"},
                 {"decision": "meet", "meeting_date": "12/03/2026", "place": "厅"}):
        with pytest.raises(FormError):
            _do(db, domain_engine, case, "schedule_meeting", "transport_unit_handler", data)
    assert set(_ready(db, case)) == {"schedule_meeting"}


def test_lane_rules_carry_across_versions_and_a_migrated_case_follows_the_new_lanes(
        db, domain_engine, meeting):
    """v2 gives the urging to a new lane (督查室, a role an administrator added): it needs its
    rule before it deploys; the other lanes' rules carry over untouched. A case waiting at
    安排约见 on v1 migrates: its open task keeps its unit, and the urging it reaches later goes
    by v2's lane."""
    from workflows.roles import add_role
    from workflows.users import create_user
    case = _start(db, domain_engine, meeting)
    files = dict(Package.from_folder(FOLDER).files)
    files["deputy_meeting.bpmn"] = files["deputy_meeting.bpmn"].replace(
        'name="代表工委"', 'name="督查室"')
    with db.write() as s:
        add_role(s, "inspection_office", "政府办公厅督查室", "Inspection office", actor="admin",
                 now=START)
        create_user(s, "inspector", "督查员", "inspection_office", "pw")
        with pytest.raises(DeployError) as refused:
            designer.deploy(s, domain_engine, files, "designer")
        assert [p.element_id for p in refused.value.problems] == ["lane_commission"]
        assert "督查室" in refused.value.problems[0].reason
    with db.write() as s:
        from workflows import lanes
        lanes.set_rule(s, process_id="deputy_meeting", lane="督查室", kind="role",
                       role="inspection_office", actor="designer", now=START)
        v2 = designer.deploy(s, domain_engine, files, "designer").id
    with db.write() as s:
        [plan] = designer.migrate_cases(s, domain_engine, process_id="deputy_meeting",
                                        to_version_id=v2, actor="designer", case_id=case)
        assert plan.reasons == [], plan
        [done] = designer.migrate_cases(s, domain_engine, process_id="deputy_meeting",
                                        to_version_id=v2, actor="designer", case_id=case,
                                        dry=False)
        assert done.migrated
    with db.session() as s:
        assert s.get(ProcessInstance, case).process_version_id == v2
    assert _ready(db, case)["schedule_meeting"].candidate_unit == "transport"
    with db.write() as s:
        domain_engine.fire_due_timers(s, START + timedelta(days=6))
    urge = _ready(db, case)["urge_unit"]
    assert (urge.lane, urge.candidate_role) == ("督查室", "inspection_office")
    _do(db, domain_engine, case, "urge_unit", "inspector")
