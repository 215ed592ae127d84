"""Scripts and expressions in BPMN: deploy-time checks and the environment they run in.

SpiffWorkflow's script engine is plain ``eval``/``exec``, not a sandbox. We refuse, at deploy time,
any script or expression that imports, names anything beginning with an underscore (which covers
dunders such as ``__class__``) or calls a builtin that reaches outside the task data; at run time
scripts only see a small set of builtins plus the functions the caller hands in.
"""
from __future__ import annotations

import ast
import builtins
import io
import json
import tokenize
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

FORBIDDEN_NAMES = frozenset({
    "eval", "exec", "compile", "open", "input", "breakpoint", "getattr", "setattr", "delattr",
    "globals", "locals", "vars", "memoryview", "help", "exit", "quit",
})
SAFE_BUILTINS = {
    name: getattr(builtins, name) for name in (
        "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "format", "frozenset",
        "int", "isinstance", "len", "list", "map", "max", "min", "range", "repr", "reversed",
        "round", "set", "sorted", "str", "sum", "tuple", "zip", "ValueError", "KeyError",
        "Exception", "True", "False", "None",
    )
}


def unsafe_reason(source: str, mode: str = "eval") -> str | None:
    """Why `source` may not run (None if it may). mode: 'eval', 'exec', or 'dmn' (unary tests)."""
    if source is None or not source.strip():
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as err:
        return f"cannot read expression: {err}"
    for tok in tokens:
        if tok.type != tokenize.NAME:
            continue
        if tok.string in ("import", "global", "nonlocal"):
            return f"'{tok.string}' is not allowed"
        if tok.string.startswith("_"):
            return f"name '{tok.string}' is not allowed (names beginning with '_' are private)"
        if tok.string in FORBIDDEN_NAMES:
            return f"'{tok.string}' is not allowed"
    if mode in ("eval", "exec"):
        try:
            ast.parse(source.strip() if mode == "eval" else source, mode=mode)
        except SyntaxError as err:
            return f"syntax error: {err.msg} (line {err.lineno})"
    return None


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


class _CompiledEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment, compiling each expression and script once.

    `eval`/`exec` of a string compile it at every call; a step evaluates a dozen gateway
    conditions, due dates and parameters, and the same few texts come back case after case.
    The code objects are those `eval`/`exec` would build (file name '<string>', which error
    reports rely on).
    """

    _LIMIT = 4096

    def __init__(self, environment_globals: dict[str, Any]):
        super().__init__(environment_globals)
        self._code: dict[tuple[str, str], Any] = {}

    def _compiled(self, source: str, mode: str):
        key = (source, mode)
        code = self._code.get(key)
        if code is None:
            # eval() drops leading blanks of a string; compile() would call them an indent.
            code = compile(source.lstrip(" \t") if mode == "eval" else source, "<string>", mode)
            if len(self._code) >= self._LIMIT:
                self._code.clear()
            self._code[key] = code
        return code

    def evaluate(self, expression, context, external_context=None):
        return super().evaluate(self._compiled(expression, "eval"), context, external_context)

    def execute(self, script, context, external_context=None):
        return super().execute(self._compiled(script, "exec"), context, external_context)


class ScriptEngine(PythonScriptEngine):
    """Runs scripts with safe builtins and dispatches service tasks to the operators handed in."""

    def __init__(self, script_globals: dict[str, Any] | None, operators: dict[str, Operator]):
        env_globals = {"__builtins__": SAFE_BUILTINS, **(script_globals or {})}
        super().__init__(environment=_CompiledEnvironment(env_globals))
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
    """The context variable the runtime fills before running steps (session, case, actor, now)."""
    return _call_context


def step_session(function: str):
    """The session of the step now running, for a script global such as `deadline(...)`;
    `function` names it in the error raised outside a step."""
    session = (_call_context.get() or {}).get("session")
    if session is None:
        raise RuntimeError(f"{function}() is only available while the engine runs a step")
    return session
