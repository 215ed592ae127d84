"""The bulletin's figures (issue 17 item 5): two sessions shaped like the seed bulletin's."""
from __future__ import annotations

from models import CongressSession
from workflows import bulletin, bulletin_report

from .bulletin_data import AT, build


def _bulletin(db, org):
    ids = build(db, org)
    with db.session() as s:
        return bulletin.bulletin(s, s.get(CongressSession, ids["current"]), AT), ids


def test_the_figures_of_a_session_and_the_one_before(db, org):
    b, ids = _bulletin(db, org)
    cur, prev = b.current, b.previous
    assert prev.session.id == ids["previous"] and cur.session.id == ids["current"]
    assert (cur.suggestions, prev.suggestions, b.suggestions_change) == (1027, 1457, -430)
    assert round(b.suggestions_change_rate * 100, 1) == -29.5
    assert cur.from_research == 915 and round(b.research_share_points, 1) == 11.3
    assert (cur.units, prev.units) == (98, 100)  # the returned assignment's unit not counted
    assert (cur.key_suggestions, cur.leader_count) == (12, 2)
    assert sorted(len(numbers) for _name, numbers in cur.leaders) == [6, 6]
    assert cur.consultation_rate == 1.0
    assert round(cur.first_satisfaction_rate * 100, 1) == 98.5  # first round, not the final
    assert round(cur.first_very_satisfied_rate * 100, 1) == 92.7
    assert round(prev.first_very_satisfied_rate * 100, 1) == 73.4
    assert round(b.very_satisfied_points, 1) == 19.3


def test_the_paragraph_says_it_in_the_bulletins_words(db, org):
    b, _ids = _bulletin(db, org)
    text = bulletin_report.paragraph(b)
    assert text.startswith("建议总数1027件，同比减少430件，降幅29.5%；")
    assert "通过专题调研形成的建议915件，占比89.1%，同比提高11.3个百分点" in text
    assert "交由98家承办单位办理" in text and "由2位省领导领办" in text
    assert "代表首次反馈满意率达98.5%，其中非常满意和满意占比达92.7%，同比提高19.3个百分点" in text
    english = bulletin_report.paragraph(b, english=True)
    assert english.startswith("1027 suggestions, down 430 on the previous session (29.5%)")
    assert "up 19.3 percentage points" in english


def test_the_first_session_has_no_change(db, org):
    with db.session() as s:
        only = bulletin.bulletin(s, s.get(CongressSession, org.congress_session_id), AT)
    assert only.previous is None and only.suggestions_change is None
    assert bulletin_report.paragraph(only) == "建议总数0件；交由0家承办单位办理。"
    header, rows = bulletin_report.table(only)
    assert header[1] == "上次会议" and all(row[1] is None and row[3] is None for row in rows)
