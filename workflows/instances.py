"""Cases of any deployed process (案件): who may see one, what its page shows, a task's
instructions.

A suggestion's case has its own page (`workflows.cases`); every other process instance is shown
by the generic page: diagram, timeline, and the data entered at each completed step.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine import Engine
from engine.bpmn import is_human_task
from engine import instructions as instruction_text
from models import (AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, Suggestion, User)

from .choices import SOURCES
from .task_access import visible

# Roles that see every case of every process (the commission runs them, designers and
# administrators look after the processes).
SEE_ANY = frozenset({"commission", "admin", "designer"})


def suggestion_of(session: Session, instance_id: int) -> int | None:
    """The id of the suggestion whose case this is, if it is one."""
    return session.scalar(select(Suggestion.id).where(Suggestion.instance_id == instance_id))


def may_see(session: Session, user, instance: ProcessInstance) -> bool:
    """The case's initiator, anyone who has a task of it in their queue or completed one, and
    the roles in SEE_ANY."""
    if not user.active:
        return False
    if user.role in SEE_ANY or instance.started_by == user.username:
        return True
    involved = select(HumanTask.id).where(
        HumanTask.instance_id == instance.id,
        or_(HumanTask.completed_by == user.username,
            and_(HumanTask.state == "ready", visible(user)))).limit(1)
    return session.scalar(involved) is not None


def visible_others(user):
    """SQL condition on ProcessInstance: the cases of other processes than the suggestion's
    that `user` may see (the rule of `may_see`, for a list)."""
    not_suggestion = ProcessInstance.id.not_in(
        select(Suggestion.instance_id).where(Suggestion.instance_id.isnot(None)))
    if not user.active:
        return ProcessInstance.id.is_(None)
    if user.role in SEE_ANY:
        return not_suggestion
    involved = select(HumanTask.instance_id).where(or_(
        HumanTask.completed_by == user.username,
        and_(HumanTask.state == "ready", visible(user))))
    return and_(not_suggestion, or_(ProcessInstance.started_by == user.username,
                                    ProcessInstance.id.in_(involved)))


def others(session: Session, user, limit: int = 500) -> list[tuple[ProcessInstance, str]]:
    """The newest cases of other processes `user` may see, each with its process's name."""
    found = list(session.scalars(select(ProcessInstance).where(visible_others(user))
                                 .order_by(ProcessInstance.id.desc()).limit(limit)))
    names = process_names(session, [(i.process_version_id, i.process_id) for i in found])
    return [(i, names.get((i.process_version_id, i.process_id), i.process_id)) for i in found]


def process_names(session: Session, instances: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """(version id, process id) -> the process's display name, for the given pairs."""
    pairs = set(instances)
    if not pairs:
        return {}
    rows = session.execute(select(ProcessDefinition.version_id, ProcessDefinition.process_id,
                                  ProcessDefinition.name).where(
        ProcessDefinition.version_id.in_({v for v, _p in pairs}),
        ProcessDefinition.process_id.in_({p for _v, p in pairs})))
    return {(v, p): name or p for v, p, name in rows}


@dataclass
class CaseRow:
    """What the inbox shows of a case that is not a suggestion."""

    id: int
    process: str
    business_key: str | None
    process_id: str = ""


def case_rows(session: Session, instance_ids: set[int]) -> dict[int, CaseRow]:
    """Process name and business key of the given cases (suggestions included)."""
    if not instance_ids:
        return {}
    found = session.execute(select(ProcessInstance.id, ProcessInstance.process_version_id,
                                   ProcessInstance.process_id, ProcessInstance.business_key)
                            .where(ProcessInstance.id.in_(instance_ids))).all()
    names = process_names(session, [(v, p) for _i, v, p, _k in found])
    return {i: CaseRow(i, names.get((v, p), p), key, p) for i, v, p, key in found}


_human_steps: tuple[float, dict[str, str]] = (0.0, {})
HUMAN_STEPS_SECONDS = 60  # the inbox's filter may name a newly deployed step a minute late


def human_steps(session: Session, engine: Engine) -> dict[str, str]:
    """BPMN id -> name of the human tasks of every deployed process, each as its newest version
    has it: the inbox's step filter (read again each minute; the specs of a version are parsed
    once). A process a later package left out keeps its steps: its cases still run."""
    global _human_steps
    if time.monotonic() - _human_steps[0] < HUMAN_STEPS_SECONDS:
        return _human_steps[1]
    found: dict[str, str] = {}
    newest = session.execute(select(ProcessDefinition.process_id,
                                    func.max(ProcessDefinition.version_id))
                             .group_by(ProcessDefinition.process_id)
                             .order_by(ProcessDefinition.process_id)).tuples().all()
    for process_id, version_id in newest:
        compiled = engine.compiled_version(session, version_id)
        if process_id in compiled.specs:
            spec, subprocesses = compiled.spec(process_id)
            for each in (spec, *subprocesses.values()):
                for task_spec in (each.task_specs.values() if each is not None else ()):
                    if is_human_task(task_spec):
                        found.setdefault(task_spec.bpmn_id,
                                         task_spec.bpmn_name or task_spec.bpmn_id)
    _human_steps = (time.monotonic(), found)
    return found


def clear_cache() -> None:
    """Forget the step names read (tests: each has its own database)."""
    global _human_steps
    _human_steps = (0.0, {})


def step_names(session: Session, engine: Engine, instance: ProcessInstance) -> dict[str, str]:
    """BPMN id -> name of every task of the case's process (and the processes it calls)."""
    spec, subprocesses = engine.compiled_version(session, instance.process_version_id).spec(
        instance.process_id)
    names = {}
    for each in (spec, *subprocesses.values()):
        for task_spec in (each.task_specs.values() if each is not None else ()):
            if getattr(task_spec, "bpmn_id", None) and getattr(task_spec, "bpmn_name", None):
                names[task_spec.bpmn_id] = task_spec.bpmn_name
    return names


@dataclass
class Entry:
    """One field entered at a completed step: its title and value."""

    title: str
    value: Any


@dataclass
class Step:
    """A completed step with who completed it, when, and what was entered."""

    at: datetime
    actor: str
    bpmn_id: str
    name: str
    entries: list[Entry]


def completed_steps(session: Session, engine: Engine, instance: ProcessInstance,
                    names: dict[str, str]) -> list[Step]:
    """The data entered at each completed step, oldest first, from the audit trail; fields
    are named by their form's titles and listed in the form's order (a step without a form
    lists nothing)."""
    compiled = engine.compiled_version(session, instance.process_version_id)
    people = dict(session.execute(select(User.username, User.name)).tuples().all())
    rows = session.execute(
        select(AuditEvent, HumanTask.form, HumanTask.candidate_unit)
        .outerjoin(HumanTask, HumanTask.id == AuditEvent.task_id)
        .where(AuditEvent.instance_id == instance.id, AuditEvent.action == "complete")
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    steps = []
    for event, form, unit in rows:
        data = (event.detail or {}).get("data") or {}
        properties = _properties(compiled.forms.get(form) if form else None)
        ui = compiled.ui_form(event.bpmn_id or "", form) if form else None
        entries = [Entry(_title(key, prop), _shown(data[key], prop,
                                                   _supplied(session, ui, key, unit)))
                   for key, prop in properties.items() if key in data]
        steps.append(Step(event.at, people.get(event.actor, event.actor), event.bpmn_id or "",
                          names.get(event.bpmn_id or "", event.bpmn_id or ""), entries))
    return steps


def _properties(schema: Any) -> dict[str, dict]:
    """A form's fields in order: its own properties, then those only its conditional branches
    (`then`/`else`, schema dependencies, their `oneOf`) declare."""
    found: dict[str, dict] = {}

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for key, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict) and (key not in found or not found[key].get("title")):
                found[key] = prop
        for branch in ("then", "else"):
            walk(node.get(branch))
        for dependency in (node.get("dependencies") or {}).values():
            walk(dependency)
            for option in (dependency.get("oneOf") or []) if isinstance(dependency, dict) else []:
                walk(option)
    walk(schema)
    return found


def _title(key: str, prop: dict) -> str:
    return str(prop.get("title") or key)


def _supplied(session: Session, ui: Any, key: str, unit: str | None) -> dict:
    """The names of the codes a field's application-supplied choices hold (a unit's code ->
    its name), when its uiSchema asks for such choices."""
    field = ui.get(key) if isinstance(ui, dict) else None
    options = field.get("ui:options") if isinstance(field, dict) else None
    source = SOURCES.get(options.get("choices")) if isinstance(options, dict) else None
    return dict(source(session, unit) or []) if source else {}


def _shown(value: Any, prop: dict, supplied: dict | None = None) -> Any:
    """A value as its form offers it: the title of a chosen option (`oneOf` titles,
    `enumNames` or the application's choices), lists joined, a nested object's and each row's
    fields by their titles."""
    if supplied and isinstance(value, (str, int)) and value in supplied:
        return supplied[value]
    if isinstance(value, list):
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        joiner = "；" if any(isinstance(v, dict) for v in value) else "、"
        return joiner.join(str(_shown(v, items, supplied)) for v in value)
    if isinstance(value, dict):
        fields = _properties(prop)
        return "，".join(f"{_title(k, fields.get(k, {}))}：{_shown(v, fields.get(k, {}))}"
                        for k, v in value.items())
    options = {o.get("const"): o.get("title") for o in prop.get("oneOf") or []
               if isinstance(o, dict) and "const" in o}
    names = prop.get("enumNames")
    if isinstance(prop.get("enum"), list) and isinstance(names, list):
        options.update({v: n for v, n in zip(prop["enum"], names)
                        if isinstance(v, (str, int, float, bool))})
    if isinstance(value, (str, int, float, bool)) and value in options:
        return options[value]
    return value


@dataclass
class Instructions:
    """A task's instructions as safe HTML, or why they could not be shown."""

    html: str | None = None
    error: str | None = None


def task_instructions(session: Session, engine: Engine, task: HumanTask) -> Instructions | None:
    """The task's `instructionsForEndUser` filled with the data it sees (None: it has none)."""
    instance = session.get(ProcessInstance, task.instance_id)
    if not _may_have_instructions(session, engine, instance, task.bpmn_id):
        return None  # most steps have none: the case's workflow need not be rebuilt to see it
    workflow = engine.workflow(session, instance)
    spiff_task = workflow.get_task_from_id(UUID(task.id))
    if spiff_task is None:
        return None
    text = instruction_text.of_spec(spiff_task.task_spec)
    if text is None:
        return None
    try:
        return Instructions(html=instruction_text.render(text, spiff_task.data))
    except instruction_text.InstructionsError as err:
        return Instructions(error=str(err))


def _may_have_instructions(session: Session, engine: Engine, instance: ProcessInstance,
                           bpmn_id: str) -> bool:
    """Whether a task spec `bpmn_id` of the instance's version has instructions, read from the
    compiled version."""
    spec, subprocess_specs = engine.compiled_version(
        session, instance.process_version_id).spec(instance.process_id)
    return any(getattr(task_spec, "bpmn_id", None) == bpmn_id
               and instruction_text.of_spec(task_spec) is not None
               for each in (spec, *subprocess_specs.values())
               for task_spec in each.task_specs.values())


def first_task_for(session: Session, user, instance_id: int) -> HumanTask | None:
    """The case's earliest ready task that `user` may do, if any."""
    return session.scalar(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.state == "ready", visible(user))
        .order_by(HumanTask.created_at, HumanTask.id).limit(1))
