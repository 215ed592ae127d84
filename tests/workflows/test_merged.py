"""并案 (merged handling): the merged suggestions' own cases close as merged, bad numbers are
refused, and each merged lead deputy is told of the reply, sees it and rates it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import FormError
from models import (AuditEvent, CongressSession, Feedback, HumanTask, Notification,
                    ProcessInstance, Suggestion, User)
from workflows import simulate, statistics
from workflows.errors import DomainError

from .helpers import Cases

MERGED = {"mode": "merged", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def _merged_case(db, domain_engine, org, *, deputies=("李强", "张伟")):
    """Suggestions 1.. registered on the web (each its own case at `assign`), then one more
    assigned as 并案 with them merged into it. Returns (cases, host id, host case, merged ids)."""
    cases = Cases(db, domain_engine, org)
    merged = [cases.register(deputy=name, title=f"关于城际铁路站点设置的建议{n}")
              for n, name in enumerate(deputies, start=1)]
    host, case = cases.new({**MERGED, "merged_numbers": list(range(1, len(deputies) + 1))})
    return cases, host, case, merged


def _feedback_tasks(cases, case):
    return cases.tasks(case).get("merged_feedback", [])


def test_a_merged_suggestions_own_case_is_closed_as_merged(db, domain_engine, org):
    cases, host, case, (first, second) = _merged_case(db, domain_engine, org)
    with db.session() as session:
        for sid in (first, second):
            merged = session.get(Suggestion, sid)
            assert (merged.merged_into_id, merged.status, merged.mode) == (host, "merged", "merged")
            instance = session.get(ProcessInstance, merged.instance_id)
            assert instance.status == "cancelled" and instance.completed_at is not None
            assert session.scalars(select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.state == "ready")).all() == []
            event = session.scalar(select(AuditEvent).where(
                AuditEvent.instance_id == instance.id, AuditEvent.action == "case_cancelled"))
            assert event.actor == "commission"
            assert event.detail == {"reason": "merged", "into_suggestion_id": host,
                                    "into_number": 3}
    from engine.consistency import check_audit, check_instances
    with db.session() as session:
        assert check_instances(session, domain_engine) == [] and check_audit(session) == []


@pytest.mark.parametrize("numbers, reason", [
    ([999], "本次会议没有第999号建议"),
    ([1, 1], "第1号重复"),
    ([3], "不能并入自身"),
])
def test_unknown_duplicate_and_own_numbers_are_refused(db, domain_engine, org, numbers, reason):
    cases = Cases(db, domain_engine, org)
    cases.register(deputy="李强")
    cases.register(deputy="张伟")
    host = cases.register()
    with pytest.raises(FormError) as err:
        cases.complete("commission", cases.case(host), "assign",
                       {**MERGED, "merged_numbers": numbers})
    assert reason in err.value.errors["merged_numbers"]
    assert "assign" in cases.tasks(cases.case(host))  # nothing written
    with db.session() as session:
        assert session.get(Suggestion, host).status == "registered"


def test_already_merged_or_assigned_numbers_are_refused(db, domain_engine, org):
    cases, host, case, (first, second) = _merged_case(db, domain_engine, org)
    assigned, _ = cases.new({"mode": "sole", "lead_unit": "water", "key_suggestion": False})
    other = cases.register()
    with pytest.raises(FormError) as err:
        cases.complete("commission", cases.case(other), "assign",
                       {**MERGED, "merged_numbers": [1, 4]})
    message = err.value.errors["merged_numbers"]
    assert "第1号建议已并入第3号建议" in message and "第4号建议已交办" in message


def test_a_number_of_another_session_is_refused(db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    with db.write() as session:
        earlier = CongressSession(congress=14, meeting=2, year=2025, name="省十四届人大二次会议")
        session.add(earlier)
        session.flush()
        from models import Deputy
        from workflows import suggestions
        suggestions.register(session, domain_engine, congress_session=earlier, number=7,
                             title="关于往年的建议", body="关于往年的建议", field="交通",
                             lead_deputy=session.get(Deputy, org.deputies["李强"]),
                             actor="commission")
    host = cases.register()
    with pytest.raises(FormError) as err:
        cases.complete("commission", cases.case(host), "assign", {**MERGED, "merged_numbers": [7]})
    assert "第7号建议不属于本次会议" in err.value.errors["merged_numbers"]


def test_the_operator_refuses_bad_numbers_on_every_path(db, domain_engine, org):
    """The engine's own path (no form check) is refused too: nothing silently skipped."""
    cases = Cases(db, domain_engine, org)
    host = cases.register()
    with db.write() as session:
        task = session.scalar(select(HumanTask).where(
            HumanTask.instance_id == cases.case(host), HumanTask.bpmn_id == "assign"))
        with pytest.raises(DomainError) as err:
            domain_engine.complete(session, task.id, "commission",
                                   {**MERGED, "merged_numbers": [999]})
        assert "999" in str(err.value)
        session.rollback()


def test_each_merged_deputy_is_told_sees_the_reply_and_rates_it(db, domain_engine, org):
    cases, host, case, (first, second) = _merged_case(db, domain_engine, org)
    left = cases.drive(case, stop_at={"feedback", "merged_feedback"})
    assert left == {"feedback", "merged_feedback"}
    tasks = _feedback_tasks(cases, case)
    owners = {t.assignee: t.subject for t in tasks}
    li, zhang = (f"dep_{org.deputies[n]}" for n in ("李强", "张伟"))
    assert owners == {li: "第1号建议（并案）· 省交通运输厅",
                      zhang: "第2号建议（并案）· 省交通运输厅"}
    assert all(t.candidate_role == "deputy" for t in tasks)
    with db.session() as session:
        for username, sid in ((li, first), (zhang, second)):
            notes = session.scalars(select(Notification).where(
                Notification.username == username)).all()
            assert any(n.link == f"/cases/{sid}" and "已答复" in n.message for n in notes)
            assert any(n.kind == "task" and "第" in n.message for n in notes)
    # each rates in person; the host deputy too
    cases.complete(li, case, "merged_feedback",
                   {"satisfaction": "dissatisfied", "comment": "站点未落实"})
    assert len(_feedback_tasks(cases, case)) == 1
    with db.write() as session:
        task = session.scalar(select(HumanTask).where(
            HumanTask.instance_id == case, HumanTask.bpmn_id == "merged_feedback",
            HumanTask.state == "ready"))
        from workflows import tasks as task_rules
        from workflows.errors import PermissionDenied
        with pytest.raises(PermissionDenied):  # not the other merged deputy's, nor the host's
            task_rules.complete(session, domain_engine, session.scalar(
                select(User).where(User.username == li)), task.id, {"satisfaction": "satisfied"})
    cases.complete(zhang, case, "merged_feedback", {"satisfaction": "very_satisfied"})
    cases.drive(case)
    with db.session() as session:
        rows = session.scalars(select(Feedback).order_by(Feedback.id)).all()
        by_suggestion = {f.suggestion_id: (f.satisfaction, f.given_by, f.recorded_on_behalf)
                         for f in rows}
        assert by_suggestion == {first: ("dissatisfied", li, False),
                                 second: ("very_satisfied", zhang, False),
                                 None: ("satisfied", f"dep_{org.deputies['王芳']}", False)}
        # the host's deputy was satisfied: no re-handling for a merged deputy's rating
        assert session.get(Suggestion, host).status == "closed"
        assert {session.get(Suggestion, s).status for s in (first, second)} == {"closed"}


def test_a_merged_deputy_without_an_account_is_recorded_by_the_commission(db, domain_engine, org):
    with db.write() as session:
        session.scalar(select(User).where(
            User.deputy_id == org.deputies["张伟"])).active = False
    cases, host, case, (first, second) = _merged_case(db, domain_engine, org)
    cases.drive(case, stop_at={"feedback", "merged_feedback"})
    by_subject = {t.subject: t for t in _feedback_tasks(cases, case)}
    paper = by_subject["第2号建议（并案）· 省交通运输厅"]
    assert (paper.candidate_role, paper.assignee) == ("commission", None)
    in_person = by_subject["第1号建议（并案）· 省交通运输厅"]
    assert in_person.assignee == f"dep_{org.deputies['李强']}"
    with db.write() as session:
        from workflows import tasks as task_rules
        task_rules.complete(session, domain_engine, session.scalar(
            select(User).where(User.username == "commission")), paper.id,
            {"satisfaction": "basically_satisfied", "comment": "纸质征询意见表"})
    cases.drive(case)
    with db.session() as session:
        rating = session.scalar(select(Feedback).where(Feedback.suggestion_id == second))
        assert (rating.satisfaction, rating.given_by, rating.recorded_on_behalf) == (
            "basically_satisfied", "commission", True)


def test_the_host_deputys_feedback_tasks_stay_the_host_deputys(db, domain_engine, org):
    """The merged deputies' tasks read their own suggestion; the host's `feedback` and a later
    `feedback_again` stay with the host's lead deputy (nothing leaks out of the instances)."""
    cases, host, case, _ = _merged_case(db, domain_engine, org)
    cases.drive(case, stop_at={"feedback", "merged_feedback"})
    cases.drive(case, stop_at={"feedback"})  # the merged deputies answer first
    wang = f"dep_{org.deputies['王芳']}"
    assert [t.assignee for t in cases.tasks(case)["feedback"]] == [wang]
    cases.complete(wang, case, "feedback", {"satisfaction": "dissatisfied", "comment": "不满意"})
    cases.drive(case, stop_at={"feedback_again"})
    assert [t.assignee for t in cases.tasks(case)["feedback_again"]] == [wang]


def test_an_account_given_later_takes_only_its_own_merged_task(db, domain_engine, org, clock):
    """Linking an account hands a merged deputy their own rating of the host's case, and the
    host's deputy none of the merged deputies' ratings."""
    from workflows.deputies import link_account
    from workflows.users import create_user
    with db.write() as session:
        for name in ("王芳", "张伟"):
            session.scalar(select(User).where(User.deputy_id == org.deputies[name])).active = False
    cases, host, case, (first, second) = _merged_case(db, domain_engine, org)
    cases.drive(case, stop_at={"feedback", "merged_feedback"})
    with db.write() as session:
        create_user(session, "wang2", "王芳", "deputy", "pw")
        create_user(session, "zhang2", "张伟", "deputy", "pw")
        session.flush()
        moved_wang = link_account(session, "wang2", org.deputies["王芳"], actor="admin",
                                  now=clock())
        moved_zhang = link_account(session, "zhang2", org.deputies["张伟"], actor="admin",
                                   now=clock())
    ready = cases.tasks(case)
    assert [t.id for t in ready["feedback"]] == moved_wang
    paper = [t for t in ready["merged_feedback"] if t.subject.startswith("第2号")]
    assert [t.id for t in paper] == moved_zhang and paper[0].assignee == "zhang2"
    li = [t for t in ready["merged_feedback"] if t.subject.startswith("第1号")]
    assert li[0].assignee == f"dep_{org.deputies['李强']}"


def test_each_merged_suggestions_rating_counts_for_that_suggestion(db, domain_engine, org, clock):
    from workflows import reports
    cases, host, case, (first, second) = _merged_case(db, domain_engine, org)
    cases.drive(case, answers={
        "feedback": {"satisfaction": "very_satisfied"},
        "merged_feedback": lambda task, nth: {"satisfaction": "dissatisfied", "comment": "未落实"}
        if task.subject.startswith("第1号") else {"satisfaction": "satisfied"}})
    with db.session() as session:
        [row] = statistics.unit_figures(session, statistics.Filters(), now=clock())
        # one assignment replied (once, on time); three deputies rated that reply
        assert (row.unit_code, row.assigned, row.replied, row.class_a) == ("transport", 1, 1, 1)
        assert (row.rated, row.very_satisfied, row.satisfied, row.dissatisfied) == (3, 1, 1, 1)
        assert row.satisfaction_rate == pytest.approx(2 / 3)
        [by_division] = statistics.unit_figures(session, statistics.Filters(), by="division",
                                                now=clock())
        assert (by_division.rated, by_division.dissatisfied) == (3, 1)
        # the facts recomputed from the records are the kept ones (merged ratings excluded)
        from models import Assignment
        lead = session.scalar(select(Assignment).where(Assignment.suggestion_id == host))
        assert lead.satisfaction == "very_satisfied"
        with db.write(session):  # a write goes under the writer's lock, never in a read
            statistics.refresh_facts(session)
        assert lead.satisfaction == "very_satisfied"
        listed = reports.dissatisfied_cases(session, statistics.Filters())
        assert [(s.number, satisfaction) for _a, s, _u, satisfaction in listed] == [
            (1, "dissatisfied")]


def test_the_demo_province_has_a_merged_case(db):
    from workflows import demo
    with db.write() as session:
        demo.load(session)
    with db.session() as session:
        merged = session.scalars(select(Suggestion).where(
            Suggestion.merged_into_id.is_not(None))).all()
        assert len(merged) == 2 and {m.status for m in merged} == {"merged"}
        assert {session.get(ProcessInstance, m.instance_id).status for m in merged} == {
            "cancelled"}
        waiting = session.scalars(select(HumanTask).where(
            HumanTask.bpmn_id == "merged_feedback", HumanTask.state == "ready")).all()
        assert sorted((t.candidate_role, t.assignee) for t in waiting) == [
            ("commission", None), ("deputy", "deputy")]


def test_a_second_assign_of_the_same_case_is_told_it_was_done_not_that_the_numbers_are_merged(
        db, domain_engine, org):
    """Two commission members assign one case: the one who comes second is told someone got
    there first (the checks of the day are not run on a task that is no longer open)."""
    from engine import ConflictError
    from workflows import tasks
    cases = Cases(db, domain_engine, org)
    cases.register(deputy="李强")
    host = cases.register(deputy="张伟")
    with db.session() as session:
        [task_id] = session.scalars(select(HumanTask.id).where(
            HumanTask.instance_id == cases.case(host), HumanTask.bpmn_id == "assign"))
    answer = {**MERGED, "merged_numbers": [1]}
    for attempt in ("first", "second"):
        with db.write() as session:
            user = session.scalar(select(User).where(User.username == "commission"))
            if attempt == "first":
                tasks.complete(session, domain_engine, user, task_id, answer)
            else:
                with pytest.raises(ConflictError):
                    tasks.complete(session, domain_engine, user, task_id, answer)
