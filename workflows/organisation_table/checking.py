"""The checks of the organisation workbook's rows, against the database and the rest of the
file; each row comes out as the values to write, keyed to the row it updates (or none)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Committee, CongressSession, Deputy, Division, Unit, User
from models.vocabulary import FIELDS, UNIT_KINDS

from .. import committees, deputies, roles
from ..accounts import USERNAME
from ..assignment_table.columns import parse_int
from ..organisation import CODE, deputy_problems, text_problem
from .columns import FALSE, TRUE
from .reading import Row


@dataclass
class Planned:
    """A checked row: the values to write and the id of the row it updates (None: new)."""

    row: Row
    values: dict[str, Any]
    existing: Optional[int] = None


@dataclass
class Known:
    """What the database holds, read once."""

    unit_by_code: dict[str, int] = field(default_factory=dict)
    unit_code_by_name: dict[str, str] = field(default_factory=dict)
    divisions: dict[tuple[str, str], int] = field(default_factory=dict)
    deputies: dict[tuple[str, str], int] = field(default_factory=dict)
    sessions: dict[tuple[int, int], int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    deputy_accounts: dict[int, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # code or Chinese name -> code
    committees: dict[str, int] = field(default_factory=dict)  # name -> id

    @classmethod
    def read(cls, session: Session) -> "Known":
        known = cls()
        codes = {}
        for uid, code, name in session.execute(select(Unit.id, Unit.code, Unit.name)):
            known.unit_by_code[code], known.unit_code_by_name[name], codes[uid] = uid, code, code
        for did, uid, name in session.execute(select(Division.id, Division.unit_id,
                                                     Division.name)):
            known.divisions[(codes[uid], name)] = did
        for did, name, eu in session.execute(select(Deputy.id, Deputy.name,
                                                    Deputy.electoral_unit)):
            known.deputies[(name, eu)] = did
        for sid, c, m in session.execute(select(CongressSession.id, CongressSession.congress,
                                                CongressSession.meeting)):
            known.sessions[(c, m)] = sid
        for uid, username, deputy_id, active in session.execute(
                select(User.id, User.username, User.deputy_id, User.active)):
            known.users[username] = uid
            if deputy_id is not None and active:
                known.deputy_accounts[deputy_id] = username
        for code, (zh, _en) in roles.names(session).items():
            known.roles[code], known.roles[zh] = code, code
        known.committees = dict(session.execute(select(Committee.name, Committee.id))
                                .tuples().all())
        return known


def _once(row: Row, key: str, seen: dict, value, what: str) -> bool:
    """False (and an error) if `value` was already met on an earlier row of the sheet."""
    if value in seen:
        row.fail(key, f"与第{seen[value]}行重复的{what}", f"same {what} as row {seen[value]}")
        return False
    seen[value] = row.number
    return True


def _text(row: Row, key: str, column, required: bool = True) -> str:
    value = row.text(key)
    if reason := text_problem(value, column, required):
        zh, _, en = reason.partition(" (")
        row.fail(key, zh, en.rstrip(")") or zh)
    return value


class Checker:
    def __init__(self, known: Known, actor: str = ""):
        self.known, self.actor = known, actor
        self.unit_codes: dict[str, str] = {}  # file's units: code and name -> code
        self.file_divisions: set[tuple[str, str]] = set()
        self.file_deputies: dict[str, list[tuple[str, str]]] = {}
        self.file_committees: set[str] = set()

    def units(self, rows: list[Row]) -> list[Planned]:
        codes, names, out = {}, {}, []
        for row in rows:
            code, name, kind = row.text("code"), _text(row, "name", Unit.name), row.text("kind")
            if not CODE.fullmatch(code):
                row.fail("code", "代码由字母、数字、_ 或 - 组成，不超过32个字符",
                         "letters, digits, _ or -, at most 32 characters")
            elif _once(row, "code", codes, code, "代码"):
                self.unit_codes[code] = code
            owner = self.known.unit_code_by_name.get(name)
            if "name" not in row.errors and _once(row, "name", names, name, "名称"):
                if owner is not None and owner != code:
                    row.fail("name", f"单位“{owner}”已使用此名称", f"the unit {owner} has this name")
                self.unit_codes.setdefault(name, code)
            kind_code = UNIT_KINDS.parse(kind)
            if kind_code is None:
                row.fail("kind", "类别应为 政府部门、党群 或 其他",
                         "the kind must be 政府部门, 党群 or 其他")
            out.append(Planned(row, {"code": code, "name": name, "kind": kind_code},
                               self.known.unit_by_code.get(code)))
        return out

    def unit_code(self, value: str) -> str | None:
        return (self.unit_codes.get(value) or self.known.unit_code_by_name.get(value)
                or (value if value in self.known.unit_by_code else None))

    def divisions(self, rows: list[Row]) -> list[Planned]:
        seen, out = {}, []
        for row in rows:
            code = self.unit_code(row.text("unit"))
            if code is None:
                row.fail("unit", "没有这个单位", "no such unit")
            name = _text(row, "name", Division.name)
            if code is not None and "name" not in row.errors \
                    and _once(row, "name", seen, (code, name), "处室"):
                self.file_divisions.add((code, name))
            out.append(Planned(row, {"unit": code, "name": name},
                               self.known.divisions.get((code, name))))
        return out

    def deputies(self, rows: list[Row]) -> list[Planned]:
        seen, out = {}, []
        for row in rows:
            values = {c: row.text(c) for c in ("name", "electoral_unit", "delegation", "phone",
                                               "email")}
            for key, reason in deputy_problems(values).items():
                zh, _, en = reason.partition(" (")
                row.fail(key, zh, en.rstrip(")") or zh)
            key = (values["name"], values["electoral_unit"])
            if not row.errors and _once(row, "name", seen, key, "代表（姓名与选举单位）"):
                self.file_deputies.setdefault(key[0], []).append(key)
            out.append(Planned(row, {k: v or None if k in ("delegation", "phone", "email")
                                     else v for k, v in values.items()},
                               self.known.deputies.get(key)))
        return out

    def sessions(self, rows: list[Row]) -> list[Planned]:
        seen, out = {}, []
        for row in rows:
            values = {}
            for key, top in (("congress", 99), ("meeting", 99), ("year", 2200)):
                number = parse_int(row.raw.get(key))
                if number is None or not 1 <= number <= top:
                    row.fail(key, "应为正整数", "must be a whole number")
                values[key] = number
            values["name"] = _text(row, "name", CongressSession.name)
            values["opened_on"] = _date(row)
            key = (values["congress"], values["meeting"])
            if not row.errors:
                _once(row, "meeting", seen, key, "届次会议")
            out.append(Planned(row, values, self.known.sessions.get(key)))
        return out

    def committees(self, rows: list[Row]) -> list[Planned]:
        seen, out = {}, []
        for row in rows:
            name = _text(row, "name", Committee.name)
            if "name" not in row.errors and _once(row, "name", seen, name, "委员会名称"):
                self.file_committees.add(name)
            fields = [f.strip() for f in re.split("[、,，]", row.text("fields")) if f.strip()]
            if not fields or any(f not in FIELDS for f in fields):
                row.fail("fields", "应为一个或多个领域，用 、 分隔（如 交通、水利）",
                         "one or more fields separated by 、 (e.g. 交通、水利)")
            out.append(Planned(row, {"name": name, "fields": fields},
                               self.known.committees.get(name)))
        return out

    def _committee(self, row: Row, role: str | None) -> str | None:
        name = row.text("committee")
        if not name:
            return None
        if role != committees.ROLE:
            row.fail("committee", "只有专门委员会角色的账号可以属于委员会",
                     "only an account of the committee role belongs to a committee")
        elif name not in self.file_committees and name not in self.known.committees:
            row.fail("committee", "没有这个专门委员会", "no such committee")
        return name

    def users(self, rows: list[Row]) -> list[Planned]:
        seen, deputies_seen, out = {}, {}, []
        # accounts this file deactivates no longer hold their deputy
        self.leaving = {r.text("username") for r in rows if r.text("active").lower() in FALSE}
        for row in rows:
            username = row.text("username")
            if not USERNAME.fullmatch(username):
                row.fail("username", "用户名由字母、数字和 _ . @ - 组成，2至64个字符",
                         "2-64 letters, digits, _ . @ -")
            else:
                _once(row, "username", seen, username, "用户名")
            name = _text(row, "name", User.name)
            role = self.known.roles.get(row.text("role"))
            if role is None:
                row.fail("role", "没有这个角色", "no such role")
            unit_text, unit = row.text("unit"), None
            if unit_text:
                unit = self.unit_code(unit_text)
                if unit is None:
                    row.fail("unit", "没有这个单位", "no such unit")
            elif role in roles.UNIT_ROLES:
                row.fail("unit", "该角色需要所属单位", "this role needs a unit")
            division = row.text("division") or None
            if division and unit is not None and (unit, division) not in self.file_divisions \
                    and (unit, division) not in self.known.divisions:
                row.fail("division", "所属单位没有这个处室", "the unit has no such division")
            elif division and unit is None and "unit" not in row.errors:
                row.fail("division", "填写处室须同时填写单位", "a division needs its unit")
            deputy = self._deputy(row, role, deputies_seen)
            committee = self._committee(row, role)
            active = row.text("active").lower()
            if active not in TRUE | FALSE:
                row.fail("active", "应为 是 或 否", "must be 是 or 否")
            elif active in FALSE and username == self.actor:
                row.fail("active", "不能停用自己的账号", "you cannot deactivate your own account")
            out.append(Planned(row, {"username": username, "name": name, "role": role,
                                     "unit": unit, "division": division, "deputy": deputy,
                                     "active": active in TRUE, "committee": committee},
                               self.known.users.get(username)))
        return out

    def _deputy(self, row: Row, role: str | None, seen: dict) -> tuple[str, str] | None:
        written = row.text("deputy")
        if not written:
            return None
        if role != deputies.DEPUTY_ROLE:
            row.fail("deputy", "只有代表角色的账号可以关联代表",
                     "only an account with the deputy role is linked to a deputy")
            return None
        name, _, unit = written.partition("/")
        keys = {k for k in self.known.deputies if k[0] == name} | \
            set(self.file_deputies.get(name, []))
        if unit:
            keys = {k for k in keys if k[1] == unit}
        if not keys:
            row.fail("deputy", "没有这位代表", "no such deputy")
            return None
        if len(keys) > 1:
            row.fail("deputy", "有重名代表，请写 姓名/选举单位",
                     "several deputies have this name: write name/electoral unit")
            return None
        [key] = keys
        username = self.known.deputy_accounts.get(self.known.deputies.get(key, -1))
        if username is not None and username not in (row.text("username"), *self.leaving):
            row.fail("deputy", f"该代表已有账号 {username}", f"the deputy has the account {username}")
        elif _once(row, "deputy", seen, key, "代表"):
            return key
        return None


def _date(row: Row) -> date | None:
    value = row.raw.get("opened_on")
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(row.text("opened_on"))
    except ValueError:
        row.fail("opened_on", "日期格式应为 YYYY-MM-DD", "a date as YYYY-MM-DD")
        return None
