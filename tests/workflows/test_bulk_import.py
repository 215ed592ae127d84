"""The assignment meeting: import a table of suggestions and start every case in one batch."""
from __future__ import annotations

from sqlalchemy import func, select

from models import Assignment, CongressSession, HumanTask, Suggestion, User
from workflows.assignment_table import import_assignments

from .test_importing import xlsx

HEADERS = ["建议号", "标题", "领衔代表", "联名代表", "选举单位", "领域", "办理方式", "主办单位",
           "会办单位", "重点建议", "督办领导", "专门委员会"]


def workbook(rows) -> bytes:
    return xlsx(HEADERS, rows)


GOOD = [
    [101, "关于城际铁路的建议", "王芳", "李强", "长沙市", "交通", "主办+会办", "transport", "finance、education", "否", "", ""],
    [102, "关于农村公路的建议", "李强", "", "岳阳市", "交通", "分办", "transport、water、power", "", "否", "", ""],
    [103, "关于乡村教师的建议", "张伟", "", "衡阳市", "教育", "独办", "省教育厅", "", "是", "省领导甲", "教育科学文化卫生委员会"],
]


def _import(db, engine, org, data):
    with db.write() as session:
        congress = session.get(CongressSession, org.congress_session_id)
        user = session.scalar(select(User).where(User.username == "commission"))
        outcome = import_assignments(session, engine, data, congress, user)
        if outcome.errors:
            session.rollback()
        return outcome


def test_a_valid_table_registers_and_assigns_every_suggestion(db, domain_engine, org):
    outcome = _import(db, domain_engine, org, workbook(GOOD))
    assert outcome.errors == [] and len(outcome.suggestions) == 3
    with db.session() as session:
        by_number = {s.number: s for s in session.scalars(select(Suggestion))}
        assert {n: s.mode for n, s in by_number.items()} == {101: "lead_co", 102: "separate",
                                                             103: "sole"}
        assert by_number[103].key_suggestion and by_number[103].supervising_leader_id
        units = {n: sorted(a.unit.code for a in s.assignments) for n, s in by_number.items()}
        assert units == {101: ["education", "finance", "transport"],
                         102: ["power", "transport", "water"], 103: ["education"]}
        acks = session.scalars(select(HumanTask.candidate_unit).where(
            HumanTask.bpmn_id == "acknowledge", HumanTask.state == "ready")).all()
        assert sorted(acks) == ["education", "power", "transport", "transport", "water"]


def test_a_table_with_a_bad_row_imports_nothing_and_names_each_bad_cell(db, domain_engine, org):
    bad = GOOD + [[104, "关于水利的建议", "无名氏", "", "长沙市", "水利", "主办+会办", "nowhere", "finance", "否", "", ""]]
    outcome = _import(db, domain_engine, org, workbook(bad))
    cells = {(e.row, e.column) for e in outcome.errors}
    assert (5, "领衔代表") in cells and (5, "主办单位") in cells
    assert all(e.row == 5 for e in outcome.errors)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Suggestion)) == 0
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0
