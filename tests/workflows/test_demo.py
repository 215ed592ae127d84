"""`jianyi demo`: a realistic province with cases at every stage."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import func, select

from models import (Assignment, Deputy, Division, Escalation, Feedback, HumanTask, Notification,
                    ProgressReport, Reply, Suggestion, Unit, User)
from workflows import demo


def test_the_demo_province_has_every_stage_and_a_login_per_role(db):
    with db.write() as session:
        logins = demo.load(session)
    with db.session() as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa
        assert count(Unit) >= 20 and count(Division) >= 40 and count(Deputy) >= 40
        assert count(Suggestion) >= 60
        roles = set(session.scalars(select(User.role)))
        assert roles == {"commission", "unit_handler", "reviewer", "signer", "deputy",
                         "provincial_leader", "committee", "designer", "admin"}
        assert {login.role for login in logins} == roles
        statuses = Counter(session.scalars(select(Suggestion.status)))
        assert {"registered", "assigned", "handling", "replied", "closed"} <= set(statuses)
        open_steps = set(session.scalars(select(HumanTask.bpmn_id)
                                         .where(HumanTask.state == "ready")))
        assert {"assign", "acknowledge", "decide_return", "draft_reply", "review", "feedback",
                "rehandle", "supervise_meeting", "follow_up_report",
                "coordinate_requested", "supervise_overdue",
                "intake_cosign", "intake_review"} <= open_steps  # 提出建议 online
        levels = set(session.scalars(select(Escalation.level)))
        assert {"reminder", "supervision", "high_level"} <= levels
        assert session.scalar(select(func.count()).select_from(Feedback)
                              .where(Feedback.satisfaction == "dissatisfied")) >= 3
        assert session.scalar(select(func.count()).select_from(Reply)
                              .where(Reply.answer_class == "B")) >= 4
        assert session.scalar(select(func.count()).select_from(Suggestion)
                              .where(Suggestion.key_suggestion.is_(True))) >= 3
        # A deputy without an account: the commission recorded one feedback form (代录) and
        # another waits in its queue; no deputy has either.
        paper = session.scalars(select(Deputy).where(
            Deputy.id.not_in(select(User.deputy_id).where(User.deputy_id.is_not(None))))).all()
        assert len(paper) == 1
        recorded = session.scalars(select(Feedback).where(
            Feedback.recorded_on_behalf.is_(True))).all()
        assert recorded and all(f.given_by == "commission" for f in recorded)
        waiting = session.scalars(select(HumanTask).where(
            HumanTask.state == "ready", HumanTask.lane == "Deputy",
            HumanTask.candidate_role == "commission")).all()
        assert {t.bpmn_id for t in waiting} >= {"feedback"}
        assert all(t.assignee is None for t in waiting)
        assert session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.candidate_role == "deputy", HumanTask.assignee.is_(None))) == 0
        assert demo.is_loaded(session)
        # 代理: jtt_reviewer is away and jtt_reviewer2 has their claimed review; a saved filter.
        from models import SavedFilter
        from workflows import substitution, tasks
        stand_in = substitution.acting(session, session.scalar(select(User).where(
            User.username == "jtt_reviewer2")), datetime.now(timezone.utc))
        assert [a.username for a in stand_in.substituting] == ["jtt_reviewer"]
        assert any(t.assignee == "jtt_reviewer" for t in tasks.my_tasks(session, stand_in))
        assert session.scalar(select(SavedFilter.name)) == "已逾期"
        # A few logins have an e-mail address, given after the year's cases: nothing of the
        # past waits in the mail outbox.
        from models import MailOutbox
        from workflows.demo.mail import ADDRESSES
        addresses = dict(session.execute(select(User.username, User.email)
                                         .where(User.email.is_not(None))).all())
        assert addresses == {name: chosen[0] for name, chosen in ADDRESSES.items()}
        assert session.scalar(select(func.count()).select_from(MailOutbox)) == 0


def test_the_demo_shows_a_re_signed_reply_and_unacknowledged_overdue_cases(db):
    """Issue 14 items 1 and 2: a re-handled reply reviewed (sent back once) and signed again;
    cases never acknowledged are escalated on their clock from the assignment meeting."""
    from models import Assignment, AuditEvent
    with db.write() as session:
        demo.load(session)
    with db.session() as session:
        case = session.scalar(select(Suggestion.instance_id).where(
            Suggestion.title == "关于完善城乡公交一体化的建议"))
        again = [(e.bpmn_id, e.actor, e.detail["data"].get("review_decision"))
                 for e in session.scalars(select(AuditEvent).where(
                     AuditEvent.action == "complete", AuditEvent.instance_id == case,
                     AuditEvent.bpmn_id.in_(["review_again", "sign_off_again"]))
                     .order_by(AuditEvent.id))]
        assert again == [("review_again", "jtt_reviewer", "send_back"),
                         ("review_again", "jtt_reviewer", "approve"),
                         ("sign_off_again", "jtt_signer", None)]
        unacknowledged = select(Assignment.id).where(Assignment.acknowledged_at.is_(None),
                                                     Assignment.status == "assigned")
        levels = set(session.scalars(select(Escalation.level).where(
            Escalation.assignment_id.in_(unacknowledged))))
        assert {"reminder", "supervision", "high_level"} <= levels


def test_the_demo_province_has_a_key_suggestion_with_its_mid_year_report(db):
    with db.write() as session:
        demo.load(session, now=datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc))
    with db.session() as session:
        [(report, key)] = session.execute(select(ProgressReport, Suggestion).join(
            Assignment, Assignment.id == ProgressReport.assignment_id).join(
            Suggestion, Suggestion.id == Assignment.suggestion_id)).all()
        assert report.period == "midyear" and "开工" in report.report
        assert key.key_suggestion and key.status == "closed"  # reported, then replied
        assert session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "progress_report", Notification.username == "leader")) == 1


def test_the_demo_has_a_resolved_escalation(db):
    with db.write() as session:
        demo.load(session)
    with db.session() as session:
        resolved = session.scalars(select(Escalation).where(
            Escalation.resolved_at.is_not(None))).all()
        assert any(e.level == "high_level" and e.resolved_by == "leader" for e in resolved)
        assert all(e.resolved_at >= e.raised_at for e in resolved)


def test_the_demo_shows_co_units_working_before_the_lead_unit(db):
    """Issue 14 item 2: a co-unit gave its opinion before the lead unit acknowledged; the lead
    unit was reassigned and the co-units did not start again."""
    from models import CoOpinion
    with db.write() as session:
        demo.load(session)
    with db.session() as session:
        suggestion = session.scalar(select(Suggestion).where(
            Suggestion.title == "关于推进城际铁路站城融合开发的建议"))
        units = {a.unit.code: a for a in suggestion.assignments}
        assert units["jtt"].status == "returned" and units["zjt"].acknowledged_at is None
        assert session.scalars(select(CoOpinion.assignment_id).join(Assignment).where(
            Assignment.suggestion_id == suggestion.id)).all() == [units["fgw"].id]
        ready = {(t.bpmn_id, t.candidate_unit) for t in session.scalars(select(HumanTask).where(
            HumanTask.instance_id == suggestion.instance_id, HumanTask.state == "ready"))}
        assert {("acknowledge", "zjt"), ("co_opinion", "czt")} <= ready
        assert not {b for b, _ in ready} & {"co_acknowledge", "draft_reply"}


def test_every_demo_login_is_a_person_named_in_chinese(db):
    """The page header shows name · role · unit: a name that repeats the unit's, says "代表"
    for a deputy or is an English role code (a new user's papercut) is wrong."""
    with db.write() as session:
        demo.load(session)
    with db.session() as session:
        rows = session.execute(select(User.name, User.role, Unit.name, Deputy.name)
                               .outerjoin(Unit, Unit.id == User.unit_id)
                               .outerjoin(Deputy, Deputy.id == User.deputy_id)).all()
    for name, role, unit, deputy in rows:
        assert name and name != unit and name not in ("代表", "代表工委", "管理员"), name
        assert all("\u4e00" <= ch <= "\u9fff" for ch in name), name
        if deputy is not None:
            assert name == deputy


def test_the_demo_has_a_committee_member_and_a_supervision_activity(db):
    """Issue 17 item 6: the `committee` login belongs to a committee and sees its field's cases,
    one of which shows the activity it recorded."""
    from models import AuditEvent, Committee, SupervisionActivity
    from workflows import cases, committees
    with db.write() as session:
        demo.load(session)
    with db.session() as session:
        member = session.scalar(select(User).where(User.username == "committee"))
        committee = session.get(Committee, member.committee_id)
        assert set(committee.field_codes) == {"教育", "医疗", "科技", "文旅"}
        [activity] = session.scalars(select(SupervisionActivity)).all()
        seen = session.scalars(select(Suggestion).where(cases.visible_suggestions(member))).all()
        assert activity.suggestion_id in {s.id for s in seen}
        assert seen and {s.field for s in seen} <= set(committee.field_codes)
        assert len(committees.committee_cases(session, committee.id)) == len(seen)
        suggestion = session.get(Suggestion, activity.suggestion_id)
        assert session.scalar(select(AuditEvent.actor).where(
            AuditEvent.action == "supervision_activity",
            AuditEvent.instance_id == suggestion.instance_id)) == "committee"


def test_the_demo_bulletin_compares_the_year_with_the_one_before(db):
    """`make run` shows the bulletin's figures (公报数据) beside last year's, with research."""
    from workflows import bulletin, congress_sessions
    with db.write() as session:
        demo.load(session)
    with db.session() as session:
        latest = congress_sessions.latest(session)
        figures = bulletin.bulletin(session, latest, datetime.now(timezone.utc))
        assert figures.previous is not None
        assert figures.previous.suggestions > figures.current.suggestions  # 无调研不建议
        assert figures.research_share_points > 0 and figures.current.from_research > 0
        assert figures.previous.first_rated > 0 and figures.very_satisfied_points is not None
