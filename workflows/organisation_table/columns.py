"""The organisation workbook's worksheets and columns, and the error of one cell."""
from __future__ import annotations

from dataclasses import dataclass

from ..assignment_table.columns import CellError, norm

MAX_ROWS = 20_000  # per worksheet


@dataclass
class OrgCellError(CellError):
    """A problem in one cell of one worksheet (``row`` 0: the file or the worksheet itself)."""

    sheet: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    required: bool
    help: str = ""


@dataclass(frozen=True)
class Sheet:
    key: str
    zh: str
    columns: tuple[Column, ...]
    example: tuple

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


UNITS = Sheet("units", "单位", (
    Column("code", "代码", True, "必填。字母、数字、_ 或 -，不超过32个字符，不得重复"),
    Column("name", "名称", True, "必填。单位全称，不得重复"),
    Column("kind", "类别", True, "必填。政府部门、党群或其他"),
), ("jtt", "省交通运输厅", "政府部门"))
DIVISIONS = Sheet("divisions", "处室", (
    Column("unit", "单位", True, "必填。单位代码或名称（本表“单位”页或系统中已有）"),
    Column("name", "处室", True, "必填。处室名称，同一单位内不得重复"),
), ("jtt", "综合规划处"))
DEPUTIES = Sheet("deputies", "代表", (
    Column("name", "姓名", True, "必填"),
    Column("delegation", "代表团", False, "选填。如长沙代表团"),
    Column("electoral_unit", "选举单位", True, "必填。姓名与选举单位合起来不得重复"),
    Column("phone", "电话", False, "选填。数字、空格和 + - ( )"),
    Column("email", "电子邮箱", False, "选填"),
), ("张三", "长沙代表团", "长沙市", "0731-12345678", "zhangsan@example.cn"))
SESSIONS = Sheet("sessions", "会议", (
    Column("congress", "届", True, "必填。如 14（第十四届）"),
    Column("meeting", "次", True, "必填。如 3（第三次会议）"),
    Column("year", "年份", True, "必填。如 2026"),
    Column("name", "名称", True, "必填。如 省十四届人大三次会议"),
    Column("opened_on", "开幕日期", False, "选填。YYYY-MM-DD"),
), (14, 3, 2026, "省十四届人大三次会议", "2026-01-20"))
USERS = Sheet("users", "用户", (
    Column("username", "用户名", True, "必填。字母、数字和 _ . @ -，2至64个字符，不得重复"),
    Column("name", "姓名", True, "必填"),
    Column("role", "角色", True, "必填。角色名称或代码，如 承办处室、unit_handler"),
    Column("unit", "单位", False, "承办处室、分管负责同志、主要负责同志必填。单位代码或名称"),
    Column("division", "处室", False, "选填。所属单位的处室"),
    Column("deputy", "代表", False, "仅代表角色：代表姓名；重名时写 姓名/选举单位"),
    Column("active", "启用", False, "选填。是/否，空白为是；否 即停用账号"),
    Column("committee", "专门委员会", False,
           "仅专门委员会角色：所属委员会名称（本表“专门委员会”页或系统中已有）；空白则不变"),
), ("jtt_zhang", "张明", "承办处室", "jtt", "综合规划处", "", "是", ""))
COMMITTEES = Sheet("committees", "专门委员会", (
    Column("name", "名称", True, "必填。委员会名称，不得重复"),
    Column("fields", "对口领域", True, "必填。一个或多个领域，用 、 分隔，如 交通、水利"),
), ("财政经济委员会", "财政、产业"))
SHEETS: tuple[Sheet, ...] = (UNITS, DIVISIONS, DEPUTIES, SESSIONS, COMMITTEES, USERS)
SHEET_ALIASES = {norm(name): s for s in SHEETS for name in (s.zh, s.key)}
HEADERS = {s.key: {norm(name): c.key for c in s.columns for name in (c.zh, c.key)}
           for s in SHEETS}
TRUE = {"是", "yes", "y", "true", "1", ""}
FALSE = {"否", "no", "n", "false", "0"}


def error(sheet: Sheet, row: int, column: str, value: str, message: str,
          english: str) -> OrgCellError:
    return OrgCellError(row, column, value, message, english, sheet=sheet.zh)
