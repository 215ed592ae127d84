"""The organisation workbook: a good file, each kind of error named by its cell, nothing
written on any error, and a second import of the same file changing nothing."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from models import AuditEvent, CongressSession, Deputy, Division, Unit, User
from workflows.organisation_table import import_organisation, template_workbook
from workflows.organisation_table.reading import read
from workflows.workbook_files import error_report

from .organisation_books import DEPUTIES, DIVISIONS, SESSIONS, UNITS, USERS, book

NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def counts(db) -> dict:
    with db.session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m))
                for m in (Unit, Division, Deputy, CongressSession, User, AuditEvent)}


def run(db, data):
    with db.write() as s:
        outcome = import_organisation(s, data, actor="admin", now=NOW)
        if outcome.errors:
            s.rollback()
    return outcome


def test_a_good_file_imports_everything_and_audits_it(db):
    outcome = run(db, book())
    assert outcome.errors == []
    assert outcome.counts["units"]["created"] == 3 and outcome.counts["users"]["created"] == 3
    with db.session() as s:
        kinds = dict(s.execute(select(Unit.code, Unit.kind)).tuples().all())
        assert kinds == {"jt": "government", "zzb": "party_mass", "dl": "other"}
        li = s.scalar(select(User).where(User.username == "jt_li"))
        assert li.unit.code == "jt" and li.division_id is not None and li.must_change_password
        assert not li.password_hash.startswith("pbkdf2")  # no password until a link is used
        zhao = s.scalar(select(User).where(User.username == "zhao1"))
        deputy = s.get(Deputy, zhao.deputy_id)
        assert (deputy.delegation, deputy.email) == ("长沙代表团", "zhao@example.cn")
        assert s.scalar(select(CongressSession.opened_on)).isoformat() == "2026-01-20"
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.actor == "admin")))
    assert {"unit_created", "division_created", "deputy_created", "congress_session_created",
            "user_created"} <= actions


def test_importing_the_same_file_again_changes_nothing(db):
    run(db, book())
    before = counts(db)
    outcome = run(db, book())
    assert outcome.errors == [] and counts(db) == before
    assert all(c["created"] == c["changed"] == 0 for c in outcome.counts.values())


def test_a_changed_row_updates_its_record_and_audits_the_change(db):
    run(db, book())
    units = copy.deepcopy(UNITS)
    units[3][2] = "党群"
    outcome = run(db, book(单位=units))
    assert outcome.counts["units"] == {"created": 0, "changed": 1, "unchanged": 2}
    with db.session() as s:
        assert s.scalar(select(Unit.kind).where(Unit.code == "dl")) == "party_mass"
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "unit_changed")).one()
    assert event.detail["changes"] == {"kind": ["other", "party_mass"]}


def _with(sheet, rows, row, col, value):
    rows = copy.deepcopy(rows)
    rows[row][col] = value
    return {sheet: rows}


BAD = [  # (sheets, worksheet, row, column, words of the message)
    (_with("单位", UNITS, 1, 2, "国企"), "单位", 2, "类别", "政府部门"),
    (_with("单位", UNITS, 3, 0, "jt"), "单位", 4, "代码", "第2行重复"),
    (_with("单位", UNITS, 1, 0, "a b"), "单位", 2, "代码", "代码"),
    (_with("单位", UNITS, 1, 1, "省\u202e厅"), "单位", 2, "名称", "U+202E"),
    (_with("处室", DIVISIONS, 1, 0, "nowhere"), "处室", 2, "单位", "没有这个单位"),
    (_with("代表", DEPUTIES, 1, 4, "not-an-address"), "代表", 2, "电子邮箱", "电子邮箱"),
    (_with("代表", DEPUTIES, 2, 2, ""), "代表", 3, "选举单位", "必填"),
    (_with("会议", SESSIONS, 1, 0, "十四"), "会议", 2, "届", "整数"),
    (_with("会议", SESSIONS, 1, 4, "2026/13/01"), "会议", 2, "开幕日期", "YYYY-MM-DD"),
    (_with("用户", USERS, 1, 2, "boss"), "用户", 2, "角色", "没有这个角色"),
    (_with("用户", USERS, 2, 3, ""), "用户", 3, "单位", "需要所属单位"),
    (_with("用户", USERS, 1, 4, "外星处"), "用户", 2, "处室", "没有这个处室"),
    (_with("用户", USERS, 3, 5, "孙三"), "用户", 4, "代表", "没有这位代表"),
    (_with("用户", USERS, 1, 5, "赵一"), "用户", 2, "代表", "只有代表角色"),
    (_with("用户", USERS, 2, 0, "jt_li"), "用户", 3, "用户名", "重复"),
    (_with("用户", USERS, 1, 6, "也许"), "用户", 2, "启用", "是 或 否"),
    (_with("用户", USERS, 1, 0, "李 处"), "用户", 2, "用户名", "用户名"),
]


@pytest.mark.parametrize("change, sheet, row, column, words", BAD)
def test_each_error_names_its_cell_and_nothing_is_written(db, change, sheet, row, column, words):
    sheets = {"单位": UNITS, "处室": DIVISIONS, "代表": DEPUTIES, "会议": SESSIONS,
              "用户": USERS, **change}
    before = counts(db)
    outcome = run(db, book(**sheets))
    first = outcome.errors[0]  # later worksheets may fail too (a unit refused is unknown there)
    assert (first.sheet, first.row, first.column) == (sheet, row, column)
    assert words in first.message
    assert [e for e in outcome.errors if e.sheet == sheet] == [first]
    assert counts(db) == before
    assert b"PK" == error_report(outcome.errors)[:2]


def test_a_missing_column_and_a_file_that_is_no_workbook(db):
    outcome = run(db, book(单位=[["代码", "类别"], ["x", "其他"]]))
    assert [(e.sheet, e.row, e.column) for e in outcome.errors] == [("单位", 1, "名称")]
    assert run(db, b"not a zip").errors[0].row == 0
    assert "没有可导入的数据" in run(db, book(备注=[["x"]])).errors[0].message


def test_the_template_reads_back_without_errors(db):
    found, errors = read(template_workbook())
    assert errors == [] and set(found) == {"units", "divisions", "deputies", "sessions",
                                           "committees", "users"}
    assert run(db, template_workbook()).errors == []


def test_a_file_can_move_a_deputy_to_a_new_account(db, org):
    """The deputy 张伟 has an account in the fixture; 李强's account is replaced by one from the
    file after it was deactivated by the same file (the deputy may have one active account)."""
    users = [["用户名", "姓名", "角色", "代表", "启用"], ["dep_2", "李强", "deputy", "", "否"],
             ["liqiang", "李强", "代表", "李强", "是"]]
    outcome = run(db, book(用户=users))
    assert outcome.errors == [], outcome.errors
    with db.session() as s:
        assert s.scalar(select(User.deputy_id).where(User.username == "liqiang")) \
            == org.deputies["李强"]
        assert not s.scalar(select(User.active).where(User.username == "dep_2"))


def test_a_deputy_with_an_active_account_cannot_get_another(db, org):
    users = [["用户名", "姓名", "角色", "代表"], ["wang2", "王芳", "deputy", "王芳"]]
    [err] = run(db, book(用户=users)).errors
    assert (err.column, err.row) == ("代表", 2) and "dep_1" in err.message


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.integers(1, 3), st.integers(0, 2),
                                st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40), st.integers(-5, 10**6),
                                          st.none())), max_size=4))
def test_any_changed_unit_cells_import_all_or_nothing(db, cells):
    """Whatever the cells of the units sheet say, the import either writes every row or none,
    and each error names a cell of the sheet."""
    units = copy.deepcopy(UNITS)
    for row, col, value in cells:
        units[row][col] = value
    before = counts(db)
    with db.write() as s:
        outcome = import_organisation(s, book(单位=units), actor="admin", now=NOW)
        s.rollback()
    assert counts(db) == before
    if outcome.errors:
        assert all(e.sheet == "单位" and 2 <= e.row <= 4 for e in outcome.errors)
        assert not outcome.counts
    else:
        assert sum(outcome.counts["units"].values()) == 3
