"""The workbooks Jianyi writes for the assignment table: the error report and the template.

Both are written cell by cell as text (never a formula, whatever the user typed); the error
report is the one every import shares (``workflows.workbook_files``).
"""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from ..text import SUGGESTION as TEXT_RULES
from ..workbook_files import error_report, save as _save, text_cell as _text_cell
from .columns import COLUMNS, MAX_ROWS, MAX_TITLE, MODE_CHOICES, TEMPLATE_EXAMPLE


_HELP = {
    "number": "必填。正整数，本文件及本次会议内不得重复",
    "title": f"必填。不超过{MAX_TITLE}个字",
    "lead_deputy": "必填。代表姓名",
    "co_signers": "选填。多个代表用“、”或逗号分隔",
    "electoral_unit": "必填。须与领衔代表的选举单位一致",
    "field": "必填。如交通、教育",
    "mode": f"必填。{'、'.join(MODE_CHOICES[:-1])}或{MODE_CHOICES[-1]}",
    "lead_unit": "必填。单位名称或代码；分办时填第一个承办单位",
    "co_units": "选填。多个单位用“、”分隔；主办+会办至少一个；独办不填；分办填其余承办单位",
    "key": "选填。是/否，空白为否",
    "supervising_leader": "重点建议必填，非重点建议不填",
    "special_committee": "选填。对口督办的专门委员会",
    "merged_with": "仅并案：填写并入本建议的其他建议号（须在本文件中，办理方式均为并案）",
    "body": f"选填。不超过{TEXT_RULES['body'].limit}个字；空白时以标题为内容",
}


def template_workbook() -> bytes:
    """An import template: the Chinese headers and one example row (sheet 1), help (sheet 2)."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "交办建议"
    for col, column in enumerate(COLUMNS, start=1):
        _text_cell(ws, 1, col, column.zh)
        ws.cell(row=1, column=col).font = Font(bold=True, color="C00000" if column.required
                                               else "000000")
        value = TEMPLATE_EXAMPLE[column.key]
        if value not in ("", None):
            _text_cell(ws, 2, col, value)
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = \
            40 if column.key in ("title", "body") else 16
    ws.freeze_panes = "A2"
    letters = {c.key: ws.cell(row=1, column=i).column_letter for i, c in enumerate(COLUMNS, 1)}
    last = MAX_ROWS + 1
    mode_list = DataValidation(type="list", formula1=f'"{",".join(MODE_CHOICES)}"',
                               allow_blank=True)
    key_list = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(mode_list)
    ws.add_data_validation(key_list)
    mode_list.add(f"{letters['mode']}2:{letters['mode']}{last}")
    key_list.add(f"{letters['key']}2:{letters['key']}{last}")

    help_ws = workbook.create_sheet("填写说明")
    for col, title in enumerate(("列", "英文列名", "说明"), start=1):
        _text_cell(help_ws, 1, col, title)
        help_ws.cell(row=1, column=col).font = Font(bold=True)
    for r, column in enumerate(COLUMNS, start=2):
        _text_cell(help_ws, r, 1, column.zh)
        _text_cell(help_ws, r, 2, column.key)
        _text_cell(help_ws, r, 3, _HELP[column.key])
    help_ws.column_dimensions["A"].width = 14
    help_ws.column_dimensions["B"].width = 20
    help_ws.column_dimensions["C"].width = 80
    _text_cell(help_ws, len(COLUMNS) + 3, 1,
               f"每行一条建议，最多{MAX_ROWS}行；只读取第一个工作表；有任何错误时整个文件不导入。")
    return _save(workbook)
