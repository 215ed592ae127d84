"""Lane → candidates: who does the tasks of a lane, read from the lane rules (`lane_rule`).

A process designer gives each lane of a process a rule (流程设置, `/designer/lanes`, `jianyi lanes
set`); deploy refuses a process with a lane that has none (`lane_problems`). Kinds:

- `role`: anyone with the role, any unit;
- `unit_role`: the role in the unit whose code is at data path `path` (e.g. `branch.unit`);
- `person`: the username at data path `path` (e.g. `supervising_leader`); `role` is the queue
  when the path holds nothing;
- `initiator`: the person who started the case;
- `lead_deputy`: the lead deputy's account, or — for a deputy without one — the commission's
  queue, who record the paper form on the deputy's behalf (代录): never a queue of deputies.

A task drawn outside every lane is the initiator's. Data paths are dotted identifiers looked up
with plain dict access in the task's data, nothing else.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine import Candidates, ProcessError, Problem, TaskContext
from engine.bpmn import NS
from engine.scripts import step_session
from models import (AuditEvent, LaneRule, ProcessDefinition, ProcessVersion, on_commit, text,
                    utcnow)

from . import deputies
from .errors import DomainError
from engine import safexml
from . import roles

KINDS = ("role", "unit_role", "person", "initiator", "lead_deputy")
NEEDS_ROLE = {"role", "unit_role"}  # `person` may name a queue role; the others take none
NEEDS_PATH = {"unit_role", "person"}
_PART = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
PATH = re.compile(rf"{_PART}(?:\.{_PART}){{0,3}}")
PROCESS_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,127}")
LANE_MAX = 255


@dataclass(frozen=True)
class Rule:
    """One lane's rule, as `resolve` uses it."""

    process_id: str
    lane: str
    kind: str
    role: str | None = None
    path: str | None = None


# The suggestion process's lanes (docs/process.md); the migration writes the same rows.
DEFAULT_RULES = (
    Rule("suggestion", "Commission", "role", "commission"),
    Rule("suggestion", "UnitHandler", "unit_role", "unit_handler", "branch.unit"),
    Rule("unit_handling", "Commission", "role", "commission"),
    Rule("unit_handling", "Supervisor", "role", "commission"),
    Rule("unit_handling", "UnitHandler", "unit_role", "unit_handler", "branch.unit"),
    Rule("unit_handling", "Reviewer", "unit_role", "reviewer", "branch.unit"),
    Rule("unit_handling", "Signer", "unit_role", "signer", "branch.unit"),
    Rule("unit_handling", "CoUnit", "unit_role", "unit_handler", "co_unit.unit"),
    Rule("unit_handling", "ProvincialLeader", "person", "provincial_leader", "supervising_leader"),
    Rule("unit_handling", deputies.DEPUTY_LANE, "lead_deputy"),
    # 代表提出建议 (bpmn/intake.bpmn, migration 0018_intake)
    Rule("intake", "提出代表", "initiator"),
    Rule("intake", "联名代表", "person", None, "co_signer.username"),
    Rule("intake", "Commission", "role", "commission"),
)


def seed_defaults(session: Session, actor: str = "setup") -> None:
    """Add the default rules whose lanes have none (demo and test databases; the migration
    writes the same rows)."""
    have = set(session.execute(select(LaneRule.process_id, LaneRule.lane)).tuples())
    now = utcnow()
    session.add_all(LaneRule(process_id=r.process_id, lane=r.lane, kind=r.kind, role=r.role,
                             path=r.path, updated_by=actor, updated_at=now)
                    for r in DEFAULT_RULES if (r.process_id, r.lane) not in have)
    session.flush()


# ---------------------------------------------------------------- reading the rules
# Every new human task asks for its lane's rule, so the rules are kept per database and read
# again when a cheap stamp (how many rules, the latest change) says another process changed
# them; a change made in this process drops them at once and again when it commits.
_STAMP = select(func.count(LaneRule.id), func.max(LaneRule.updated_at))
_ALL = select(LaneRule.process_id, LaneRule.lane, LaneRule.kind, LaneRule.role, LaneRule.path)
_cache: dict[str, tuple[tuple, dict[tuple[str, str], Rule]]] = {}
_cache_lock = threading.Lock()


def rules(session: Session) -> dict[tuple[str, str], Rule]:
    """(process id, lane) -> rule, as stored now."""
    conn = session.connection()
    key = str(conn.engine.url)
    stamp = tuple(conn.execute(_STAMP).one())
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    found = {(row.process_id, row.lane): Rule(*row) for row in conn.execute(_ALL)}
    with _cache_lock:
        _cache[key] = (stamp, found)
    return found


def forget(session: Session | None = None) -> None:
    """Drop the kept rules (now, and once `session` commits)."""
    with _cache_lock:
        _cache.clear()
    if session is not None:
        on_commit(session, forget)


def resolve(ctx: TaskContext) -> Candidates:
    """The candidates for a task that has just opened, by its lane's rule."""
    if ctx.lane is None:  # drawn outside every lane: the initiator's (SpiffArena's convention)
        return Candidates(assignee=ctx.initiator)
    rule = rules(step_session("the lane rules")).get((ctx.process_id, ctx.lane))
    if rule is None:
        raise ProcessError(f"lane '{ctx.lane}' of process '{ctx.process_id}' has no assignment "
                           f"rule (task '{ctx.bpmn_id}'); add one in 流程设置 (process settings)")
    return candidates(rule, ctx)


def candidates(rule: Rule, ctx: TaskContext) -> Candidates:
    """What one rule gives for one task."""
    if rule.kind == "role":
        return Candidates(role=rule.role)
    if rule.kind == "unit_role":
        unit = lookup(ctx.data, rule.path)
        if not isinstance(unit, str) or not unit:  # never "the role in every unit"
            raise ProcessError(f"lane '{rule.lane}' of process '{rule.process_id}' takes its "
                               f"unit from '{rule.path}', which holds no unit code "
                               f"(task '{ctx.bpmn_id}')")
        return Candidates(role=rule.role, unit=unit)
    if rule.kind == "person":
        person = lookup(ctx.data, rule.path)
        if isinstance(person, str) and person:
            return Candidates(role=rule.role, assignee=person)
        if rule.role is None:  # nobody named and no queue to fall back on
            raise ProcessError(f"lane '{rule.lane}' of process '{rule.process_id}' takes its "
                               f"person from '{rule.path}', which names nobody "
                               f"(task '{ctx.bpmn_id}')")
        return Candidates(role=rule.role)
    if rule.kind == "initiator":
        return Candidates(assignee=ctx.initiator)
    if rule.kind == deputies.LEAD_DEPUTY_KIND:
        return deputy_candidates(ctx.data)
    raise ProcessError(f"lane '{rule.lane}' of process '{rule.process_id}' has a rule of "
                       f"unknown kind '{rule.kind}'")


def lookup(data: dict[str, Any], path: str | None) -> Any:
    """The value at a dotted data path (plain dict access only); None if any step is missing.
    A path outside the allow-list is refused, whatever is stored."""
    if not path_ok(path):
        raise ProcessError(f"data path '{path}' is not allowed")
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def path_ok(path: object) -> bool:
    """Dotted identifiers, at most 4 parts of at most 64 characters, no dunder names."""
    return (isinstance(path, str) and len(path) <= 128 and PATH.fullmatch(path) is not None
            and not any(p.startswith("__") for p in path.split(".")))


def deputy_candidates(data: dict[str, Any]) -> Candidates:
    """The lead deputy's account, read from the database when the task opens (so an account
    given later receives the later rounds); without one, the commission's queue (代录). For a
    merged suggestion's rating (并案) the deputy is that suggestion's lead deputy."""
    username = deputies.lead_deputy_account(step_session("the Deputy lane"),
                                            deputies.rated_suggestion(data))
    if username is None:
        return Candidates(role=deputies.ON_BEHALF_ROLE)
    return Candidates(role=deputies.DEPUTY_ROLE, assignee=username)


# ---------------------------------------------------------------- deploy check
def lanes_of(files: dict[str, str]) -> list[tuple[str, str, str, str, list[str]]]:
    """(file, process id, lane id, lane name, flow node ids) of every lane of every process."""
    found = []
    for name, source in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        try:
            root = safexml.parse(source)
        except safexml.UnsafeXml:
            continue  # the engine's rules report it
        for process in root.iterfind(".//bpmn:process", NS):
            for lane in process.iterfind(".//bpmn:lane", NS):
                refs = [ref.text.strip() for ref in lane.findall("bpmn:flowNodeRef", NS)
                        if ref.text and ref.text.strip()]
                found.append((name, process.get("id") or "", lane.get("id") or "",
                              lane.get("name") or "", refs))
    return found


@dataclass(frozen=True)
class MissingRule(Problem):
    """A lane without an assignment rule: the designer page offers to add it right there."""

    process_id: str = ""
    lane: str = ""


def lane_problems(session: Session, files: dict[str, str]) -> list[Problem]:
    """A Problem per lane that has no rule: every case reaching it would fail."""
    known = rules(session)
    found = []
    for name, process, lane_id, lane, refs in lanes_of(files):
        if (process, lane) in known:
            continue
        elements = ", ".join(refs) or "—"
        found.append(MissingRule(name, lane_id, (
            f"流程 {process} 的泳道“{lane}”没有分派规则，其中的元素：{elements} "
            f"(lane '{lane}' of process '{process}' has no assignment rule; its elements: "
            f"{elements})"), process_id=process, lane=lane))
    return found


# ---------------------------------------------------------------- editing the rules
class RuleError(DomainError):
    """A rule refused; `problems` by field (process_id, lane, kind, role, path)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def rule_problems(session: Session, process_id: object, lane: object, kind: object,
                  role: object, path: object) -> dict[str, str]:
    """Why a rule would be refused, by field."""
    problems = {}
    if not isinstance(process_id, str) or not PROCESS_ID.fullmatch(process_id):
        problems["process_id"] = ("流程标识须为字母或下划线开头的标识符，至多128个字符 "
                                  "(a BPMN process id, at most 128 characters)")
    if not isinstance(lane, str):
        problems["lane"] = "必填 (required)"
    elif reason := text.problem(lane, limit=LANE_MAX):
        problems["lane"] = reason
    if kind not in KINDS:
        problems["kind"] = "请选择列表中的一项 (choose one of the options)"
        return problems
    if kind in NEEDS_ROLE and not role:
        problems["role"] = "必填 (required)"
    elif role and kind not in NEEDS_ROLE | {"person"}:
        problems["role"] = "此种规则不用角色 (this kind takes no role)"
    elif role and not roles.exists(session, role):
        problems["role"] = "没有这个角色 (no such role)"
    if kind in NEEDS_PATH and not path:
        problems["path"] = "必填 (required)"
    elif path and kind not in NEEDS_PATH:
        problems["path"] = "此种规则不用数据路径 (this kind takes no data path)"
    elif path and not path_ok(path):
        problems["path"] = ("数据路径须为以点分隔的标识符，至多4段 (dotted identifiers, at most "
                            "4 parts, no names beginning with __)")
    return problems


def set_rule(session: Session, *, process_id: str, lane: str, kind: str,
             role: str | None = None, path: str | None = None, actor: str,
             now: datetime) -> LaneRule:
    """Add or change the rule of a lane (audited `lane_rule`); RuleError if refused."""
    role, path = role or None, path or None
    problems = rule_problems(session, process_id, lane, kind, role, path)
    if problems:
        raise RuleError(problems)
    row = session.scalar(select(LaneRule).where(LaneRule.process_id == process_id,
                                                LaneRule.lane == lane))
    before = None if row is None else _as_dict(row)
    if row is None:
        row = LaneRule(process_id=process_id, lane=lane)
        session.add(row)
    row.kind, row.role, row.path = kind, role, path
    row.updated_by, row.updated_at = actor, now
    session.flush()
    forget(session)
    _audit(session, actor, now, "set", before, _as_dict(row))
    return row


def delete_rule(session: Session, rule_id: int, *, actor: str, now: datetime) -> None:
    """Delete a rule; refused (RuleError) while the newest deployed version of its process has
    the lane (its next task would fail)."""
    row = session.get(LaneRule, rule_id)
    if row is None:
        raise RuleError({"id": "没有这条规则 (no such rule)"})
    if row.lane in deployed_lanes(session).get(row.process_id, set()):
        raise RuleError({"id": (f"流程“{row.process_id}”的最新版本仍有泳道“{row.lane}”，不能删除其规则 "
                                f"(lane '{row.lane}' is in the newest deployed version of "
                                f"process '{row.process_id}')")})
    before = _as_dict(row)
    session.execute(delete(LaneRule).where(LaneRule.id == rule_id))
    forget(session)
    _audit(session, actor, now, "delete", before, None)


def deployed_lanes(session: Session) -> dict[str, set[str]]:
    """process id -> lane names in the newest version that has the process."""
    newest: dict[str, int] = {}
    for process_id, version_id in session.execute(
            select(ProcessDefinition.process_id, ProcessDefinition.version_id)
            .join(ProcessDefinition.version)
            .order_by(ProcessVersion.activated_at.desc(), ProcessVersion.id.desc())):
        newest.setdefault(process_id, version_id)
    found: dict[str, set[str]] = {pid: set() for pid in newest}
    for version_id in set(newest.values()):
        files = session.scalar(select(ProcessVersion.files).where(ProcessVersion.id == version_id))
        for _file, pid, _id, lane, _refs in lanes_of(files):
            if newest.get(pid) == version_id:
                found[pid].add(lane)
    return found


def _as_dict(row: LaneRule) -> dict[str, Any]:
    return {"process_id": row.process_id, "lane": row.lane, "kind": row.kind,
            "role": row.role, "path": row.path}


def _audit(session: Session, actor: str, now: datetime, change: str, before, after) -> None:
    session.add(AuditEvent(at=now, actor=actor, action="lane_rule",
                           detail={"change": change, "before": before, "after": after}))
    session.flush()


__all__ = ["DEFAULT_RULES", "KINDS", "Rule", "candidates", "delete_rule",
           "deployed_lanes", "lane_problems", "lanes_of", "lookup", "path_ok", "resolve",
           "rules", "seed_defaults", "set_rule"]
