"""Feedback only by the lead deputy (issue 13, item 3).

A lead deputy without a login account used to produce a feedback task open to every deputy; one
of them rated it "dissatisfied" and sent the case back to the unit. Now such a task is the
commission's, who record the deputy's paper form on their behalf (代录) — marked on the case page,
in the audit trail and in the figures — and an account given later takes the open task over and
receives the later rounds.
"""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from engine import Package
from models import (Assignment, AuditEvent, Deputy, Feedback, HumanTask, Notification,
                    Suggestion, Unit, User)
from webui.cli import main
from workflows import deputies, designer, inbox as inbox_actions, statistics, tasks
from workflows.lanes import set_rule
from workflows.errors import DomainError, PermissionDenied
from workflows.users import create_user

from ..conftest import BPMN, START
from ..webui.conftest import app, login_as  # noqa: F401  (the web fixtures)
from ..workflows.helpers import Cases

PAPER = "赵敏"  # a lead deputy with no login account
DEPUTIES = ("dep_1", "dep_2", "dep_3")  # the org fixture's deputies, each with an account
LEAD_CO = {"mode": "lead_co", "lead_unit": "transport", "co_units": ["finance"],
           "key_suggestion": False}
FEEDBACK_STEPS = {"feedback", "co_feedback"}


@pytest.fixture
def cases(db, domain_engine, org):
    return Cases(db, domain_engine, org)


@pytest.fixture
def paper_deputy(db, org) -> int:
    with db.write() as session:
        deputy = Deputy(name=PAPER, electoral_unit="常德市")
        session.add(deputy)
        session.flush()
        org.deputies[PAPER] = deputy.id
    return org.deputies[PAPER]


def _open(cases, case, bpmn_id, subject=None) -> HumanTask:
    found = [t for t in cases.tasks(case).get(bpmn_id, []) if subject in (None, t.subject)]
    assert len(found) == 1, f"{bpmn_id} ({subject}): {found}"
    return found[0]


def _user(session, username) -> User:
    return session.scalar(select(User).where(User.username == username))


def _complete(db, engine, username, task_id, data):
    with db.write() as session:
        return tasks.complete(session, engine, _user(session, username), task_id, data)


def _row(html: str, task_id: str) -> str:
    found = re.search(rf'<tr[^>]*data-task="{task_id}".*?</tr>', html, re.S)
    return found.group(0) if found else ""


def _assert_no_deputy_can_touch(db, engine, login_as, task_ids, usernames=DEPUTIES):  # noqa: F811
    """Not in any inbox, 403 on the page and on POST, not claimable, not completable."""
    for username in usernames:
        with db.session() as session:
            user = _user(session, username)
            assert not {t.id for t in tasks.my_tasks(session, user)} & set(task_ids)
        client = login_as(username)
        for queue in ("mine", "queue"):
            page = client.get(f"/inbox?queue={queue}").get_data(as_text=True)
            assert not any(task_id in page for task_id in task_ids), (username, queue)
        for task_id in task_ids:
            assert client.get(f"/tasks/{task_id}").status_code == 403
            response = client.post(f"/tasks/{task_id}", {"satisfaction": "dissatisfied",
                                                         "comment": "", "action": "complete"})
            assert response.status_code == 403
            assert client.post(f"/tasks/{task_id}", {"satisfaction": "dissatisfied",
                                                     "_action": "save"}).status_code == 403
            client.post(f"/tasks/{task_id}/claim")
            with pytest.raises(PermissionDenied):
                _complete(db, engine, username, task_id, {"satisfaction": "dissatisfied"})
            with pytest.raises(PermissionDenied):
                with db.write() as session:
                    inbox_actions.claim(session, _user(session, username), task_id,
                                        engine.clock())
    with db.session() as session:
        for task_id in task_ids:
            row = session.get(HumanTask, task_id)
            assert row.state == "ready" and not (row.assignee or "").startswith("dep_")


@pytest.mark.parametrize("lane", ["Deputy", "代表"])
def test_without_an_account_the_commission_records_the_paper_form(
        cases, db, domain_engine, org, paper_deputy, login_as, lane):  # noqa: F811
    """Also once a designer has renamed the deputy's lane: 代录 follows the lane's rule
    (`lead_deputy`), not its name."""
    if lane != "Deputy":
        files = dict(Package.from_folder(BPMN).files)
        files["unit_handling.bpmn"] = files["unit_handling.bpmn"].replace(
            'name="Deputy"', f'name="{lane}"', 1)
        with db.write() as s:
            set_rule(s, process_id="unit_handling", lane=lane, kind="lead_deputy",
                     actor="designer", now=START)
            designer.deploy(s, domain_engine, files, "designer")
    sid, case = cases.new(LEAD_CO, deputy=PAPER)
    assert cases.drive(case, stop_at=FEEDBACK_STEPS) == FEEDBACK_STEPS
    feedback, co = _open(cases, case, "feedback"), _open(cases, case, "co_feedback")
    for task in (feedback, co):
        assert (task.lane, task.candidate_role, task.candidate_unit, task.assignee) == \
            (lane, "commission", None, None)
        assert deputies.recorded_on_behalf(task, cases.read(deputies.lead_deputy_lanes))

    # In the commission's queue, marked 代录; in no deputy's inbox, and no deputy may act on it.
    commission = login_as("commission")
    queue = commission.get("/inbox?queue=queue").get_data(as_text=True)
    assert "代录" in _row(queue, feedback.id) and "代录" in _row(queue, co.id)
    _assert_no_deputy_can_touch(db, domain_engine, login_as, [feedback.id, co.id])
    with db.session() as session:
        assert session.scalar(select(Feedback.id)) is None

    # The commission records the paper form: the page says so.
    page = commission.get(f"/tasks/{feedback.id}").get_data(as_text=True)
    assert 'id="on-behalf"' in page and "代表工委代录" in page and PAPER in page
    for task, answer in ((feedback, "basically_satisfied"), (co, "satisfied")):
        response = commission.post(f"/tasks/{task.id}", {
            "satisfaction": answer, "comment": "据纸质征询意见表录入", "action": "complete"})
        assert response.status_code == 302, response.get_data(as_text=True)

    with db.session() as session:
        ratings = session.execute(select(Unit.code, Feedback.satisfaction, Feedback.given_by,
                                         Feedback.recorded_on_behalf)
                                  .join(Assignment, Assignment.id == Feedback.assignment_id)
                                  .join(Unit).order_by(Unit.code)).all()
        assert ratings == [("finance", "satisfied", "commission", True),
                           ("transport", "basically_satisfied", "commission", True)]
        # The audit trail: the completion by the commission member says it was on behalf.
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "complete", AuditEvent.task_id.in_([feedback.id, co.id]))).all()
        assert len(events) == 2
        assert all(e.actor == "commission" and e.detail["data"]["recorded_on_behalf"] is True
                   for e in events)
        # The figures tell recorded-on-behalf ratings apart, and a refresh keeps them.
        filters = statistics.Filters()
        for _ in range(2):
            lead = {f.unit_code: f for f in statistics.unit_figures(
                session, filters, scope="lead", now=domain_engine.clock())}
            co_units = {f.unit_code: f for f in statistics.unit_figures(
                session, filters, scope="co", now=domain_engine.clock())}
            assert (lead["transport"].rated, lead["transport"].rated_on_behalf) == (1, 1)
            assert (co_units["finance"].rated, co_units["finance"].rated_on_behalf) == (1, 1)
            with db.write(session):  # a write goes under the writer's lock, never in a read
                statistics.refresh_facts(session)

    # The case page marks both ratings and the two completions in the audit trail.
    html = commission.get(f"/cases/{sid}").get_data(as_text=True)
    card = html.split('id="feedback"', 1)[1].split("</div>", 1)[0]
    assert card.count("代表工委代录") == 2
    timeline = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.count("代表工委代录") == 2
    dashboard = commission.get("/supervision").get_data(as_text=True)
    assert '<td class="on-behalf">1</td>' in dashboard


def test_an_unassigned_task_of_the_deputy_role_is_nobodys(cases, db, domain_engine,
                                                          login_as):  # noqa: F811
    """Defence in depth: a row such as the old code wrote (role deputy, no assignee) is never
    shown to, claimed or completed by any deputy — the lead deputy included."""
    sid, case = cases.new(LEAD_CO, deputy="王芳")
    cases.drive(case, stop_at=FEEDBACK_STEPS)
    ids = [_open(cases, case, "feedback").id, _open(cases, case, "co_feedback").id]
    with db.write() as session:
        session.execute(update(HumanTask).where(HumanTask.id.in_(ids))
                        .values(candidate_role="deputy", assignee=None))
    _assert_no_deputy_can_touch(db, domain_engine, login_as, ids)
    with db.session() as session:
        for username in DEPUTIES:
            user = _user(session, username)
            assert not any(inbox_actions.may_complete_as(user, session.get(HumanTask, i))
                           for i in ids)
        assert session.scalar(select(Feedback.id)) is None


def test_an_account_given_later_takes_over_the_open_task_and_the_next_rounds(
        cases, db, domain_engine, org, paper_deputy, login_as):  # noqa: F811
    sid, case = cases.new({**LEAD_CO, "co_units": ["finance", "education"]}, deputy=PAPER)
    cases.drive(case, stop_at=FEEDBACK_STEPS)
    # The commission records one co-unit's rating before the deputy has an account.
    finance = _open(cases, case, "co_feedback", "省财政厅")
    _complete(db, domain_engine, "commission", finance.id, {"satisfaction": "satisfied"})
    feedback = _open(cases, case, "feedback")
    education = _open(cases, case, "co_feedback", "省教育厅")
    with db.write() as session:
        create_user(session, "zhaomin", PAPER, "deputy", "pw")
    commission = login_as("commission")
    commission.post(f"/tasks/{feedback.id}/claim")  # claimed, then handed to the deputy anyway

    result = CliRunner().invoke(main, ["users", "link-deputy", "zhaomin", str(paper_deputy),
                                       "--by", "admin"],
                                env={"DATABASE_URL": db.url.render_as_string(hide_password=False)})
    assert result.exit_code == 0, result.output
    assert "2 open feedback task(s)" in result.output

    with db.session() as session:
        for task_id in (feedback.id, education.id):
            row = session.get(HumanTask, task_id)
            assert (row.candidate_role, row.assignee, row.claimed_at) == ("deputy", "zhaomin", None)
        assert session.scalar(select(User.deputy_id).where(User.username == "zhaomin")) == \
            paper_deputy
        linked = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "deputy_linked")).one()
        assert (linked.actor, linked.detail["username"]) == ("admin", "zhaomin")
        handed = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "hand_over", AuditEvent.instance_id == case)).all()
        assert {e.task_id for e in handed} == {feedback.id, education.id}
        assert all(e.detail == {"to": "zhaomin", "reason": "deputy_linked"} for e in handed)
        assert session.scalar(select(Notification.id).where(
            Notification.username == "zhaomin", Notification.link == f"/tasks/{feedback.id}"))

    # The commission can no longer record it; the deputy has it in person.
    with pytest.raises(PermissionDenied):
        _complete(db, domain_engine, "commission", feedback.id, {"satisfaction": "satisfied"})
    assert commission.get(f"/tasks/{feedback.id}").status_code == 403
    assert commission.post(f"/tasks/{feedback.id}", {"satisfaction": "satisfied",
                                                     "action": "complete"}).status_code == 403
    assert feedback.id not in commission.get("/inbox?queue=queue").get_data(as_text=True)
    _assert_no_deputy_can_touch(db, domain_engine, login_as, [feedback.id, education.id])
    deputy = login_as("zhaomin")
    mine = deputy.get("/inbox?queue=mine").get_data(as_text=True)
    assert feedback.id in mine and education.id in mine and "代录" not in _row(mine, feedback.id)
    page = deputy.get(f"/tasks/{feedback.id}").get_data(as_text=True)
    assert 'id="on-behalf"' not in page and 'id="hand-over"' not in page
    for task, answer in ((feedback, "dissatisfied"), (education, "very_satisfied")):
        assert deputy.post(f"/tasks/{task.id}", {"satisfaction": answer, "comment": "",
                                                 "action": "complete"}).status_code == 302

    # 不满意 → rehandle → feedback_again: the next round is the deputy's.
    assert cases.drive(case, stop_at={"feedback_again"}) == {"feedback_again"}
    again = _open(cases, case, "feedback_again")
    assert (again.candidate_role, again.assignee) == ("deputy", "zhaomin")
    _assert_no_deputy_can_touch(db, domain_engine, login_as, [again.id])
    with pytest.raises(PermissionDenied):
        _complete(db, domain_engine, "commission", again.id, {"satisfaction": "satisfied"})
    _complete(db, domain_engine, "zhaomin", again.id, {"satisfaction": "satisfied"})
    with db.session() as session:
        ratings = session.execute(select(Unit.code, Feedback.round, Feedback.satisfaction,
                                         Feedback.given_by, Feedback.recorded_on_behalf)
                                  .join(Assignment, Assignment.id == Feedback.assignment_id)
                                  .join(Unit).order_by(Unit.code, Feedback.round)).all()
    assert ratings == [("education", 1, "very_satisfied", "zhaomin", False),
                       ("finance", 1, "satisfied", "commission", True),
                       ("transport", 1, "dissatisfied", "zhaomin", False),
                       ("transport", 2, "satisfied", "zhaomin", False)]
    html = commission.get(f"/cases/{sid}").get_data(as_text=True)
    card = html.split('id="feedback"', 1)[1].split("</div>", 1)[0]
    assert card.count("代表工委代录") == 1  # the finance rating only
    timeline = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.count("代表已开通账号，转由代表本人办理") == 2  # the two tasks handed over


def test_later_rounds_follow_an_account_given_when_no_task_was_open(
        cases, db, domain_engine, org, paper_deputy):
    """The lane reads the deputy's account when a task opens, not the case data's snapshot."""
    sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "co_units": [],
                           "key_suggestion": False}, deputy=PAPER)
    cases.drive(case, stop_at={"feedback"})
    _complete(db, domain_engine, "commission", _open(cases, case, "feedback").id,
              {"satisfaction": "dissatisfied", "comment": "纸质意见表：不满意"})
    assert "rehandle" in cases.tasks(case)
    with db.write() as session:
        create_user(session, "zhaomin", PAPER, "deputy", "pw")
        assert deputies.link_account(session, "zhaomin", paper_deputy, actor="admin",
                                     now=domain_engine.clock()) == []
    cases.drive(case, stop_at={"feedback_again"})
    again = _open(cases, case, "feedback_again")
    assert (again.candidate_role, again.assignee) == ("deputy", "zhaomin")
    with db.session() as session:
        final = session.scalar(select(Assignment.feedback_recorded_on_behalf).where(
            Assignment.suggestion_id == sid))
    assert final is True  # until the deputy's own rating replaces the recorded one
    _complete(db, domain_engine, "zhaomin", again.id, {"satisfaction": "satisfied"})
    with db.session() as session:
        final = session.execute(select(Assignment.satisfaction,
                                       Assignment.feedback_recorded_on_behalf).where(
            Assignment.suggestion_id == sid)).one()
    assert tuple(final) == ("satisfied", False)


def test_an_account_created_with_its_deputy_id_is_handed_the_open_task_by_linking(
        cases, db, domain_engine, paper_deputy):
    sid, case = cases.new({"mode": "sole", "lead_unit": "transport", "co_units": [],
                           "key_suggestion": False}, deputy=PAPER)
    cases.drive(case, stop_at={"feedback"})
    task = _open(cases, case, "feedback")
    with db.write() as session:
        create_user(session, "zhaomin", PAPER, "deputy", "pw", deputy_id=paper_deputy)
    with db.write() as session:
        assert deputies.link_account(session, "zhaomin", paper_deputy, actor="admin",
                                     now=domain_engine.clock()) == [task.id]
    with db.write() as session:  # again: nothing left to move, nothing audited
        assert deputies.link_account(session, "zhaomin", paper_deputy, actor="admin",
                                     now=domain_engine.clock()) == []
    with db.session() as session:
        row = session.get(HumanTask, task.id)
        assert (row.candidate_role, row.assignee) == ("deputy", "zhaomin")
        linked = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "deputy_linked")).all()
        assert [e.detail["tasks_handed_over"] for e in linked] == [1]


def test_merged_suggestions_feedback_stays_with_the_lead_deputy(cases, db, domain_engine,
                                                                paper_deputy,
                                                                login_as):  # noqa: F811
    """并案: the process asks the lead deputy of the case's suggestion; the merged suggestion's
    deputy (who has an account) gets no feedback task of it."""
    merged = cases.register(deputy="李强", start_case=False)
    with db.session() as session:
        number = session.get(Suggestion, merged).number
    sid, case = cases.new({"mode": "merged", "lead_unit": "transport", "co_units": [],
                           "merged_numbers": [number], "key_suggestion": False}, deputy=PAPER)
    cases.drive(case, stop_at={"feedback"})
    task = _open(cases, case, "feedback")
    assert (task.candidate_role, task.assignee) == ("commission", None)
    _assert_no_deputy_can_touch(db, domain_engine, login_as, [task.id], usernames=["dep_2"])


def test_linking_refuses_what_would_give_feedback_to_the_wrong_person(db, org, paper_deputy,
                                                                      domain_engine):
    now = domain_engine.clock()
    wang = org.deputies["王芳"]
    with db.write() as session:
        create_user(session, "wang_again", "王芳", "deputy", "pw")
    refusals = [
        ("transport_unit_handler", paper_deputy, "只有代表账号"),  # not a deputy's account
        ("dep_2", paper_deputy, "已关联另一位代表"),  # already another deputy's
        ("wang_again", wang, "已有账号"),  # 王芳 has an account already
        ("nobody", paper_deputy, "不存在"),
        ("wang_again", 999999, "不存在"),
    ]
    for username, deputy_id, message in refusals:
        with pytest.raises(DomainError, match=message):
            with db.write() as session:
                deputies.link_account(session, username, deputy_id, actor="admin", now=now)
    result = CliRunner().invoke(main, ["users", "link-deputy", "dep_2", str(paper_deputy)],
                                env={"DATABASE_URL": db.url.render_as_string(hide_password=False)})
    assert result.exit_code == 1 and "已关联另一位代表" in result.output
    with db.session() as session:
        assert session.scalar(select(User.deputy_id).where(User.username == "wang_again")) is None
        assert session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "deputy_linked")) is None
