"""The engine: start instances, complete tasks, fire timers; state and projections in one
transaction.

Domain knowledge arrives from the caller: a lane resolver (TaskContext -> candidates), service-task
operators, extra script globals and an event handler for escalations no BPMN element caught.
The hot paths use SQLAlchemy Core statements on the tables: a step is a handful of row writes.
Deploying and versions are in `versions`, reading instances and the live-workflow cache in `reading`
(both mixed into `Engine`), form validation and form data in `forms`.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Mapping
from uuid import UUID

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from models import AuditEvent, HumanTask, ProcessInstance, Timer, on_commit

from . import clock as clock_mod
from . import guarded, projection, serializer, stepping
from .instance import Instance, StepResult
from .errors import ConflictError, EngineError, LimitError, NotFoundError, ProcessError
from .forms import jsonable, put_form_data
from .package import Package
from .projection import LaneResolver, default_lane_resolver
from .reading import ElementStates, Reading
from .scripts import Operator, ScriptEngine, call_context
from .speccache import SpecCache
from .versions import Versions

log = logging.getLogger(__name__)
PI, HT, TM, AE = (ProcessInstance.__table__, HumanTask.__table__, Timer.__table__,
                  AuditEvent.__table__)
EventHandler = Callable[[Session, int, dict[str, Any]], None]
StepHandler = Callable[[Session, StepResult], None]

# Hot-path statements, built once so each step skips statement construction and cache keys.
_TASK_AND_CASE = (
    select(HT.c.state.label("task_state"), HT.c.completed_by, HT.c.bpmn_id, HT.c.name,
           HT.c.form, HT.c.candidate_role, HT.c.candidate_unit, HT.c.assignee, *PI.c)
    .join_from(HT, PI, HT.c.instance_id == PI.c.id).where(HT.c.id == bindparam("task_id"))
    .with_for_update(of=PI))
_COMPLETE_TASK = (
    update(HT).where(HT.c.id == bindparam("task_id"), HT.c.state == "ready")
    .values(state="completed", completed_by=bindparam("actor"), completed_at=bindparam("now")))
_WRITE_INSTANCE = update(PI).where(PI.c.id == bindparam("instance_id"),
                               PI.c.version == bindparam("old_version"))
_INSERT_AUDIT = insert(AE)


class Engine(Versions, Reading):
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
        self._stored: dict[int, Mapping[str, str]] = {}  # see stored_files
        self._live: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._live_size = live_cache_size
        self._elements: dict[tuple[int, int], ElementStates] = {}  # see element_states
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- steps
    def start(self, session: Session, process_id: str, data: dict[str, Any] | None = None, *,
              actor: str, business_key: str | None = None) -> StepResult:
        """Start an instance on the newest version of `process_id` and run it to its first wait."""
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
        instance = Instance(instance_id, version_id, process_id, "running", "{}",
                            serializer.VERSION, 1, actor)
        before = projection.snapshot(workflow)
        memo: dict = {}
        self._run(instance, workflow, actor, now, lambda: stepping.do_engine_steps(workflow),
                  session, memo=memo)
        self._audit(session, actor, "start", instance_id=instance_id, at=now,
                    detail={"process_id": process_id, "version_id": version_id,
                            "business_key": business_key})
        return self._save(session, instance, workflow, before, actor, now, memo=memo)

    def complete(self, session: Session, task_id: str, actor: str,
                 data: dict[str, Any] | None = None, *,
                 prepare: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
                 ) -> StepResult:
        """Complete a ready user task with form data; ConflictError if someone got there first.

        `prepare(task, data)` sees the task's row (bpmn_id, candidate_role, candidate_unit,
        assignee, …), read under the instance's lock, before anything runs: it may refuse by
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
        instance = Instance.from_row(found)
        self.validate_form(self.compiled_version(session, instance.process_version_id),
                           found.form, data)
        now = self.clock()
        workflow = self._load(session, instance)
        task = workflow.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY:
            raise ConflictError(f"task '{label}' is no longer ready in case {instance.id}")
        before = projection.snapshot(workflow)

        def step():
            put_form_data(task, data)
            task.run()
            stepping.do_engine_steps(workflow)

        memo: dict = {}
        self._run(instance, workflow, actor, now, step, session, memo=memo)
        done = conn.execute(_COMPLETE_TASK, {"task_id": task_id, "actor": actor, "now": now})
        if done.rowcount != 1:
            raise ConflictError(f"task '{label}' was completed by someone else")
        self._audit(session, actor, "complete", instance_id=instance.id, task_id=task_id,
                    bpmn_id=found.bpmn_id, at=now, detail={"data": data})
        return self._save(session, instance, workflow, before, actor, now,
                          completed=(found.bpmn_id, data), task_id=task_id, memo=memo)

    def cancel(self, session: Session, instance_id: int, actor: str, *,
               detail: dict[str, Any] | None = None) -> StepResult:
        """End a running instance without running it on (its open tasks cancelled, its timers
        dropped): status `cancelled`, audited `case_cancelled` with `detail` (why, by whom).
        ConflictError if the instance is not running."""
        with guarded.step_budget(self.limits):
            row = session.execute(select(PI).where(PI.c.id == instance_id)
                                  .with_for_update()).one_or_none()
            if row is None:
                raise NotFoundError(f"case {instance_id} does not exist")
            instance = Instance.from_row(row)
            if instance.status != "running":
                raise ConflictError(f"case {instance_id} is {instance.status}, not running")
            now = self.clock()
            workflow = self._load(session, instance)
            before = projection.snapshot(workflow)
            memo: dict = {}
            self._run(instance, workflow, actor, now, workflow.cancel, session, memo=memo)
            self._audit(session, actor, "case_cancelled", instance_id=instance.id, at=now,
                        detail=detail)
            return self._save(session, instance, workflow, before, actor, now, ended_as="cancelled",
                              memo=memo)

    def fire_due_timers(self, session: Session, now: datetime | None = None,
                        limit: int = 50) -> int:
        """Fire the timers due at `now` for up to `limit` instances; returns how many instances ran.

        A scheduler claims an instance by locking its row (FOR UPDATE SKIP LOCKED on PostgreSQL),
        the same lock a completion takes, so concurrent schedulers each take different instances;
        SQLite's single writer lock gives the same guarantee. Timer rows are not locked: locking
        some of a instance's timer rows while another transaction held the instance deadlocked two
        schedulers.
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
                    self._fire(session, Instance.from_row(row), now)
            except Exception:  # one broken instance must not stop the others
                log.exception("timer failed for case %s", instance_id)
                self._forget(instance_id)
                session.execute(update(TM).where(TM.c.instance_id == instance_id,
                                                 TM.c.due_at <= now)
                                .values(due_at=now + timedelta(minutes=5)))
                self._audit(session, "scheduler", "timer_error", instance_id=instance_id, at=now)
        return ran

    def _fire(self, session: Session, instance: Instance, now: datetime) -> None:
        with guarded.step_budget(self.limits):
            self._fire_timers(session, instance, now)

    def _fire_timers(self, session: Session, instance: Instance, now: datetime) -> None:
        workflow = self._load(session, instance)
        before = projection.snapshot(workflow)

        def step():
            workflow.refresh_timers()
            stepping.do_engine_steps(workflow)

        memo: dict = {}
        self._run(instance, workflow, "scheduler", now, step, session, memo=memo)
        after = projection.snapshot(workflow)
        for tid, (due, bpmn_id) in before.timers.items():
            if after.timers.get(tid) != (due, bpmn_id):
                self._audit(session, "scheduler", "timer_fired", instance_id=instance.id,
                            task_id=tid, bpmn_id=bpmn_id, at=now,
                            detail={"due_at": due.isoformat()})
        self._save(session, instance, workflow, before, "scheduler", now, after=after, memo=memo)

    def _run(self, instance: Instance, workflow: BpmnWorkflow, actor: str, now: datetime,
             step: Callable[[], None], session: Session, refresh: bool = True,
             memo: dict | None = None) -> None:
        """Run SpiffWorkflow (or expressions) with the engine's clock and the operators' context.
        `memo`: what script globals keep (`scripts.step_memo`), shared by the runs of one step
        (its tasks, then the new tasks' due dates as it is saved)."""
        token = call_context().set(
            {"session": session, "instance_id": instance.id, "actor": actor, "now": now,
             "memo": {} if memo is None else memo})
        try:
            with clock_mod.using(lambda: now):
                stepping.install(workflow)  # before a task runs: its completion looks for waits
                step()
                if refresh:
                    projection.refresh_deadlines(workflow)
        except EngineError:
            raise
        except guarded.LimitExceeded as err:  # a BaseException, so that scripts cannot catch it
            raise LimitError(f"case {instance.id}: {err}") from None
        except Exception as err:  # script, operator or SpiffWorkflow failure: the step is void
            raise ProcessError(f"case {instance.id}: {type(err).__name__}: {err}") from err
        finally:
            call_context().reset(token)

    def _save(self, session: Session, instance: Instance, workflow: BpmnWorkflow,
              before: projection.Snapshot, actor: str, now: datetime,
              after: projection.Snapshot | None = None,
              completed: tuple[str, dict[str, Any]] | None = None,
              task_id: str | None = None, ended_as: str = "completed",
              memo: dict | None = None) -> StepResult:
        """Write state, projections and events; the caller's commit makes them real together.
        `completed` and `task_id` name the task a person completed in this step."""
        for event in workflow.get_events():
            detail = {"name": getattr(event.event_definition, "name", None),
                      "code": getattr(event.event_definition, "code", None),
                      "type": type(event.event_definition).__name__,
                      "payload": jsonable(getattr(event, "payload", None))}
            self._audit(session, actor, "event", instance_id=instance.id, at=now, detail=detail)
            if self.on_event is not None:
                self.on_event(session, instance.id, detail)
        after = after or projection.snapshot(workflow)
        applied: list = []
        self._run(instance, workflow, actor, now, lambda: applied.extend(projection.apply(
            session, instance.id, before, after, now=now, resolve=self.resolve,
            evaluate=self.script_engine.evaluate, completed=task_id,
            initiator=instance.started_by)), session, refresh=False, memo=memo)
        ended, new_rows = applied
        values = {"state": serializer.dumps(workflow), "serializer_version": serializer.VERSION,
                  "updated_at": now, "version": instance.version + 1}
        status = instance.status
        if workflow.completed and status == "running":
            status = values["status"] = ended_as
            values["completed_at"] = now
            if ended_as == "completed":  # a cancellation has its own event, with the reason
                self._audit(session, actor, "case_completed", instance_id=instance.id, at=now)
        values.update(instance_id=instance.id, old_version=instance.version)
        written = session.connection().execute(_WRITE_INSTANCE, values)
        if written.rowcount != 1:
            raise ConflictError(
                f"case {instance.id} was changed by someone else; reload and try again")
        version = instance.version + 1
        on_commit(session, lambda: self._remember(instance.id, version, workflow))
        new = {row["id"]: row["bpmn_id"] for row in new_rows}
        result = StepResult(instance.id, status, new, ended, actor, completed, tuple(new_rows))
        if self.on_step is not None:
            self.on_step(session, result)
        return result

    def _audit(self, session: Session, actor: str, action: str, *, instance_id: int | None = None,
               task_id: str | None = None, bpmn_id: str | None = None, at: datetime | None = None,
               detail: dict[str, Any] | None = None) -> None:
        session.connection().execute(_INSERT_AUDIT, dict(
            at=at or self.clock(), actor=actor, action=action, instance_id=instance_id,
            task_id=task_id, bpmn_id=bpmn_id, detail=jsonable(detail or {})))
