"""Organisation workbooks for tests and the bench: {sheet name: [header, row, ...]} → .xlsx."""
from __future__ import annotations

import io

from openpyxl import Workbook

UNITS = [["代码", "名称", "类别"], ["jt", "省交通厅", "政府部门"], ["zzb", "省委组织部", "党群"],
         ["dl", "省电力公司", "其他"]]
DIVISIONS = [["单位", "处室"], ["jt", "综合处"], ["省交通厅", "规划处"], ["zzb", "干部处"]]
DEPUTIES = [["姓名", "代表团", "选举单位", "电话", "电子邮箱"],
            ["赵一", "长沙代表团", "长沙市", "0731-1234567", "zhao@example.cn"],
            ["钱二", "岳阳代表团", "岳阳市", "", ""]]
SESSIONS = [["届", "次", "年份", "名称", "开幕日期"], [14, 3, 2026, "省十四届人大三次会议", "2026-01-20"]]
USERS = [["用户名", "姓名", "角色", "单位", "处室", "代表", "启用"],
         ["jt_li", "李处长", "承办处室", "jt", "综合处", "", "是"],
         ["jt_sign", "王厅长", "signer", "省交通厅", "", "", ""],
         ["zhao1", "赵一", "代表", "", "", "赵一", "是"]]


def book(**sheets) -> bytes:
    """A workbook with the given worksheets (name → rows); defaults: every sheet above."""
    if not sheets:
        sheets = {"单位": UNITS, "处室": DIVISIONS, "代表": DEPUTIES, "会议": SESSIONS,
                  "用户": USERS}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
