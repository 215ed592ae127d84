"""Length and character rules from one place (issue 13, item 8): web forms, task forms, the
engine, `jianyi import`, the word-count job and the ledger all hold text to them."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select, text

from models import (CongressSession, Consultation, Deputy, Division, HumanTask, Reply,
                    Suggestion, SuggestionTerms, TaskDraft, Unit, User)
from models.text import BIDI, EXCEL_CELL, LONG_TEXT, NOTE, limit_of, problem
from workflows import ledger, similarity
from workflows.assignment_table import error_report, import_assignments
from workflows.errors import FormError
from workflows.statistics import Filters

from ..conftest import BPMN
from ..webui.conftest import app, login_as  # noqa: F401  (fixtures)
from ..workflows.helpers import Cases
from ..workflows.test_importing import xlsx

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}
# Text no form may take, each with the reason's English words.
REFUSED = {
    "a\x00b": "control character", "\x1b[31m红色": "control character", "x\x7f": "control",
    "\u202egpj.exe": "reorders", "\u2066隔离\u2069": "reorders", "a\u200fb": "reorders",
    "\u200b": "blank", "\u3164\u200d": "blank", " \u00a0 ": "blank", "a\u2028b": "not allowed",
    "\ufeff标题": "not allowed", "\ud800": "not allowed", "a\U000e0041": "not allowed",
}
ACCEPTED = ["关于加快城际铁路建设的建议", "Ünïcödé «text» — 5G/PM2.5", "👨\u200d👩\u200d👧 家庭",
            "𠀀𪚥 生僻字", "\ue000 私用区", "\U00031350 扩展H", "a\tb"]


# ---------------------------------------------------------------- the rules themselves
@pytest.mark.parametrize("value", list(REFUSED))
def test_control_bidi_blank_and_unassigned_characters_are_refused(value):
    found = problem(value, limit=255)
    assert found and REFUSED[value] in found, (value, found)
    assert problem(value, limit=255, multiline=True, required=False)


@pytest.mark.parametrize("value", ACCEPTED)
def test_text_people_write_is_accepted(value):
    assert problem(value, limit=255) is None


def test_every_bidi_control_is_refused_by_name():
    for char in BIDI:
        assert "reorders" in problem(f"a{char}b", limit=None), hex(ord(char))


def test_length_line_breaks_and_empty():
    assert "at most 255 characters, 256 given" in problem("字" * 256, limit=255)
    assert problem("字" * 255, limit=255) is None
    assert "single line" in problem("第一行\n第二行", limit=255)
    assert problem("第一行\n第二行\r\n", limit=255, multiline=True) is None
    assert "required" in problem("", limit=255)
    assert problem("", limit=255, required=False) is None


# ---------------------------------------------------------------- registration (web form)
def _suggestions(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Suggestion))


@pytest.mark.parametrize("field,value,reason", [
    ("title", "关" * 100_000, "不能超过 255 个字符，现有 100000 个"),
    ("title", "关于\x00的建议", "控制字符"),
    ("title", "\u202e议建的", "改变文字显示顺序"),
    ("title", "\u200b\u200b", "不能只有空白"),
    ("title", "关于\n两行的建议", "不能换行"),
    ("field", "交" * 65, "不能超过 64 个字符"),
    ("body", "文" * (LONG_TEXT + 1), f"不能超过 {LONG_TEXT} 个字符"),
    ("body", "正文\x07", "控制字符"),
])
def test_registration_refuses_bad_text_beside_the_field_and_keeps_what_was_typed(
        login_as, db, field, value, reason):
    c = login_as("commission")
    form = {"number": "7", "title": "关于公交优先的建议", "field": "交通", "body": "正文",
            "lead_deputy": "1", field: value}
    response = c.post("/register", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    beside = html.split(f'name="{field}"', 1)[1].split('class="field', 1)[0]
    assert reason in beside  # the message stands beside its own field
    kept = "关于公交优先的建议" if field != "title" else "交通"
    assert kept in html  # the other fields keep what was typed
    assert _suggestions(db) == 0


def test_registration_message_in_english(login_as, db):
    c = login_as("commission")
    c.http.set_cookie("lang", "en")
    response = c.post("/register", {"number": "7", "title": "x" * 300, "field": "交通",
                                    "lead_deputy": "1"})
    assert response.status_code == 400
    assert "at most 255 characters, 300 given" in response.get_data(as_text=True)


def test_registration_still_registers_good_text(login_as, db):
    c = login_as("commission")
    response = c.post("/register", {"number": "7", "title": "  关于👨\u200d👩\u200d👧家庭的建议 ",
                                    "field": "民政", "body": "第一段\r\n第二段\t完", "lead_deputy": "1"})
    assert response.status_code == 302
    with db.session() as s:
        row = s.scalar(select(Suggestion))
        assert (row.title, row.body) == ("关于👨\u200d👩\u200d👧家庭的建议", "第一段\n第二段\t完")


def test_register_itself_refuses_bad_text_whoever_calls_it(db, domain_engine, org):
    """`suggestions.register` is the domain's door: the demo, tests and the import use it."""
    from workflows import suggestions
    with pytest.raises(FormError) as refused, db.write() as s:
        suggestions.register(s, domain_engine, congress_session=s.get(CongressSession,
                             org.congress_session_id), number=1, title="标题\u202e", body="x" * 30,
                             field="交通", lead_deputy=s.get(Deputy, 1), actor="commission")
    assert set(refused.value.errors) == {"title"}
    assert _suggestions(db) == 0


# ---------------------------------------------------------------- task forms
def _task(db, bpmn_id) -> HumanTask:
    with db.session() as s:
        return s.scalar(select(HumanTask).where(HumanTask.bpmn_id == bpmn_id,
                                                HumanTask.state == "ready"))


@pytest.fixture
def at_consult(db, domain_engine, org):
    cases = Cases(db, domain_engine, org)
    _sid, case = cases.new(SOLE)
    cases.drive(case, stop_at={"consult"})
    return _task(db, "consult")


@pytest.mark.parametrize("action", ["complete", "save"])
def test_task_form_refuses_bad_text_beside_the_field_and_keeps_it(login_as, db, at_consult,
                                                                  action):
    c = login_as("transport_unit_handler")
    form = {"_action": action, "consulted_on": "2026-04-10", "consultation_form": "face_to_face",
            "participants": "处长\u202e、代表", "deputy_view": "认可" * (LONG_TEXT // 2 + 1)}
    response = c.post(f"/tasks/{at_consult.id}", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "改变文字显示顺序" in html.split('data-field="participants"', 1)[1].split(
        "data-field=", 1)[0]
    assert f"不能超过 {LONG_TEXT} 个字符" in html.split('data-field="deputy_view"', 1)[1]
    assert "认可认可认可" in html and "处长" in html  # what was typed is shown again
    with db.session() as s:
        assert s.get(HumanTask, at_consult.id).state == "ready"
        assert s.scalar(select(func.count()).select_from(TaskDraft)) == 0
        assert s.scalar(select(func.count()).select_from(Consultation)) == 0


def test_task_form_refuses_a_date_that_is_not_one(login_as, db, at_consult):
    c = login_as("transport_unit_handler")
    response = c.post(f"/tasks/{at_consult.id}", {
        "action": "complete", "consulted_on": "2026-02-30", "consultation_form": "phone",
        "participants": "处长", "deputy_view": "认可"})
    assert response.status_code == 400 and "YYYY-MM-DD" in response.get_data(as_text=True)
    with db.session() as s:
        assert s.get(HumanTask, at_consult.id).state == "ready"


def test_the_engine_holds_every_completion_to_the_rules(db, domain_engine, org, at_consult):
    """A completion that does not come from the web form (the import, a script) is checked
    the same way: a NUL, a bidi control or a blank answer is a FormError, nothing written."""
    from workflows import tasks
    for bad in ({"participants": "a\x00b"}, {"deputy_view": "\u2067x"},
                {"participants": "\u200b"}, {"participants": "x" * (NOTE + 1)}):
        data = {"consulted_on": "2026-04-10", "consultation_form": "phone",
                "participants": "处长", "deputy_view": "认可", **bad}
        with pytest.raises(FormError) as refused, db.write() as s:
            tasks.complete(s, domain_engine, s.scalar(select(User).where(
                User.username == "transport_unit_handler")), at_consult.id, data)
        assert set(refused.value.errors) == set(bad), refused.value.errors
    with db.session() as s:
        assert s.get(HumanTask, at_consult.id).state == "ready"


# Where each form's free text ends up: its maxLength may not exceed the column's width.
STORED_IN = {
    "doc_number": Reply.doc_number, "contact_person": Reply.contact_person,
    "contact_phone": Reply.contact_phone, "consulted_on": Consultation.held_on,
    "special_committee": Suggestion.special_committee, "supervising_leader": User.username,
    "lead_unit": Unit.code, "co_units": Unit.code, "units": Unit.code, "new_unit": Unit.code,
    "suggested_unit": Unit.code, "co_suggested_unit": Unit.code,
    "lead_division": Division.name, "co_divisions": Division.name,
}


def test_every_free_text_field_of_the_forms_has_a_maximum():
    for path in sorted(BPMN.glob("*.schema.json")):
        schema = json.loads(path.read_text("utf-8"))
        for name, prop in schema["properties"].items():
            target = prop.get("items", {}) if prop.get("type") == "array" else prop
            if target.get("type") != "string" or "oneOf" in target or "enum" in target:
                continue
            limit = target.get("maxLength")
            assert isinstance(limit, int), f"{path.name}: {name} has no maxLength"
            assert limit <= (limit_of(STORED_IN[name]) if name in STORED_IN else LONG_TEXT), \
                f"{path.name}: {name} maxLength {limit} is more than it is stored in"


# ---------------------------------------------------------------- jianyi import
HEADERS = ["建议号", "标题", "领衔代表", "选举单位", "领域", "办理方式", "主办单位", "建议内容"]


def _row(number, title="关于城际铁路的建议", field="交通", body=""):
    return [number, title, "王芳", "长沙市", field, "独办", "transport", body]


def test_import_reports_each_bad_text_cell_and_imports_nothing(db, domain_engine, org, tmp_path):
    data = xlsx(HEADERS, [
        _row(1),
        _row(2, title="关于" + "长" * 300),
        _row(3, title="\u202e关于反转的建议"),
        _row(4, title="\u200b"),
        _row(5, title="关于\x7f的建议"),
        _row(6, title="关于第一行\n第二行的建议"),
        _row(7, field="\u2066交通\u2069"),
        _row(8, body="文" * (LONG_TEXT + 1)),
        _row(9, body="正\x85文"),
    ])
    with db.write() as s:
        outcome = import_assignments(s, domain_engine, data, s.get(CongressSession,
                                     org.congress_session_id), s.scalar(select(User).where(
                                         User.username == "commission")))
        s.rollback()
    found = {(e.row, e.column): (e.message, e.english) for e in outcome.errors}
    assert set(found) == {(3, "标题"), (4, "标题"), (5, "标题"), (6, "标题"), (7, "标题"),
                          (8, "领域"), (9, "建议内容"), (10, "建议内容")}, found
    assert found[(3, "标题")] == ("标题不能超过 255 个字符，现有 302 个",
                                 "title: at most 255 characters, 302 given")
    assert "改变文字显示顺序" in found[(4, "标题")][0] and "U+202E" in found[(4, "标题")][1]
    assert "不能只有空白" in found[(5, "标题")][0]
    assert "U+007F" in found[(6, "标题")][1] and "不能换行" in found[(7, "标题")][0]
    assert "U+0085" in found[(10, "建议内容")][1]
    assert _suggestions(db) == 0
    report = load_workbook(io.BytesIO(error_report(outcome.errors)), read_only=True)
    rows = list(report.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + len(found) and all(len(str(v or "")) <= EXCEL_CELL
                                               for r in rows for v in r)


# ---------------------------------------------------------------- the word-count job
ODD_TEXTS = [
    ("关于\u202e反转\u202c的建议", "正文\u200b零宽"), ("🙂" * 50, "𠀀" * 20 + "\U00031350"),
    ("关于城际铁路的建议", "x" * 100_000), ("\r\n\t", "\u0301\u0301"),
    ("\ufeff", "a\u2028b\u2029c"),
]
# What only SQLite holds: PostgreSQL refuses a NUL and a title past its column (SQLite's
# length() stops at a NUL, which made the job count such rows again every tick).
SQLITE_ONLY = [("关于\x00的建议", "正文\x00\x00更多"), ("\x00", "\x00"), ("长" * 400, "")]


def _write_directly(db, org, texts):
    """Rows as a careless import or an old version might have left them: no checks."""
    with db.write() as s:
        start = s.scalar(select(func.count()).select_from(Suggestion)) + 1
        s.execute(insert(Suggestion), [
            dict(congress_session_id=org.congress_session_id, number=start + i, title=title, body=body,
                 field="交通", year=2026, lead_deputy_id=1, status="registered",
                 registered_at=datetime(2026, 3, 1, tzinfo=timezone.utc), key_suggestion=False)
            for i, (title, body) in enumerate(texts)])


def test_the_word_count_job_settles_whatever_the_text_holds(db, org):
    texts = ODD_TEXTS + (SQLITE_ONLY if db.is_sqlite else [])
    _write_directly(db, org, texts)
    with db.write() as s:
        assert similarity.store_missing_terms(s) == len(texts)
    with db.write() as s:
        assert similarity.store_missing_terms(s) == 0  # nothing left to do
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SuggestionTerms)) == len(texts)


def test_the_word_count_job_counts_an_edited_text_again(db, org):
    _write_directly(db, org, [("关于城际铁路的建议", "正文")])
    with db.write() as s:
        assert similarity.store_missing_terms(s) == 1
    with db.write() as s:
        s.execute(text("UPDATE suggestion SET body = :b"), {"b": "更长的正文内容"})
    with db.write() as s:
        assert similarity.store_missing_terms(s) == 1
        assert similarity.store_missing_terms(s) == 0


# ---------------------------------------------------------------- the ledger
def _longest(cells) -> int:
    return max(len(v.encode("utf-16-le")) // 2 for v in cells if isinstance(v, str))


def test_the_ledger_writer_never_writes_a_cell_longer_than_excel_holds():
    records = [{"number": 1, "title": "标" * 100_000, "field": "🙂" * 20_000,
                "co_units": "、".join(["省交通运输厅"] * 6000)}]
    data = ledger.to_xlsx(records)
    cells = [v for row in load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
             .iter_rows(values_only=True) for v in row]
    assert _longest(cells) == EXCEL_CELL
    assert [v.endswith("…") for v in cells[len(ledger.COLUMNS):] if isinstance(v, str)] == \
        [True, True, True]
    assert _longest("".join(ledger.to_csv(records)).split(",")) <= EXCEL_CELL


def test_a_ledger_of_a_sqlite_database_with_a_100000_character_title_opens(db, org):
    if not db.is_sqlite:
        pytest.skip("PostgreSQL refuses a title past its column: the case cannot arise there")
    _write_directly(db, org, [("标" * 100_000, "正文")])
    with db.session() as s:
        records = list(ledger.rows(s, ledger.LedgerFilters(**vars(Filters())),
                                   datetime.now(timezone.utc)))
    data = ledger.to_xlsx(records)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
    cells = [v for row in load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
             .iter_rows(values_only=True) for v in row]
    assert _longest(cells) == EXCEL_CELL


@pytest.mark.parametrize("username, name", [("ok_name", "名\x00字"), ("a\u202eb", "王芳"),
                                            ("x" * 65, "王芳"), ("ok_name", "   ")])
def test_accounts_follow_the_text_rules(db, username, name):
    from workflows.errors import DomainError
    from workflows.users import create_user
    with pytest.raises(DomainError):
        with db.write() as s:
            create_user(s, username, name, "commission", "a-long-password")


def test_a_calendar_note_follows_the_text_rules(tmp_path):
    from click.testing import CliRunner
    from webui.cli import main
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "SECRET_KEY": "t"}
    result = CliRunner().invoke(main, ["calendar", "set", "2027-01-01", "--holiday",
                                       "--note", "元旦\x07"], env=env)
    assert result.exit_code == 2 and "U+0007" in result.output
