"""The engine: start cases, complete tasks, fire timers; state and projections in one transaction.

Domain knowledge arrives from the caller: a lane resolver (TaskContext -> candidates), service-task
operators, extra script globals and an event handler for escalations no BPMN element caught.
The hot paths use SQLAlchemy Core statements on the tables: a step is a handful of row writes.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable
from uuid import UUID

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from models import (AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, ProcessVersion,
                    Timer, on_commit)

from . import clock as clock_mod
from . import guarded, projection, serializer
from .errors import (ConflictError, DeployError, EngineError, FormError, LimitError,
                     NotFoundError, ProcessError)
from .package import Compiled, Package, SpecCache
from .projection import LaneResolver, default_lane_resolver
from .scripts import Operator, ScriptEngine, call_context

log = logging.getLogger(__name__)
PI, HT, TM, AE = (ProcessInstance.__table__, HumanTask.__table__, Timer.__table__,
                  AuditEvent.__table__)
EventHandler = Callable[[Session, int, dict[str, Any]], None]
StepHandler = Callable[[Session, "StepResult"], None]

# Hot-path statements, built once so each step skips statement construction and cache keys.
_TASK_AND_CASE = (
    select(HT.c.state.label("task_state"), HT.c.completed_by, HT.c.bpmn_id, HT.c.name,
           HT.c.form, HT.c.candidate_role, HT.c.candidate_unit, HT.c.assignee, *PI.c)
    .join_from(HT, PI, HT.c.instance_id == PI.c.id).where(HT.c.id == bindparam("task_id"))
    .with_for_update(of=PI))
_COMPLETE_TASK = (
    update(HT).where(HT.c.id == bindparam("task_id"), HT.c.state == "ready")
    .values(state="completed", completed_by=bindparam("actor"), completed_at=bindparam("now")))
_WRITE_CASE = update(PI).where(PI.c.id == bindparam("case_id"),
                               PI.c.version == bindparam("old_version"))
_INSERT_AUDIT = insert(AE)
_CASE = select(PI).where(PI.c.id == bindparam("case_id"))


@dataclass
class Case:
    """The columns of a process instance the engine works with (read under a row lock)."""

    id: int
    process_version_id: int
    process_id: str
    status: str
    state: str
    serializer_version: str
    version: int
    started_by: str | None = None  # the initiator: gets the tasks drawn outside every lane

    @classmethod
    def from_row(cls, row) -> "Case":
        return cls(row.id, row.process_version_id, row.process_id, row.status, row.state,
                   row.serializer_version, row.version, row.started_by)


@dataclass(frozen=True)
class StepResult:
    """What one start/complete/timer step did to a case."""

    instance_id: int
    status: str
    new_tasks: dict[str, str]  # task id -> BPMN id of the user tasks this step made ready
    ended_tasks: list[str]
    actor: str = ""
    completed: tuple[str, dict[str, Any]] | None = None  # (BPMN id, data) of the task done
    new_rows: tuple[dict[str, Any], ...] = ()  # the human_task rows written for new_tasks


class Engine:
    """A small, domain-free runtime over SpiffWorkflow. Every method takes the caller's session."""

    def __init__(self, *, lane_resolver: LaneResolver | None = None,
                 operators: dict[str, Operator] | None = None,
                 script_globals: dict[str, Any] | None = None,
                 on_event: EventHandler | None = None,
                 on_step: StepHandler | None = None,
                 clock: clock_mod.Clock = clock_mod.system_clock,
                 live_cache_size: int = 2048,
                 limits: guarded.Limits = guarded.DEFAULT_LIMITS,
                 choices: Iterable[str] | None = None):
        """`lane_resolver(TaskContext) -> Candidates` says who may do a human task as it opens
        (lanes are the domain's data: the engine does not check their names at deploy).
        `limits`: the scripts' budget per step. `choices`: the named choice sources a uiSchema
        may use (None: any name)."""
        self.resolve = lane_resolver or default_lane_resolver
        self.operators = dict(operators or {})
        self.limits = limits
        self.script_engine = ScriptEngine(script_globals, self.operators, limits)
        self.on_event = on_event
        self.on_step = on_step
        self.clock = clock
        self.specs = SpecCache(self.operators.keys(), choices=choices)
        self._versions: dict[int, Package] = {}
        self._live: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._live_size = live_cache_size
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- deploy
    def compile(self, package: Package) -> Compiled:
        """Validate a package with the deploy rules; raises DeployError."""
        return self.specs.get(package)

    def deploy(self, session: Session, package: Package, actor: str) -> ProcessVersion:
        """Store a validated package as a version that new cases start on. Content already
        stored is not stored again: an earlier version deployed again becomes the one new cases
        start on (going back), audited; the current one deployed again changes nothing."""
        compiled = self.compile(package)
        now = self.clock()
        found = session.scalar(select(ProcessVersion).where(
            ProcessVersion.content_hash == package.content_hash))
        if found is not None:
            if found.id != self.newest_version_id(session):
                found.activated_at = now
                session.flush()
                self._audit(session, actor, "deploy", at=now, detail={
                    "version_id": found.id, "content_hash": package.content_hash,
                    "reactivated": True, "processes": sorted(compiled.specs)})
            return found
        version = ProcessVersion(content_hash=package.content_hash, files=dict(package.files),
                                 deployed_by=actor, deployed_at=now, activated_at=now)
        version.definitions = [ProcessDefinition(process_id=pid, name=compiled.names.get(pid))
                               for pid in sorted(compiled.specs)]
        session.add(version)
        session.flush()
        self._audit(session, actor, "deploy", at=now, detail={
            "version_id": version.id, "content_hash": package.content_hash,
            "files": sorted(package.files), "processes": sorted(compiled.specs)})
        return version

    def compiled_version(self, session: Session, version_id: int) -> Compiled:
        """The parsed specs of a stored version (parsed once per process, then cached)."""
        package = self._versions.get(version_id)
        if package is None:
            files = session.scalar(select(ProcessVersion.files)
                                   .where(ProcessVersion.id == version_id))
            if files is None:
                raise NotFoundError(f"process version {version_id} does not exist")
            package = self._versions[version_id] = Package(dict(files))
        try:
            return self.specs.get(package)
        except DeployError as err:  # stored before today's rules: it must not run
            raise ProcessError(f"process version {version_id} no longer passes the deploy "
                               f"rules: {err}") from err

    @staticmethod
    def newest_version_id(session: Session) -> int | None:
        """The version new cases start on: the latest activated."""
        return session.scalar(select(ProcessVersion.id).order_by(
            ProcessVersion.activated_at.desc(), ProcessVersion.id.desc()).limit(1))

    def latest_definition(self, session: Session, process_id: str) -> ProcessDefinition:
        """The definition of `process_id` in the latest activated version that has it."""
        found = session.scalar(select(ProcessDefinition).join(ProcessDefinition.version)
                               .where(ProcessDefinition.process_id == process_id)
                               .order_by(ProcessVersion.activated_at.desc(),
                                         ProcessDefinition.version_id.desc()).limit(1))
        if found is None:
            raise NotFoundError(f"no deployed process '{process_id}'")
        return found

    # ---------------------------------------------------------------- steps
    def start(self, session: Session, process_id: str, data: dict[str, Any] | None = None, *,
              actor: str, business_key: str | None = None) -> StepResult:
        """Start a case on the newest version of `process_id` and run it to its first wait."""
        with guarded.step_budget(self.limits):
            return self._start(session, process_id, data, actor, business_key)

    def _start(self, session, process_id, data, actor, business_key) -> StepResult:
        definition = self.latest_definition(session, process_id)
        version_id = definition.version_id
        spec, subprocess_specs = self.compiled_version(session, version_id).spec(process_id)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data or {})
        now = self.clock()
        instance_id = session.execute(insert(PI).values(
            process_version_id=version_id, process_id=process_id, business_key=business_key,
            status="running", state="{}", serializer_version=serializer.VERSION, version=1,
            started_by=actor, created_at=now, updated_at=now).returning(PI.c.id)).scalar_one()
        case = Case(instance_id, version_id, process_id, "running", "{}", serializer.VERSION, 1,
                    actor)
        before = projection.snapshot(workflow)
        self._run(case, workflow, actor, now, workflow.do_engine_steps, session)
        self._audit(session, actor, "start", instance_id=instance_id, at=now,
                    detail={"process_id": process_id, "version_id": version_id,
                            "business_key": business_key})
        return self._save(session, case, workflow, before, actor, now)

    def complete(self, session: Session, task_id: str, actor: str,
                 data: dict[str, Any] | None = None, *,
                 prepare: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
                 ) -> StepResult:
        """Complete a ready user task with form data; ConflictError if someone got there first.

        `prepare(task, data)` sees the task's row (bpmn_id, candidate_role, candidate_unit,
        assignee, …), read under the case's lock, before anything runs: it may refuse by
        raising, and returns the data to complete with.
        """
        with guarded.step_budget(self.limits):
            return self._complete(session, task_id, actor, data, prepare)

    def _complete(self, session, task_id, actor, data, prepare) -> StepResult:
        data = dict(data or {})
        conn = session.connection()
        found = conn.execute(_TASK_AND_CASE, {"task_id": task_id}).one_or_none()
        if found is None:
            raise NotFoundError(f"task {task_id} does not exist")
        if prepare is not None:
            data = prepare(found, data)
        label = found.name or found.bpmn_id
        if found.task_state != "ready":
            who = f" by {found.completed_by}" if found.completed_by else ""
            raise ConflictError(f"task '{label}' is already {found.task_state}{who}")
        case = Case.from_row(found)
        self.validate_form(self.compiled_version(session, case.process_version_id),
                           found.form, data)
        now = self.clock()
        workflow = self._load(session, case)
        task = workflow.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY:
            raise ConflictError(f"task '{label}' is no longer ready in case {case.id}")
        before = projection.snapshot(workflow)

        def step():
            _put_form_data(task, data)
            task.run()
            workflow.do_engine_steps()

        self._run(case, workflow, actor, now, step, session)
        done = conn.execute(_COMPLETE_TASK, {"task_id": task_id, "actor": actor, "now": now})
        if done.rowcount != 1:
            raise ConflictError(f"task '{label}' was completed by someone else")
        self._audit(session, actor, "complete", instance_id=case.id, task_id=task_id,
                    bpmn_id=found.bpmn_id, at=now, detail={"data": data})
        return self._save(session, case, workflow, before, actor, now,
                          completed=(found.bpmn_id, data), task_id=task_id)

    def cancel(self, session: Session, instance_id: int, actor: str, *,
               detail: dict[str, Any] | None = None) -> StepResult:
        """End a running case without running it on (its open tasks cancelled, its timers
        dropped): status `cancelled`, audited `case_cancelled` with `detail` (why, by whom).
        ConflictError if the case is not running."""
        with guarded.step_budget(self.limits):
            row = session.execute(select(PI).where(PI.c.id == instance_id)
                                  .with_for_update()).one_or_none()
            if row is None:
                raise NotFoundError(f"case {instance_id} does not exist")
            case = Case.from_row(row)
            if case.status != "running":
                raise ConflictError(f"case {instance_id} is {case.status}, not running")
            now = self.clock()
            workflow = self._load(session, case)
            before = projection.snapshot(workflow)
            self._run(case, workflow, actor, now, workflow.cancel, session)
            self._audit(session, actor, "case_cancelled", instance_id=case.id, at=now,
                        detail=detail)
            return self._save(session, case, workflow, before, actor, now, ended_as="cancelled")

    def fire_due_timers(self, session: Session, now: datetime | None = None,
                        limit: int = 50) -> int:
        """Fire the timers due at `now` for up to `limit` cases; returns how many cases ran.

        A scheduler claims a case by locking its row (FOR UPDATE SKIP LOCKED on PostgreSQL), the
        same lock a completion takes, so concurrent schedulers each take different cases; SQLite's
        single writer lock gives the same guarantee. Timer rows are not locked: locking some of a
        case's timer rows while another transaction held the case deadlocked two schedulers.
        """
        now = now or self.clock()
        due = session.execute(
            select(TM.c.instance_id).where(TM.c.due_at <= now).order_by(TM.c.due_at)
            .limit(limit * 4)).scalars().all()
        instance_ids, ran = list(dict.fromkeys(due))[:limit], 0
        for instance_id in instance_ids:
            row = session.execute(select(PI).where(PI.c.id == instance_id)
                                  .with_for_update(skip_locked=True)).one_or_none()
            if row is None or session.execute(select(TM.c.id).where(
                    TM.c.instance_id == instance_id, TM.c.due_at <= now).limit(1)).first() is None:
                continue  # another scheduler holds it, or fired it since the list was read
            ran += 1
            try:
                with session.begin_nested():
                    self._fire(session, Case.from_row(row), now)
            except Exception:  # one broken case must not stop the others
                log.exception("timer failed for case %s", instance_id)
                self._forget(instance_id)
                session.execute(update(TM).where(TM.c.instance_id == instance_id,
                                                 TM.c.due_at <= now)
                                .values(due_at=now + timedelta(minutes=5)))
                self._audit(session, "scheduler", "timer_error", instance_id=instance_id, at=now)
        return ran

    def _fire(self, session: Session, case: Case, now: datetime) -> None:
        with guarded.step_budget(self.limits):
            self._fire_timers(session, case, now)

    def _fire_timers(self, session: Session, case: Case, now: datetime) -> None:
        workflow = self._load(session, case)
        before = projection.snapshot(workflow)

        def step():
            workflow.refresh_timers()
            workflow.do_engine_steps()

        self._run(case, workflow, "scheduler", now, step, session)
        after = projection.snapshot(workflow)
        for tid, (due, bpmn_id) in before.timers.items():
            if after.timers.get(tid) != (due, bpmn_id):
                self._audit(session, "scheduler", "timer_fired", instance_id=case.id,
                            task_id=tid, bpmn_id=bpmn_id, at=now,
                            detail={"due_at": due.isoformat()})
        self._save(session, case, workflow, before, "scheduler", now, after=after)

    # ---------------------------------------------------------------- reading
    def ready_tasks(self, session: Session, *, roles: Iterable[str] | None = None,
                    units: Iterable[str] | None = None, assignee: str | None = None,
                    instance_id: int | None = None) -> list[HumanTask]:
        """Ready human tasks from the projection table, earliest due first."""
        query = select(HumanTask).where(HumanTask.state == "ready")
        if roles is not None:
            query = query.where(HumanTask.candidate_role.in_(list(roles)))
        if units is not None:
            query = query.where(HumanTask.candidate_unit.in_(list(units)))
        if assignee is not None:
            query = query.where(HumanTask.assignee == assignee)
        if instance_id is not None:
            query = query.where(HumanTask.instance_id == instance_id)
        return list(session.scalars(query.order_by(HumanTask.due_at, HumanTask.created_at)))

    def workflow(self, session: Session, instance: ProcessInstance | Case) -> BpmnWorkflow:
        """A fresh workflow object rebuilt from the stored state (safe to inspect)."""
        spec, subprocess_specs = self.compiled_version(
            session, instance.process_version_id).spec(instance.process_id)
        workflow = serializer.loads(instance.state, instance.serializer_version, spec,
                                    subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow

    def task_data(self, session: Session, task_id: str) -> dict[str, Any]:
        """The data a task sees (the case's variables at that point)."""
        row = session.get(HumanTask, task_id)
        if row is None:
            raise NotFoundError(f"task {task_id} does not exist")
        workflow = self.workflow(session, session.get(ProcessInstance, row.instance_id))
        task = workflow.get_task_from_id(UUID(task_id))
        return dict(task.data) if task is not None else {}

    def case_data(self, session: Session, instance: ProcessInstance) -> dict[str, Any]:
        """The newest data of a case: the data of its last completed task."""
        last = self.workflow(session, instance).last_task
        return dict(last.data) if last is not None else {}

    def form(self, session: Session, task: HumanTask) -> dict | None:
        """The JSON Schema of a task's form."""
        version_id = session.scalar(select(PI.c.process_version_id)
                                    .where(PI.c.id == task.instance_id))
        return self.compiled_version(session, version_id).forms.get(task.form)

    def ui_form(self, session: Session, task: HumanTask) -> dict | None:
        """The uiSchema of a task's form (its formUiSchemaFilename), or None."""
        version_id = session.scalar(select(PI.c.process_version_id)
                                    .where(PI.c.id == task.instance_id))
        return self.compiled_version(session, version_id).ui_form(task.bpmn_id, task.form)

    @staticmethod
    def validate_form(compiled: Compiled, form: str | None, data: dict[str, Any]) -> None:
        """Raise FormError (field -> message) if `data` violates the form's JSON Schema."""
        validator = compiled.validator(form) if form else None
        if validator is None:
            return
        errors: dict[str, str] = {}
        for error in _chosen(validator.iter_errors(data)):
            field = ".".join(str(p) for p in error.absolute_path)
            if error.validator in ("required", "dependencies", "dependentRequired"):
                # the missing field, with its object's path ("address.city"), bears the message
                missing = _missing(error)
                field = f"{field}.{missing}" if field and missing else missing or field
                message = _MESSAGES["required"]
            elif error.validator == "format":  # say which format: a date, an email address...
                message = _FORMATS.get(error.validator_value, _MESSAGES["format"])
            else:
                message = _MESSAGES.get(error.validator, error.message)
            errors.setdefault(field, message)
        # Every text answered follows the text rules (characters, blanks, a length even where
        # the schema sets none); the schema's maxLength is checked above.
        from models.text import LONG_TEXT, problem, strings
        for field, text in strings(data):
            found = problem(text, limit=LONG_TEXT, required=False, multiline=True)
            if found:
                errors.setdefault(field, found)
        if errors:
            raise FormError(dict(sorted(errors.items())))

    def warm(self, session: Session, instance_id: int) -> None:
        """Deserialize a case ahead of a step, outside the write transaction.

        Nothing is locked or trusted: the step still checks the version under its lock and
        deserializes again if the case changed in between. On SQLite, whose writers queue one
        behind the other, this keeps the slowest part of a step out of the queue.
        """
        row = session.connection().execute(_CASE, {"case_id": instance_id}).first()
        if row is None:
            return
        with self._lock:
            cached = self._live.get(instance_id)
        if cached is None or cached[0] != row.version:
            self._remember(instance_id, row.version, self.workflow(session, Case.from_row(row)))

    # ---------------------------------------------------------------- internals
    def _load(self, session: Session, case: Case) -> BpmnWorkflow:
        """The workflow of a locked case: the live copy if it is current, else deserialized.

        The live copy is taken out of the cache while in use and put back only after a commit,
        so a rolled-back step can never leave a half-run workflow behind.
        """
        with self._lock:
            cached = self._live.pop(case.id, None)
        if cached is not None and cached[0] == case.version:
            return cached[1]
        return self.workflow(session, case)

    def _forget(self, instance_id: int) -> None:
        with self._lock:
            self._live.pop(instance_id, None)

    def _remember(self, instance_id: int, version: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._live[instance_id] = (version, workflow)
            self._live.move_to_end(instance_id)
            while len(self._live) > self._live_size:
                self._live.popitem(last=False)

    def _run(self, case: Case, workflow: BpmnWorkflow, actor: str, now: datetime,
             step: Callable[[], None], session: Session, refresh: bool = True) -> None:
        """Run SpiffWorkflow (or expressions) with the engine's clock and the operators' context."""
        token = call_context().set(
            {"session": session, "instance_id": case.id, "actor": actor, "now": now})
        try:
            with clock_mod.using(lambda: now):
                step()
                if refresh:
                    projection.refresh_deadlines(workflow)
        except EngineError:
            raise
        except guarded.LimitExceeded as err:  # a BaseException, so that scripts cannot catch it
            raise LimitError(f"case {case.id}: {err}") from None
        except Exception as err:  # script, operator or SpiffWorkflow failure: the step is void
            raise ProcessError(f"case {case.id}: {type(err).__name__}: {err}") from err
        finally:
            call_context().reset(token)

    def _save(self, session: Session, case: Case, workflow: BpmnWorkflow,
              before: projection.Snapshot, actor: str, now: datetime,
              after: projection.Snapshot | None = None,
              completed: tuple[str, dict[str, Any]] | None = None,
              task_id: str | None = None, ended_as: str = "completed") -> StepResult:
        """Write state, projections and events; the caller's commit makes them real together.
        `completed` and `task_id` name the task a person completed in this step."""
        for event in workflow.get_events():
            detail = {"name": getattr(event.event_definition, "name", None),
                      "code": getattr(event.event_definition, "code", None),
                      "type": type(event.event_definition).__name__,
                      "payload": _jsonable(getattr(event, "payload", None))}
            self._audit(session, actor, "event", instance_id=case.id, at=now, detail=detail)
            if self.on_event is not None:
                self.on_event(session, case.id, detail)
        after = after or projection.snapshot(workflow)
        applied: list = []
        self._run(case, workflow, actor, now, lambda: applied.extend(projection.apply(
            session, case.id, before, after, now=now, resolve=self.resolve,
            evaluate=self.script_engine.evaluate, completed=task_id,
            initiator=case.started_by)), session, refresh=False)
        ended, new_rows = applied
        values = {"state": serializer.dumps(workflow), "serializer_version": serializer.VERSION,
                  "updated_at": now, "version": case.version + 1}
        status = case.status
        if workflow.completed and status == "running":
            status = values["status"] = ended_as
            values["completed_at"] = now
            if ended_as == "completed":  # a cancellation has its own event, with the reason
                self._audit(session, actor, "case_completed", instance_id=case.id, at=now)
        values.update(case_id=case.id, old_version=case.version)
        written = session.connection().execute(_WRITE_CASE, values)
        if written.rowcount != 1:
            raise ConflictError(
                f"case {case.id} was changed by someone else; reload and try again")
        version = case.version + 1
        on_commit(session, lambda: self._remember(case.id, version, workflow))
        new = {row["id"]: row["bpmn_id"] for row in new_rows}
        result = StepResult(case.id, status, new, ended, actor, completed, tuple(new_rows))
        if self.on_step is not None:
            self.on_step(session, result)
        return result

    def _audit(self, session: Session, actor: str, action: str, *, instance_id: int | None = None,
               task_id: str | None = None, bpmn_id: str | None = None, at: datetime | None = None,
               detail: dict[str, Any] | None = None) -> None:
        session.connection().execute(_INSERT_AUDIT, dict(
            at=at or self.clock(), actor=actor, action=action, instance_id=instance_id,
            task_id=task_id, bpmn_id=bpmn_id, detail=_jsonable(detail or {})))


# Messages people read, "中文 (English)"; other validators keep jsonschema's own text.
_MESSAGES = {
    "required": "必填 (required)", "minLength": "不能为空 (must not be empty)",
    "enum": "请选择列表中的一项 (choose one of the options)",
    "const": "请选择列表中的一项 (choose one of the options)",
    "oneOf": "请选择列表中的一项 (choose one of the options)",
    "type": "格式不正确 (wrong type)", "format": "格式不正确 (wrong format)",
    "maxLength": "内容过长 (too long)", "minItems": "至少选择一项 (choose at least one)",
    "uniqueItems": "有重复项 (duplicates)", "minimum": "数值过小 (too small)",
    "maximum": "数值过大 (too large)",
}


_FORMATS = {
    "date": "请按 YYYY-MM-DD 输入日期 (enter a date as YYYY-MM-DD)",
    "date-time": "请按 YYYY-MM-DDThh:mm:ss+08:00 输入时间 (enter a date and time as "
                 "YYYY-MM-DDThh:mm:ss+08:00)",
    "time": "请按 hh:mm:ss+08:00 输入时间 (enter a time as hh:mm:ss+08:00)",
    "email": "请输入有效的电子邮箱 (enter a valid email address)",
}


def _chosen(errors):
    """Errors, with a failed `oneOf` (a schema dependency's branches, chosen by a field's value)
    replaced by the errors of the one branch whose choosing `const`/`enum` held, so that each
    stands beside its field ("org_name" required) rather than under the whole form."""
    for error in errors:
        if error.validator == "oneOf" and error.context:
            branches: dict[Any, list] = {}
            for sub in error.context:
                branches.setdefault(sub.relative_schema_path[0], []).append(sub)
            chosen = [subs for subs in branches.values()
                      if not any(sub.validator in ("const", "enum") for sub in subs)]
            if len(chosen) == 1:
                yield from _chosen(chosen[0])
                continue
        yield error


def _missing(error) -> str:
    """The first field a `required` or dependency error finds missing."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    wanted = error.validator_value
    if error.validator != "required":  # {field: [fields it needs]} (a schema dependency is
        wanted = [n for key, needs in (wanted or {}).items()  # reported by its own keywords)
                  if key in instance and isinstance(needs, list) for n in needs]
    return next((str(n) for n in wanted or [] if n not in instance), "")


def _put_form_data(task, data: dict[str, Any]) -> None:
    """Form answers become task data; a multi-instance child puts them in its output item,
    together with the input item it was for (so the collection says which answer is whose)."""
    parent = task.parent.task_spec if task.parent is not None else None
    if isinstance(parent, MultiInstanceTask) and parent.output_item is not None:
        answer = dict(data)
        if parent.input_item is not None:  # pair each answer with the item it answers
            answer.setdefault(parent.input_item.bpmn_id, task.data.get(parent.input_item.bpmn_id))
        task.data[parent.output_item.bpmn_id] = answer
    else:
        task.data.update(data)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
