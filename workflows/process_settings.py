"""A process's settings as a file a designer ships beside its BPMN (`<process>.settings.toml`):
who works each lane and which roles may start it — the same data as 流程设置 (`/designer/lanes`),
loaded with `jianyi lanes load FILE`. Example (examples/deputy_meeting/):

    process = "deputy_meeting"
    start = ["deputy"]

    [lanes."承办单位"]
    kind = "unit_role"
    role = "unit_handler"
    path = "meeting_unit"

Every value goes through the same checks as the web page (`lanes.set_rule`, `starting.allow`);
a file with anything else (another key, a wrong type) is refused whole, naming what is wrong.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from . import lanes, starting
from .errors import DomainError

MAX_CHARS = 100_000
TOP_KEYS = {"process", "start", "lanes"}
RULE_KEYS = {"kind", "role", "path"}


class SettingsError(DomainError):
    """A settings file refused: what is wrong, where."""


@dataclass(frozen=True)
class Settings:
    """A process's lane rules (lane -> (kind, role, path)) and the roles that may start it."""

    process_id: str
    rules: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)
    start: tuple[str, ...] = ()


def parse(text: str) -> Settings:
    """The settings a file holds, its shape checked (the values are checked when applied)."""
    if len(text) > MAX_CHARS:
        raise SettingsError(f"设置文件过大 (a settings file holds at most {MAX_CHARS} characters)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"设置文件不是有效的 TOML (not valid TOML): {err}") from None
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise SettingsError(f"未知的设置项 (unknown keys): {', '.join(sorted(unknown))}")
    process_id, start, rules = data.get("process"), data.get("start", []), data.get("lanes", {})
    if not isinstance(process_id, str):
        raise SettingsError("须写明 process = \"流程标识\" (the file must name its process)")
    if not isinstance(start, list) or not all(isinstance(r, str) for r in start):
        raise SettingsError("start 须为角色代码列表 (start must be a list of role codes)")
    if not isinstance(rules, dict):
        raise SettingsError("lanes 须为表 (lanes must be a table of lanes)")
    parsed = {}
    for lane, rule in rules.items():
        if not isinstance(rule, dict) or set(rule) - RULE_KEYS or \
                not all(isinstance(v, str) for v in rule.values()):
            raise SettingsError(f"泳道“{lane}”的规则只能有 kind、role、path 三个文本项 "
                                f"(lane '{lane}': only the texts kind, role and path)")
        parsed[lane] = (rule.get("kind", ""), rule.get("role"), rule.get("path"))
    return Settings(process_id, parsed, tuple(start))


def apply(session: Session, settings: Settings, *, actor: str, now: datetime) -> None:
    """Set every lane rule and start permission of the file (audited each), all or nothing:
    the caller's transaction is rolled back when one is refused."""
    for lane, (kind, role, path) in settings.rules.items():
        try:
            lanes.set_rule(session, process_id=settings.process_id, lane=lane, kind=kind,
                           role=role, path=path, actor=actor, now=now)
        except lanes.RuleError as err:
            raise SettingsError(f"泳道“{lane}” (lane '{lane}'): {err}") from None
    for role in settings.start:
        try:
            starting.allow(session, settings.process_id, role, actor=actor, now=now)
        except DomainError as err:
            raise SettingsError(f"start “{role}”: {err}") from None


def load(session: Session, text: str, *, actor: str, now: datetime) -> Settings:
    """Parse and apply a settings file; returns what it set."""
    settings = parse(text)
    apply(session, settings, actor=actor, now=now)
    return settings
