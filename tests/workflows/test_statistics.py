"""Supervisors' figures (workflows.statistics) on hand-made rows, on SQLite and PostgreSQL.

The rows are inserted directly (no process run), so every number below follows from this table.
All assignments are made 2026-03-10; lead reply_due 2026-06-10, co-opinion reply_due 2026-04-10;
"now" is 2026-07-01. S1 = org.congress_session_id, S2 = a second congress session made here.
Divisions: 综合 = the unit's 综合处, 规划 = its 规划处, - = no lead division.

Suggestions (session, field, key):
  s1 S1 交通 key · s2 S1 交通 · s3 S1 财政 · s4 S1 教育 key · s5 S1 交通 · s6 S1 教育 · s7 S2 交通 ·
  s8 S1 财政

 asg  sugg unit       role      div   consulted  replies (round: class, on_time) /  final feedback
                                                 co-opinions submitted             (earlier rounds)
 a1   s1   transport  lead      综合  yes        r2: A late (inserted first),      2: satisfied
                                                 r1: C on time                     (1: dissatisfied)
 a2   s2   transport  lead      规划  no         r1: B late                        very_satisfied
 a3   s3   finance    lead      综合  yes        r1: C on time                     basically_sat.
 a4   s4   education  sole      -     yes        r1: D on time                     dissatisfied
 a5   s5   transport  separate  综合  yes        r1: A on time                     -
 a6   s5   finance    separate  -     yes        none; due extended to 08-01       -
 a7   s6   finance    lead      -     yes        r1: A on time  -- RETURNED --     very_satisfied
 a8   s6   education  lead      规划  yes        r1: B on time                     satisfied
 a9   s7   transport  lead      综合  yes        r1: A on time                     satisfied
 a10  s8   finance    lead      规划  no         none; due 06-10 < now: OVERDUE    -
 c1   s1   finance    co        综合  no         04-01, 05-01                      satisfied
 c2   s2   education  co        -     yes        04-20 (after the due date)        basically_sat.
 c3   s3   transport  co        -     no         04-10 (= due: on time)            2: very_sat.
                                                                                   (1: dissatisfied)
 c4   s7   finance    co        -     no         04-05                             satisfied
 c5   s8   education  co        -     no         none; due 04-10 < now: OVERDUE    -
 c6   s6   transport  co        -     no         04-01          -- RETURNED --     satisfied

Returned assignments (a7, c6) are ignored everywhere.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import event, select

from models import (Assignment, CongressSession, Consultation, CoOpinion, Division, Feedback, Reply,
                    Suggestion, Unit)
from workflows.statistics import Figures, Filters, refresh_facts, totals, unit_figures


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=timezone.utc)


NOW = at(7, 1)
ASSIGNED, LEAD_DUE, CO_DUE = at(3, 10), at(6, 10), at(4, 10)
T, F, E = "省交通运输厅", "省财政厅", "省教育厅"


@pytest.fixture
def data(db, org):
    """Insert the table above; returns {"S1": id, "S2": id, "transport": unit id, ...}."""
    ids: dict[str, int] = {"S1": org.congress_session_id}
    with db.write() as session:
        s2 = CongressSession(congress=14, meeting=4, year=2027, name="省十四届人大四次会议")
        session.add(s2)
        session.flush()
        ids["S2"] = s2.id
        units = {u.code: u for u in session.scalars(select(Unit))}
        ids.update({code: unit.id for code, unit in units.items()})

        def division(code: str, kind: str | None) -> int | None:
            if kind is None:
                return None
            name = units[code].name + {"综合": "综合处", "规划": "规划处"}[kind]
            return session.scalar(select(Division.id).where(Division.name == name))

        def suggestion(number: int, session_key: str, field: str, key: bool) -> Suggestion:
            s = Suggestion(congress_session_id=ids[session_key], number=number, title=f"建议{number}",
                           body="正文", field=field, year=2026, key_suggestion=key,
                           lead_deputy_id=org.deputies["王芳"], status="assigned",
                           registered_at=at(3, 1), assigned_at=ASSIGNED)
            session.add(s)
            session.flush()
            return s

        def assignment(s: Suggestion, code: str, role: str, div: str | None = None,
                       status: str = "assigned", due: datetime | None = None) -> Assignment:
            a = Assignment(suggestion_id=s.id, unit_id=units[code].id, role=role, status=status,
                           assigned_at=ASSIGNED, ack_due=at(3, 24),
                           reply_due=due or (CO_DUE if role == "co" else LEAD_DUE),
                           lead_division_id=division(code, div))
            session.add(a)
            session.flush()
            return a

        def reply(a: Assignment, round_: int, answer_class: str, on_time: bool) -> None:
            session.add(Reply(assignment_id=a.id, round=round_, answer_class=answer_class,
                              doc_number=f"文{a.id}-{round_}", answer_text="答复",
                              contact_person="联系人", contact_phone="0731-1", issued_by="signer",
                              issued_at=at(5, 1), on_time=on_time))
            session.flush()

        def feedback(a: Assignment, round_: int, satisfaction: str) -> None:
            session.add(Feedback(assignment_id=a.id, round=round_, satisfaction=satisfaction,
                                 given_by="王芳", given_at=at(5, 20)))
            session.flush()

        def consult(a: Assignment) -> None:
            session.add(Consultation(assignment_id=a.id, held_on="2026-04-01", form="face_to_face",
                                     participants="王芳", deputy_view="同意",
                                     recorded_by="handler", recorded_at=at(4, 1)))

        def opinion(a: Assignment, when: datetime) -> None:
            session.add(CoOpinion(assignment_id=a.id, opinion="会办意见", submitted_by="co",
                                  submitted_at=when))
            session.flush()

        s1 = suggestion(1, "S1", "交通", True)
        a1 = assignment(s1, "transport", "lead", "综合")
        consult(a1)
        reply(a1, 2, "A", False)          # the re-handling reply, inserted first (lower id)
        reply(a1, 1, "C", True)           # the first reply: on time
        feedback(a1, 2, "satisfied")      # the final rating, inserted first (lower id)
        feedback(a1, 1, "dissatisfied")
        c1 = assignment(s1, "finance", "co", "综合")
        opinion(c1, at(4, 1))
        opinion(c1, at(5, 1))
        feedback(c1, 1, "satisfied")

        s2 = suggestion(2, "S1", "交通", False)
        a2 = assignment(s2, "transport", "lead", "规划")
        reply(a2, 1, "B", False)          # late reply, no consultation
        feedback(a2, 1, "very_satisfied")
        c2 = assignment(s2, "education", "co")
        consult(c2)
        opinion(c2, at(4, 20))            # after its due date 04-10
        feedback(c2, 1, "basically_satisfied")

        s3 = suggestion(3, "S1", "财政", False)
        a3 = assignment(s3, "finance", "lead", "综合")
        consult(a3)
        reply(a3, 1, "C", True)
        feedback(a3, 1, "basically_satisfied")
        c3 = assignment(s3, "transport", "co")
        opinion(c3, CO_DUE)               # exactly at the due time: on time
        feedback(c3, 1, "dissatisfied")
        feedback(c3, 2, "very_satisfied")

        s4 = suggestion(4, "S1", "教育", True)
        a4 = assignment(s4, "education", "sole")
        consult(a4)
        reply(a4, 1, "D", True)
        feedback(a4, 1, "dissatisfied")

        s5 = suggestion(5, "S1", "交通", False)
        a5 = assignment(s5, "transport", "separate", "综合")
        consult(a5)
        reply(a5, 1, "A", True)
        a6 = assignment(s5, "finance", "separate", due=at(8, 1))
        consult(a6)

        s6 = suggestion(6, "S1", "教育", False)
        a7 = assignment(s6, "finance", "lead", status="returned")
        consult(a7)
        reply(a7, 1, "A", True)
        feedback(a7, 1, "very_satisfied")
        c6 = assignment(s6, "transport", "co", status="returned")
        opinion(c6, at(4, 1))
        feedback(c6, 1, "satisfied")
        a8 = assignment(s6, "education", "lead", "规划")
        consult(a8)
        reply(a8, 1, "B", True)
        feedback(a8, 1, "satisfied")

        s7 = suggestion(7, "S2", "交通", False)
        a9 = assignment(s7, "transport", "lead", "综合")
        consult(a9)
        reply(a9, 1, "A", True)
        feedback(a9, 1, "satisfied")
        c4 = assignment(s7, "finance", "co")
        opinion(c4, at(4, 5))
        feedback(c4, 1, "satisfied")

        s8 = suggestion(8, "S1", "财政", False)
        assignment(s8, "finance", "lead", "规划")   # a10: nothing yet, overdue
        assignment(s8, "education", "co")          # c5: no opinion, overdue
        session.flush()
        # Rows written here by hand, not by the operators: derive the facts from the records.
        assert refresh_facts(session) == 16
    return ids


def figures(db, filters: Filters = Filters(), **kwargs) -> list[Figures]:
    with db.session() as session:
        return unit_figures(session, filters, now=NOW, **kwargs)


# ---- lead units, all sessions ----
# transport: a1 a2 a5 a9 → assigned 4; all replied → 4; first replies on time: a1 (r1), a5, a9 → 3
#   (a2 late); consulted a1 a5 a9 → 3; final feedback: a1 satisfied (round 2), a2 very_satisfied,
#   a9 satisfied → rated 3, very 1, satisfied 2; latest classes a1 A (round 2), a2 B, a5 A, a9 A
#   → A 3, B 1; overdue 0.
TRANSPORT_LEAD = Figures("transport", T, None, assigned=4, replied=4, on_time=3, consulted=3,
                         rated=3, very_satisfied=1, satisfied=2, class_a=3, class_b=1)
# education: a4 a8 → assigned 2, replied 2, on time 2, consulted 2; a4 dissatisfied, a8 satisfied
#   → rated 2; classes a4 D, a8 B.
EDUCATION_LEAD = Figures("education", E, None, assigned=2, replied=2, on_time=2, consulted=2,
                         rated=2, satisfied=1, dissatisfied=1, class_b=1, class_d=1)
# finance: a3 a6 a10 (a7 returned: ignored) → assigned 3; replied a3 → 1, on time 1; consulted
#   a3 a6 → 2; a3 basically_satisfied → rated 1; class C 1; overdue a10 → 1 (a6 due 08-01).
FINANCE_LEAD = Figures("finance", F, None, assigned=3, replied=1, on_time=1, consulted=2,
                       rated=1, basically_satisfied=1, class_c=1, overdue=1)


def test_lead_units_per_unit(data, db):
    rows = figures(db)
    # sorted by unit name: 省交 (U+4EA4) < 省教 (U+6559) < 省财 (U+8D22)
    assert rows == [TRANSPORT_LEAD, EDUCATION_LEAD, FINANCE_LEAD]
    transport, education, finance = rows
    assert transport.reply_rate == 1.0                      # 4 / 4
    assert transport.on_time_rate == 0.75                   # 3 / 4
    assert transport.consultation_rate == 0.75              # 3 / 4
    assert transport.satisfaction_rate == 1.0               # (1 + 2) / 3
    assert transport.resolution_rate == 1.0                 # (A 3 + B 1) / 4
    assert education.satisfaction_rate == 0.5               # (0 + 1) / 2
    assert education.satisfaction_rate_with_basic == 0.5    # (0 + 1 + 0) / 2
    assert education.resolution_rate == 0.5                # (B 1) / 2
    assert finance.reply_rate == pytest.approx(1 / 3)
    assert finance.on_time_rate == pytest.approx(1 / 3)
    assert finance.consultation_rate == pytest.approx(2 / 3)
    assert finance.satisfaction_rate == 0.0                 # 0 / 1
    assert finance.satisfaction_rate_with_basic == 1.0      # (0 + 0 + 1) / 1
    assert finance.resolution_rate == 0.0                   # (C only) 0 / 1


def test_totals(data, db):
    total = totals(figures(db))
    # sums of the three rows above
    assert total == Figures("", "合计", None, assigned=9, replied=7, on_time=6, consulted=7,
                            rated=6, very_satisfied=1, satisfied=3, basically_satisfied=1,
                            dissatisfied=1, class_a=3, class_b=2, class_c=1, class_d=1, overdue=1)
    assert total.reply_rate == pytest.approx(7 / 9)
    assert total.on_time_rate == pytest.approx(6 / 9)
    assert total.satisfaction_rate == pytest.approx(4 / 6)             # (1 + 3) / 6
    assert total.satisfaction_rate_with_basic == pytest.approx(5 / 6)  # (1 + 3 + 1) / 6
    assert total.resolution_rate == pytest.approx(5 / 7)               # (A 3 + B 2) / 7


def test_co_units_reported_separately(data, db):
    rows = figures(db, scope="co")
    assert rows == [
        # transport: c3 (c6 returned) → opinion at the due time: on time; final feedback round 2
        #   very_satisfied (round 1 dissatisfied ignored)
        Figures("transport", T, None, assigned=1, replied=1, on_time=1, rated=1,
                very_satisfied=1),
        # education: c2 (late opinion, consulted, basically_satisfied) and c5 (no opinion,
        #   overdue) → assigned 2, replied 1, on time 0, consulted 1, rated 1, overdue 1
        Figures("education", E, None, assigned=2, replied=1, consulted=1, rated=1,
                basically_satisfied=1, overdue=1),
        # finance: c1 (first opinion 04-01 on time; the later 05-01 one does not matter) and
        #   c4 (04-05, on time) → both satisfied
        Figures("finance", F, None, assigned=2, replied=2, on_time=2, rated=2, satisfied=2),
    ]
    transport, education, finance = rows
    assert education.on_time_rate == 0.0
    assert education.satisfaction_rate == 0.0                # 0 / 1
    assert education.satisfaction_rate_with_basic == 1.0     # 1 / 1
    assert finance.satisfaction_rate == 1.0
    assert transport.consultation_rate == 0.0
    # co-units issue no classed replies: no A/B/C/D, no resolution rate
    assert all(r.resolution_rate is None for r in rows)
    assert totals(rows) == Figures("", "合计", None, assigned=5, replied=4, on_time=3,
                                   consulted=1, rated=4, very_satisfied=1, satisfied=2,
                                   basically_satisfied=1, overdue=1)


def test_grouped_by_division(data, db):
    rows = figures(db, by="division")
    assert rows == [
        # transport 综合处: a1 a5 a9 (all replied on time, consulted; a1 and a9 satisfied; all A)
        Figures("transport", T, T + "综合处", assigned=3, replied=3, on_time=3, consulted=3,
                rated=2, satisfied=2, class_a=3),
        # transport 规划处: a2 (late, not consulted, very_satisfied, B)
        Figures("transport", T, T + "规划处", assigned=1, replied=1, rated=1, very_satisfied=1,
                class_b=1),
        # education 规划处: a8; no division: a4 (sole)
        Figures("education", E, E + "规划处", assigned=1, replied=1, on_time=1, consulted=1,
                rated=1, satisfied=1, class_b=1),
        Figures("education", E, None, assigned=1, replied=1, on_time=1, consulted=1, rated=1,
                dissatisfied=1, class_d=1),
        # finance 综合处: a3; 规划处: a10 (overdue); no division: a6 (consulted, not yet due)
        Figures("finance", F, F + "综合处", assigned=1, replied=1, on_time=1, consulted=1,
                rated=1, basically_satisfied=1, class_c=1),
        Figures("finance", F, F + "规划处", assigned=1, overdue=1),
        Figures("finance", F, None, assigned=1, consulted=1),
    ]
    # the divisions add up to the units
    assert totals(rows) == totals(figures(db))
    # co-units by their own lead division: finance c1 (综合处) and c4 (none)
    co_finance = [r for r in figures(db, scope="co", by="division") if r.unit_code == "finance"]
    assert [(r.division, r.assigned) for r in co_finance] == [(F + "综合处", 1), (None, 1)]


def test_filter_by_session(data, db):
    # S1 drops a9 from transport: a1 a2 a5 → replied 3, on time a1 a5 → 2, consulted a1 a5 → 2,
    #   rated a1 (satisfied) a2 (very) → 2, classes A (a1, a5) 2, B (a2) 1
    assert figures(db, Filters(congress_session_id=data["S1"])) == [
        Figures("transport", T, None, assigned=3, replied=3, on_time=2, consulted=2, rated=2,
                very_satisfied=1, satisfied=1, class_a=2, class_b=1),
        EDUCATION_LEAD, FINANCE_LEAD]
    # S2 holds only s7: a9 (lead) and c4 (co)
    assert figures(db, Filters(congress_session_id=data["S2"])) == [
        Figures("transport", T, None, assigned=1, replied=1, on_time=1, consulted=1, rated=1,
                satisfied=1, class_a=1)]
    assert figures(db, Filters(congress_session_id=data["S2"]), scope="co") == [
        Figures("finance", F, None, assigned=1, replied=1, on_time=1, rated=1, satisfied=1)]


def test_filter_by_field(data, db):
    # 交通: s1 s2 s5 s7 → transport a1 a2 a5 a9 (as in TRANSPORT_LEAD) and finance a6 only
    rows = figures(db, Filters(field="交通"))
    assert rows == [TRANSPORT_LEAD, Figures("finance", F, None, assigned=1, consulted=1)]
    a6 = rows[1]
    # zero denominators: nothing rated, nothing replied → no rates; 0 replied of 1 → 0.0
    assert a6.satisfaction_rate is None
    assert a6.satisfaction_rate_with_basic is None
    assert a6.resolution_rate is None
    assert a6.reply_rate == 0.0
    assert a6.consultation_rate == 1.0
    # co-units on 交通 suggestions: c1 (finance), c2 (education), c4 (finance)
    assert [(r.unit_code, r.assigned) for r in figures(db, Filters(field="交通"), scope="co")] \
        == [("education", 1), ("finance", 2)]


def test_filter_key_suggestions(data, db):
    # key suggestions: s1 (a1 transport lead, c1 finance co) and s4 (a4 education sole)
    assert figures(db, Filters(key_only=True)) == [
        Figures("transport", T, None, assigned=1, replied=1, on_time=1, consulted=1, rated=1,
                satisfied=1, class_a=1),
        Figures("education", E, None, assigned=1, replied=1, on_time=1, consulted=1, rated=1,
                dissatisfied=1, class_d=1)]
    assert figures(db, Filters(key_only=True), scope="co") == [
        Figures("finance", F, None, assigned=1, replied=1, on_time=1, rated=1, satisfied=1)]


def test_filter_by_unit_and_combined(data, db):
    assert figures(db, Filters(unit_id=data["finance"])) == [FINANCE_LEAD]
    # finance, 财政, S1: a3 and a10
    assert figures(db, Filters(congress_session_id=data["S1"], field="财政", unit_id=data["finance"])) == [
        Figures("finance", F, None, assigned=2, replied=1, on_time=1, consulted=1, rated=1,
                basically_satisfied=1, class_c=1, overdue=1)]


def test_nothing_selected(data, db):
    assert figures(db, Filters(unit_id=data["water"])) == []
    assert figures(db, Filters(congress_session_id=data["S2"], key_only=True)) == []
    total = totals([])
    assert total == Figures("", "合计", None)
    assert [total.reply_rate, total.on_time_rate, total.consultation_rate,
            total.satisfaction_rate, total.satisfaction_rate_with_basic,
            total.resolution_rate] == [None] * 6


def test_overdue_depends_on_now(data, db):
    # on 2026-04-01 nothing is overdue yet: co opinions are due 04-10, lead replies 06-10
    with db.session() as session:
        early = unit_figures(session, Filters(), now=at(4, 1))
        early_co = unit_figures(session, Filters(), scope="co", now=at(4, 1))
    assert sum(r.overdue for r in early + early_co) == 0


def test_one_query(data, db):
    """The figures come from a single aggregate query, whatever the number of assignments."""
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):  # not SQLite's BEGIN
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        figures(db, by="division")
        figures(db, scope="co")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2


def test_rejects_unknown_scope_or_grouping(data, db):
    with pytest.raises(ValueError):
        figures(db, scope="all")
    with pytest.raises(ValueError):
        figures(db, by="deputy")


def test_first_round_and_final_satisfaction_are_both_counted(data, db):
    """首次反馈满意率 (the bulletin's figure) counts round 1; 满意率 the final round."""
    transport, education, finance = figures(db)
    # transport: a1 round 1 dissatisfied (final satisfied), a2 very_satisfied, a9 satisfied
    assert (transport.first_rated, transport.first_very_satisfied,
            transport.first_satisfied) == (3, 1, 1)
    assert transport.first_satisfaction_rate == pytest.approx(2 / 3)
    assert transport.satisfaction_rate == 1.0  # the final round
    assert education.first_satisfaction_rate == education.satisfaction_rate == 0.5
    assert finance.first_satisfaction_rate_with_basic == 1.0
    co_transport = figures(db, scope="co")[0]  # c3: dissatisfied, then very satisfied
    assert co_transport.first_satisfaction_rate == 0.0 and co_transport.satisfaction_rate == 1.0
    total = totals(figures(db))
    assert (total.first_rated, total.first_very_satisfied, total.first_satisfied,
            total.first_basically_satisfied) == (6, 1, 2, 1)
    assert total.first_satisfaction_rate == pytest.approx(3 / 6)
    assert total.satisfaction_rate == pytest.approx(4 / 6)
