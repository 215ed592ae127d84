"""Parsing and validation of the assignment-meeting import sheet (交办会批量导入)."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from workflows.assignment_table import (
    MAX_ROWS, TEMPLATE_EXAMPLE, CellError, ImportRow, Lookups, error_report, parse_workbook,
    template_workbook,
)

UNITS = {"省交通运输厅": "transport", "省财政厅": "finance", "省教育厅": "education",
         "省水利厅": "water", "省发展改革委": "ndrc", "国网省电力公司": "power"}
DEPUTIES = {"张三": "杭州市", "李四": "杭州市", "王五": "宁波市", "赵六": "温州市",
            "钱七": "宁波市"}
LEADERS = {"王副省长", "李副省长"}

CN = ["建议号", "标题", "领衔代表", "联名代表", "选举单位", "领域", "办理方式", "主办单位",
      "会办单位", "重点建议", "督办领导", "专门委员会", "并案建议号", "建议内容"]
KEYS = ["number", "title", "lead_deputy", "co_signers", "electoral_unit", "field", "mode",
        "lead_unit", "co_units", "key", "supervising_leader", "special_committee",
        "merged_with", "body"]


def unit_code(name: str) -> str | None:
    if name in UNITS:
        return UNITS[name]
    return name if name in UNITS.values() else None


def make_lookups(existing: set[int] | None = None) -> Lookups:
    return Lookups(unit_code=unit_code, deputy_electoral_unit=DEPUTIES.get,
                   leader_known=LEADERS.__contains__, existing_numbers=existing or set())


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(**values) -> list:
    """A valid lead_co row in CN column order, with `values` (English keys) overriding."""
    base = {"number": 1, "title": "关于改善农村道路的建议", "lead_deputy": "张三",
            "co_signers": None, "electoral_unit": "杭州市", "field": "交通", "mode": "主办+会办",
            "lead_unit": "省交通运输厅", "co_units": "省财政厅", "key": None,
            "supervising_leader": None, "special_committee": None, "merged_with": None,
            "body": None}
    base.update(values)
    return [base[k] for k in KEYS]


def cells(errors: list[CellError]) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in errors]


# --------------------------------------------------------------------------- valid files

def test_valid_file_with_every_mode():
    data = xlsx(CN, [
        row(number=101, co_signers="李四、王五", co_units="省财政厅、省发展改革委",
            body="正文内容", key="否"),
        row(number=102, title="关于教育经费的建议", field="教育", mode="分办",
            lead_unit="省教育厅", co_units="省财政厅,省水利厅", key="no"),
        [None] * len(CN),  # fully empty row: skipped
        row(number=103, mode="独办", lead_unit="water", co_units=None, key=0,
            lead_deputy="王五", electoral_unit="宁波市", co_signers="赵六；钱七"),
        row(number=104, mode="并案", co_units=None, merged_with="105，106"),
        row(number=105, mode="并案", co_units=None, lead_deputy="李四"),
        row(number="106", mode="merged", co_units=None, lead_unit="transport"),
        row(number=107, key="是", supervising_leader="王副省长", special_committee="财政经济委员会",
            mode="主办会办", co_units="省财政厅"),
        row(number=108.0, key=True, supervising_leader="李副省长", mode="lead_co"),
    ])
    rows, errors = parse_workbook(data, make_lookups())
    assert errors == []
    assert [r.row for r in rows] == [2, 3, 5, 6, 7, 8, 9, 10]
    by_number = {r.number: r for r in rows}

    assert by_number[101] == ImportRow(
        row=2, number=101, title="关于改善农村道路的建议", body="正文内容", lead_deputy="张三",
        co_signers=["李四", "王五"], electoral_unit="杭州市", field="交通", mode="lead_co",
        lead_unit="transport", co_units=["finance", "ndrc"], key=False,
        supervising_leader=None, special_committee=None, merged_with=[])

    separate = by_number[102]
    assert (separate.mode, separate.lead_unit, separate.co_units) == \
        ("separate", "education", ["finance", "water"])
    assert separate.body == "关于教育经费的建议"  # empty body → title

    sole = by_number[103]
    assert (sole.mode, sole.lead_unit, sole.co_units, sole.key) == ("sole", "water", [], False)
    assert sole.co_signers == ["赵六", "钱七"]

    merged = by_number[104]
    assert (merged.mode, merged.lead_unit, merged.merged_with) == ("merged", "transport",
                                                                   [105, 106])
    assert by_number[105].mode == by_number[106].mode == "merged"
    assert by_number[105].merged_with == by_number[106].merged_with == []

    key = by_number[107]
    assert (key.mode, key.key, key.supervising_leader, key.special_committee) == \
        ("lead_co", True, "王副省长", "财政经济委员会")
    assert by_number[108].key is True and by_number[108].co_units == ["finance"]


def test_separate_units_may_all_be_in_the_lead_column():
    data = xlsx(CN, [row(mode="分办", lead_unit="省教育厅、省水利厅", co_units="省财政厅")])
    rows, errors = parse_workbook(data, make_lookups())
    assert errors == []
    assert (rows[0].lead_unit, rows[0].co_units) == ("education", ["water", "finance"])


def test_english_headers_any_order_and_case():
    headers = [" Lead_Deputy ", "NUMBER", "title", "Electoral Unit", "field", "Mode",
               "lead_unit", "co_units", "KEY", "supervising_leader"]
    data = xlsx(headers, [
        ["张三", 7, "标题一", "杭州市", "交通", "sole", "省交通运输厅", None, "yes", "王副省长"],
        ["李四", 8, "标题二", "杭州市", "交通", "separate", "finance", "education、water",
         "false", None],
    ])
    rows, errors = parse_workbook(data, make_lookups())
    assert errors == []
    assert [(r.number, r.mode, r.lead_unit, r.co_units, r.key) for r in rows] == [
        (7, "sole", "transport", [], True),
        (8, "separate", "finance", ["education", "water"], False)]
    assert rows[0].co_signers == [] and rows[0].merged_with == []

    bad = xlsx(headers, [["无名氏", 7, "标题", "杭州市", "交通", "sole", "省交通运输厅", None,
                          None, None]])
    rows, errors = parse_workbook(bad, make_lookups())
    assert rows == []
    assert cells(errors) == [(2, "Lead_Deputy")]  # the header as written (trimmed)
    assert errors[0].english == "unknown deputy: 无名氏"


# --------------------------------------------------------------------------- invalid rows

def test_every_bad_cell_is_reported_once():
    data = xlsx(CN, [
        row(number=1, lead_unit="交通局"),                                          # 2
        row(number=2, lead_deputy="无名氏"),                                         # 3
        row(number=3, electoral_unit="宁波市"),                                      # 4
        row(number=4, mode="协办"),                                                  # 5
        row(number=1),                                                               # 6
        row(number=5, key="是"),                                                     # 7
        row(number=6, supervising_leader="王副省长"),                                 # 8
        row(number=7, mode="独办", co_units="省财政厅"),                              # 9
        row(number=8, co_units="省财政厅、省交通运输厅"),                             # 10
        row(number=9, mode="并案", co_units=None, merged_with="999"),                # 11
        row(number=500),                                                             # 12
        row(number="十二"),                                                          # 13
        row(number=14),                                                              # 14 ok
    ])
    rows, errors = parse_workbook(data, make_lookups(existing={500}))
    assert cells(errors) == [
        (2, "主办单位"), (3, "领衔代表"), (4, "选举单位"), (5, "办理方式"), (6, "建议号"),
        (7, "督办领导"), (8, "督办领导"), (9, "会办单位"), (10, "会办单位"), (11, "并案建议号"),
        (12, "建议号"), (13, "建议号")]
    messages = {e.row: e for e in errors}
    assert messages[2].message == "未知的承办单位：交通局" and messages[2].value == "交通局"
    assert "未知的代表：无名氏" == messages[3].message
    assert "不一致" in messages[4].message and messages[4].value == "宁波市"
    assert "未知的办理方式：协办" in messages[5].message
    assert "第2行重复" in messages[6].message and messages[6].value == "1"
    assert messages[7].message == "重点建议须填写督办领导"
    assert messages[8].message == "非重点建议不能填写督办领导"
    assert messages[9].message == "独办不能填写会办单位"
    assert "同时是主办单位和会办单位" in messages[10].message
    assert messages[11].message == "并案建议号不在本文件中：999"
    assert "已在本次会议登记" in messages[12].message
    assert "必须是整数" in messages[13].message and messages[13].value == "十二"
    assert all(e.english for e in errors)
    assert [r.number for r in rows] == [14]  # only the clean row, for preview


def test_several_problems_in_one_cell_are_one_error():
    data = xlsx(CN, [row(co_units="交通局、水务局、省财政厅、省财政厅")])
    _, errors = parse_workbook(data, make_lookups())
    assert cells(errors) == [(2, "会办单位")]
    assert "未知的承办单位：交通局、水务局" in errors[0].message
    assert "承办单位重复：省财政厅" in errors[0].message


def test_more_checks_on_mode_units_and_deputies():
    data = xlsx(CN, [
        row(number=1, mode="分办", lead_unit="省教育厅", co_units=None),  # 2: one unit only
        row(number=2, co_units=None),                                    # 3: lead_co no co
        row(number=3, lead_unit=None),                                   # 4: no lead unit
        row(number=4, co_signers="张三、未知"),                          # 5: lead + unknown
        row(number=5, key="也许"),                                       # 6: bad key
        row(number=6, key="是", supervising_leader="路人甲"),            # 7: unknown leader
        row(number=7, title="长" * 256),                                 # 8: title too long
        row(number=-3),                                                  # 9: not positive
        row(number=10, mode="并案", co_units=None),                      # 10: orphan merged
        row(number=11, merged_with="1"),                                 # 11: not 并案
    ])
    _, errors = parse_workbook(data, make_lookups())
    assert cells(errors) == [(2, "会办单位"), (3, "会办单位"), (4, "主办单位"), (5, "联名代表"),
                             (6, "重点建议"), (7, "督办领导"), (8, "标题"), (9, "建议号"),
                             (10, "并案建议号"), (11, "并案建议号")]
    assert "未知的代表：未知" in errors[3].message and "领衔代表" in errors[3].message


def test_merged_groups_are_checked_across_rows():
    data = xlsx(CN, [
        row(number=1, mode="并案", co_units=None, merged_with="2、3"),             # 2
        row(number=2, mode="并案", co_units=None, lead_unit="省教育厅"),           # 3 lead differs
        row(number=3, mode="独办", co_units=None),                                # 4 not 并案
        row(number=4, mode="并案", co_units=None, merged_with="2、4"),             # 5 claimed+self
    ])
    _, errors = parse_workbook(data, make_lookups())
    assert cells(errors) == [(2, "并案建议号"), (3, "主办单位"), (5, "并案建议号")]
    assert errors[0].message == "第3号建议的办理方式不是并案"
    assert "已并入第1号建议" in errors[2].message and "不能与自身并案" in errors[2].message


# --------------------------------------------------------------------------- file level

def test_missing_required_columns_are_reported_once():
    headers = [h for h in CN if h not in ("选举单位", "办理方式")]
    rows = [[v for k, v in zip(KEYS, row(number=n)) if k not in ("electoral_unit", "mode")]
            for n in (1, 2, 3)]
    parsed, errors = parse_workbook(xlsx(headers, rows), make_lookups())
    assert parsed == []
    assert [(e.row, e.column, e.value) for e in errors] == [(1, "选举单位", ""), (1, "办理方式", "")]
    assert "缺少必填列" in errors[0].message


def test_missing_required_column_still_reports_other_cells():
    headers = [h for h in CN if h != "选举单位"]
    rows = [[v for k, v in zip(KEYS, row(lead_unit="交通局")) if k != "electoral_unit"]]
    _, errors = parse_workbook(xlsx(headers, rows), make_lookups())
    assert cells(errors) == [(1, "选举单位"), (2, "主办单位")]


@pytest.mark.parametrize("content", [
    b"number,title\n1,x\n",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # old .xls
    b"",
])
def test_non_xlsx_bytes_are_refused(content):
    rows, errors = parse_workbook(content, make_lookups())
    assert rows == []
    assert len(errors) == 1 and errors[0].row == 0
    assert errors[0].message and errors[0].english


def test_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    rows, errors = parse_workbook(buffer.getvalue(), make_lookups())
    assert rows == [] and [e.row for e in errors] == [0]


def test_path_input(tmp_path):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(xlsx(CN, [row()]))
    for data in (path, str(path)):
        rows, errors = parse_workbook(data, make_lookups())
        assert errors == [] and len(rows) == 1


def test_empty_sheet_and_header_only():
    _, errors = parse_workbook(xlsx([], []), make_lookups())
    assert [e.row for e in errors] == [1]
    _, errors = parse_workbook(xlsx(CN, [[None] * len(CN)]), make_lookups())
    assert [e.row for e in errors] == [2] and "没有建议数据" in errors[0].message


def test_row_limit():
    data = xlsx(CN, [row(number=n) for n in range(1, MAX_ROWS + 2)])
    rows, errors = parse_workbook(data, make_lookups())
    assert [(e.row, e.column) for e in errors] == [(MAX_ROWS + 2, "")]
    assert str(MAX_ROWS) in errors[0].message
    assert len(rows) == MAX_ROWS


# --------------------------------------------------------------------------- outputs

def test_error_report_lists_the_errors():
    data = xlsx(CN, [row(lead_unit="交通局"), row(number=2, title=None, lead_deputy="无名氏")])
    _, errors = parse_workbook(data, make_lookups())
    errors.append(CellError(3, "标题", "=HYPERLINK(\"http://x\")", "示例", "example"))
    report = load_workbook(io.BytesIO(error_report(errors)))
    ws = report.active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == ["行号", "列", "值", "问题", "Problem"]
    assert len(errors) == 4
    assert values[1:] == [[e.row, e.column, e.value or None, e.message, e.english]
                          for e in errors]  # an empty cell reads back as None
    assert values[-1][2] == "=HYPERLINK(\"http://x\")"
    assert ws.cell(row=len(values), column=3).data_type == "s"  # never a formula


def test_error_report_without_errors_has_headers_only():
    ws = load_workbook(io.BytesIO(error_report([]))).active
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["行号", "列", "值", "问题", "Problem"]]


def test_template_round_trips():
    data = template_workbook()
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in ws[1]] == CN
    rows, errors = parse_workbook(data, make_lookups())
    assert errors == []
    assert len(rows) == 1
    example = rows[0]
    assert (example.row, example.number, example.title) == (2, TEMPLATE_EXAMPLE["number"],
                                                            TEMPLATE_EXAMPLE["title"])
    assert (example.mode, example.lead_unit, example.co_units) == ("lead_co", "transport",
                                                                   ["finance", "ndrc"])
    assert example.co_signers == ["李四", "王五"] and example.key is False


def test_template_example_fails_when_names_are_unknown():
    lookups = Lookups(unit_code=lambda name: None, deputy_electoral_unit=lambda name: None,
                      leader_known=lambda name: False)
    rows, errors = parse_workbook(template_workbook(), lookups)
    assert rows == []
    assert {e.column for e in errors} == {"领衔代表", "联名代表", "主办单位", "会办单位"}


def test_the_field_comes_from_the_fixed_list_an_alias_is_its_field_and_two_are_one_error():
    """领域 is a fixed list: 住建 is read as 城建; a field outside the list, or two in one cell,
    is that cell's error."""
    data = xlsx(CN, [row(number=201, field="住建"), row(number=202, field="民生"),
                     row(number=203, field="交通、教育")])
    rows, errors = parse_workbook(data, make_lookups())
    assert cells(errors) == [(3, "领域"), (4, "领域")]
    rows, errors = parse_workbook(xlsx(CN, [row(number=201, field="住建")]), make_lookups())
    assert errors == [] and rows[0].field == "城建"
