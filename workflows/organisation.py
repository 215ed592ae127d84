"""The organisation an administrator keeps (组织机构): handling units with their kind and
divisions (处室), deputies (代表) and congress sessions (届次/会议).

Each change is checked field by field (`OrganisationError.problems`, "中文 (English)" per field,
so a form can show them beside what was typed) and audited with what changed (from → to). The
`.xlsx` import (`workflows.organisation_table`) writes through the same functions' checks.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, CongressSession, Deputy, Division, Unit, text
from models.vocabulary import UNIT_KINDS

from .errors import DomainError

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,31}")
PHONE = re.compile(r"[0-9+\-() ]{3,32}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,62}\.[^@\s]{1,62}")
YEARS = range(1954, 2201)  # the first National People's Congress onwards


class OrganisationError(DomainError):
    """A change refused; `problems` by field ("中文 (English)")."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def text_problem(value: Any, column, required: bool = True) -> str | None:
    """Why `value` cannot be kept in the `String(n)` column `column`."""
    return text.problem(value, limit=text.limit_of(column), required=required)


def record(session: Session, actor: str, action: str, now: datetime, detail: dict) -> None:
    session.add(AuditEvent(at=now, actor=actor, action=action, detail=detail))


def apply(session: Session, row, values: dict[str, Any], *, what: str, actor: str,
          now: datetime, key: str) -> dict[str, list]:
    """Set `values` on `row` (new if it has no id yet) and audit `<what>_created` or
    `<what>_changed` with the fields that changed; returns them."""
    new = row.id is None
    changes = {}
    for field, value in values.items():
        old = getattr(row, field)
        if new or old != value:
            changes[field] = [None if new else _plain(old), _plain(value)]
            setattr(row, field, value)
    if new:
        session.add(row)
    session.flush()
    if changes:
        record(session, actor, f"{what}_{'created' if new else 'changed'}", now,
               {"id": row.id, "key": key, "changes": changes})
    return changes


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


# ---- units and divisions ----
def unit_problems(session: Session, unit_id: int | None, code, name, kind) -> dict[str, str]:
    problems = {}
    if not isinstance(code, str) or not CODE.fullmatch(code):
        problems["code"] = ("代码由字母、数字、下划线或连字符组成，1至32个字符 "
                            "(letters, digits, _ or -, 1-32 characters)")
    elif unit_id and session.scalar(select(Unit.code).where(Unit.id == unit_id)) \
            not in (None, code):
        # running cases name their units by code (lane rules read it from the case's data)
        problems["code"] = "单位代码不能修改 (a unit's code cannot be changed)"
    elif session.scalar(select(Unit.id).where(Unit.code == code, Unit.id != (unit_id or 0))):
        problems["code"] = "该代码已被其他单位使用 (another unit has this code)"
    if reason := text_problem(name, Unit.name):
        problems["name"] = reason
    elif session.scalar(select(Unit.id).where(Unit.name == name.strip(),
                                              Unit.id != (unit_id or 0))):
        problems["name"] = "已有同名单位 (another unit has this name)"
    if kind not in UNIT_KINDS:
        problems["kind"] = "请选择单位类别 (choose the unit's kind)"
    return problems


def save_unit(session: Session, unit_id: int | None, *, code: str, name: str, kind: str,
              actor: str, now: datetime) -> Unit:
    """Add a unit (`unit_id` None) or change one."""
    unit = _get(session, Unit, unit_id, "单位 (unit)") if unit_id else Unit()
    if problems := unit_problems(session, unit_id, code, name, kind):
        raise OrganisationError(problems)
    apply(session, unit, {"code": code, "name": name.strip(), "kind": kind}, what="unit",
          actor=actor, now=now, key=code)
    return unit


def save_division(session: Session, division_id: int | None, *, unit_id: int, name: str,
                  actor: str, now: datetime) -> Division:
    """Add a division to a unit (`division_id` None) or rename one (it stays in its unit)."""
    unit = _get(session, Unit, unit_id, "单位 (unit)")
    division = _get(session, Division, division_id, "处室 (division)") if division_id \
        else Division(unit_id=unit.id)
    if division.unit_id != unit.id:
        raise OrganisationError({"name": "处室不属于该单位 (the division is of another unit)"})
    if reason := text_problem(name, Division.name):
        raise OrganisationError({"name": reason})
    if session.scalar(select(Division.id).where(Division.unit_id == unit.id,
                                                Division.name == name.strip(),
                                                Division.id != (division_id or 0))):
        raise OrganisationError({"name": "本单位已有同名处室 (the unit has a division of "
                                         "this name)"})
    apply(session, division, {"name": name.strip()}, what="division", actor=actor, now=now,
          key=f"{unit.code}/{name.strip()}")
    return division


# ---- deputies ----
def deputy_problems(values: dict[str, Any]) -> dict[str, str]:
    problems = {}
    for field, required in (("name", True), ("electoral_unit", True), ("delegation", False)):
        if reason := text_problem(values.get(field), getattr(Deputy, field), required):
            problems[field] = reason
    phone, email = values.get("phone") or "", values.get("email") or ""
    if not isinstance(phone, str) or (phone and not PHONE.fullmatch(phone)):
        problems["phone"] = "电话号码只能包含数字、空格和 + - ( ) (digits, spaces, + - ( ) only)"
    if not isinstance(email, str) or (email and (len(email) > 128 or not EMAIL.fullmatch(email))):
        problems["email"] = "电子邮箱格式不正确 (not an e-mail address)"
    return problems


def save_deputy(session: Session, deputy_id: int | None, *, name: str, electoral_unit: str,
                delegation: str = "", phone: str = "", email: str = "", actor: str,
                now: datetime) -> Deputy:
    """Add a deputy or change one; empty optional fields are kept as NULL."""
    deputy = _get(session, Deputy, deputy_id, "代表 (deputy)") if deputy_id else Deputy()
    values = {"name": name, "electoral_unit": electoral_unit, "delegation": delegation,
              "phone": phone, "email": email}
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    if problems := deputy_problems(values):
        raise OrganisationError(problems)
    values = {k: (v or None) if k in ("delegation", "phone", "email") else v
              for k, v in values.items()}
    apply(session, deputy, values, what="deputy", actor=actor, now=now,
          key=f"{values['name']}/{values['electoral_unit']}")
    return deputy


# ---- congress sessions ----
def session_problems(session: Session, session_id: int | None, congress, meeting, year, name,
                     opened_on) -> dict[str, str]:
    problems = {}
    for field, value, top in (("congress", congress, 99), ("meeting", meeting, 99)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
            problems[field] = f"应为 1 到 {top} 之间的整数 (a whole number from 1 to {top})"
    if not isinstance(year, int) or isinstance(year, bool) or year not in YEARS:
        problems["year"] = (f"应为 {YEARS.start} 到 {YEARS.stop - 1} 之间的年份 "
                            f"(a year from {YEARS.start} to {YEARS.stop - 1})")
    if reason := text_problem(name, CongressSession.name):
        problems["name"] = reason
    if opened_on is not None and not isinstance(opened_on, date):
        problems["opened_on"] = "日期格式应为 YYYY-MM-DD (a date as YYYY-MM-DD)"
    if not problems and session.scalar(select(CongressSession.id).where(
            CongressSession.congress == congress, CongressSession.meeting == meeting,
            CongressSession.id != (session_id or 0))):
        problems["meeting"] = "该届次会议已存在 (this meeting of this congress exists already)"
    return problems


def save_congress_session(session: Session, session_id: int | None, *, congress: int,
                          meeting: int, year: int, name: str, opened_on: date | None,
                          actor: str, now: datetime) -> CongressSession:
    """Add a congress session (届次/会议) or change one."""
    row = _get(session, CongressSession, session_id, "会议 (session)") if session_id \
        else CongressSession()
    if problems := session_problems(session, session_id, congress, meeting, year, name,
                                    opened_on):
        raise OrganisationError(problems)
    apply(session, row, {"congress": congress, "meeting": meeting, "year": year,
                         "name": name.strip(), "opened_on": opened_on},
          what="congress_session", actor=actor, now=now, key=f"{congress}/{meeting}")
    return row


def _get(session: Session, model, row_id: int, what: str):
    row = session.get(model, row_id)
    if row is None:
        raise DomainError(f"没有这个{what.split(' ')[0]} (no such {what.split('(')[-1][:-1]})")
    return row


__all__ = ["CODE", "EMAIL", "OrganisationError", "PHONE", "apply", "deputy_problems",
           "record", "save_congress_session", "save_deputy", "save_division", "save_unit",
           "session_problems", "text_problem", "unit_problems"]
