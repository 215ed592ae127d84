"""Scripts and expressions in BPMN: the deploy-time check and the environment they run in.

SpiffWorkflow's script engine is plain `eval`/`exec`, not a sandbox. Everything it evaluates
here is compiled as the guarded language of `engine.guarded` (an allow-list of syntax, names
and attributes, guarded attribute and item access, a budget per step) and runs with only the
guarded builtins plus the functions the domain hands in.
"""
from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from . import guarded


def unsafe_reason(source: str, mode: str = "eval") -> str | None:
    """Why `source` may not run (None if it may). mode: 'eval', 'exec', or 'dmn' (unary tests)."""
    return guarded.check(source, mode)


@dataclass
class OperatorCall:
    """What a service-task operator receives besides its parameters."""

    session: Any
    instance_id: int
    actor: str
    bpmn_id: str
    data: dict[str, Any]
    now: datetime


Operator = Callable[..., Any]
_call_context: ContextVar[dict | None] = ContextVar("jianyi_call_context", default=None)


class GuardedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment, running each text as the guarded language.

    Each text is checked and compiled once (the same few conditions and due dates come back
    instance after instance). Names resolve to the guards, builtins and domain functions first, then
    to the task data: data can never stand in for a guard.
    """

    _LIMIT = 4096

    def __init__(self, script_globals: dict[str, Any] | None,
                 limits: guarded.Limits = guarded.DEFAULT_LIMITS):
        super().__init__(guarded.guard_globals(script_globals))
        self.limits = limits
        self._code: dict[tuple[str, str], Any] = {}

    def _compiled(self, source: str, mode: str):
        key = (source, mode)
        code = self._code.get(key)
        if code is None:
            code = guarded.compile_guarded(source, mode)
            if len(self._code) >= self._LIMIT:
                self._code.clear()
            self._code[key] = code
        return code

    def evaluate(self, expression, context, external_context=None):
        code = self._compiled(expression, "eval")
        names = dict(context)
        names.update(external_context or {})
        names.update(self.globals)
        return self._run(expression, code, names, "eval")

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        code = self._compiled(script, "exec")
        context.update(external_context or {})
        context.update(self.globals)
        try:
            return self._run(script, code, context, "exec")
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)

    def _run(self, source: str, code, names: dict[str, Any], mode: str):
        """Run guarded code within the step's budget; an exceeded budget names `source`."""
        budget = guarded.current_budget(self.limits)
        budget.enter()
        try:
            if mode == "eval":
                # Security review: code compiled by guarded.compile_guarded (allow-list, guards).
                result = eval(code, names)  # nosec B307
            else:
                # Security review: code compiled by guarded.compile_guarded (allow-list, guards).
                exec(code, names)  # nosec B102
                result = True
            budget.settle()
            return result
        except guarded.LimitExceeded as err:
            raise err.named(source) from None
        finally:
            budget.leave()


class ScriptEngine(PythonScriptEngine):
    """Runs scripts with safe builtins and dispatches service tasks to the operators handed in."""

    def __init__(self, script_globals: dict[str, Any] | None, operators: dict[str, Operator],
                 limits: guarded.Limits = guarded.DEFAULT_LIMITS):
        super().__init__(environment=GuardedEnvironment(script_globals, limits))
        self.operators = operators

    def call_service(self, task, operation_name=None, operation_params=None, **_kwargs):
        operator = self.operators.get(operation_name)
        if operator is None:
            raise KeyError(f"no service-task operator named '{operation_name}'")
        ctx = _call_context.get() or {}
        params = {name: p["value"] for name, p in (operation_params or {}).items()}
        call = OperatorCall(
            session=ctx.get("session"), instance_id=ctx.get("instance_id"),
            actor=ctx.get("actor", "system"), bpmn_id=task.task_spec.bpmn_id,
            data=task.data, now=ctx.get("now"))
        return json.dumps(operator(call, **params), default=str, ensure_ascii=False)


def call_context() -> ContextVar[dict | None]:
    """The context variable the runtime fills before running steps (session, instance, actor,
    now)."""
    return _call_context


def step_memo(function: str) -> dict:
    """A dict that lives as long as the step now running (its tasks run, then its new tasks'
    due dates evaluated as it is saved), for a script global to keep what it read
    (`deadline(...)` is evaluated for every waiting timer of the case)."""
    context = _call_context.get()
    if context is None:
        raise RuntimeError(f"{function}() is only available while the engine runs a step")
    return context.setdefault("memo", {})


def step_session(function: str):
    """The session of the step now running, for a script global such as `deadline(...)`;
    `function` names it in the error raised outside a step."""
    session = (_call_context.get() or {}).get("session")
    if session is None:
        raise RuntimeError(f"{function}() is only available while the engine runs a step")
    return session
