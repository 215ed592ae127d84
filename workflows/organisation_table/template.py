"""The organisation workbook's template: one worksheet per kind with its headers (required ones
in red) and an example row, and a help worksheet."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from ..workbook_files import save, text_cell
from .columns import SHEETS


def template_workbook(example: bool = True) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS:
        ws = workbook.create_sheet(sheet.zh)
        for col, column in enumerate(sheet.columns, start=1):
            text_cell(ws, 1, col, column.zh)
            ws.cell(row=1, column=col).font = Font(bold=True, color="C00000" if column.required
                                                   else "000000")
            ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 20
            if example:
                text_cell(ws, 2, col, sheet.example[col - 1])
        ws.freeze_panes = "A2"
    help_ws = workbook.create_sheet("填写说明")
    for col, title in enumerate(("工作表", "列", "英文列名", "说明"), start=1):
        text_cell(help_ws, 1, col, title)
        help_ws.cell(row=1, column=col).font = Font(bold=True)
    r = 2
    for sheet in SHEETS:
        for column in sheet.columns:
            for col, value in enumerate((sheet.zh, column.zh, column.key, column.help), start=1):
                text_cell(help_ws, r, col, value)
            r += 1
    for letter, width in zip("ABCD", (10, 12, 16, 70)):
        help_ws.column_dimensions[letter].width = width
    text_cell(help_ws, r + 1, 1, "红色列为必填。按代码、单位+处室、姓名+选举单位、届+次、用户名识别"
                                 "已有记录：已有的更新，没有的新增；有任何错误时整个文件不导入。"
                                 "新用户没有密码，由管理员在用户页面生成一次性链接交给本人设置。")
    return save(workbook)
