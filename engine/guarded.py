"""The guarded language of BPMN scripts and expressions (受控脚本语言).

Everything the engine evaluates from a BPMN or DMN file — scripts, pre/post scripts, gateway
conditions, timer expressions, `dueAt`/`subject`, multi-instance expressions, service-task
parameters, DMN entries — is Python syntax, but only an allow-listed part of it, and it runs
guarded:

* **Syntax** (`check`): only the node types in `_NODES`; no imports, classes, `global`, `async`,
  `yield`, `with`, decorators, annotations, `*`/`**` unpacking, bare `except`, attribute
  assignment or slice assignment; no name beginning with `_`; attributes only from `_ATTRS`.
  Deploy refuses anything else with the reason; the same check runs again when the text is
  compiled for running, so a text that never passed deploy cannot run either.
* **Attribute and item access** (`_jy_attr`, `_jy_item`): rewritten into calls that look the
  attribute up on the allow-list of the object's own type (str, list, dict, datetime, …) and
  index only plain containers. Frames, code objects, generators, tracebacks, types and functions
  have no allowed attributes, and `str.format` is not on the list, so there is nothing to
  introspect with.
* **Builtins and domain functions**: a short list, each wrapped so that calling it is counted.
* **Budget** (`Budget`): a step's scripts share a budget of operations, CPU seconds and allocated
  elements. Loops, comprehensions and function bodies count each pass; every guarded call counts
  the size of what it reads and returns; operators that could build huge values (`*`, `**`,
  `<<`, `+`, `str.join`, `str.replace`, format widths, `range`) check the size first. Exceeding
  the budget raises `LimitExceeded`, a BaseException, so `except Exception` in a script cannot
  swallow it; the engine turns it into a failed step with nothing written.

The rewriting uses names beginning with `_jy_`, which scripts cannot write.
"""
from __future__ import annotations

import ast
import builtins
import operator
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time as daytime, timedelta
from typing import Any, Callable, Iterator

MAX_SOURCE = 50_000  # characters of one script or expression
MAX_DEPTH = 100      # nesting of the syntax tree


class UnsafeScript(ValueError):
    """A script or expression outside the guarded language (the message is the reason)."""


class LimitExceeded(BaseException):
    """A step's scripts went beyond their budget. A BaseException: `except Exception` in a
    script must not swallow it. `where` is the text that was running."""

    def __init__(self, message: str, where: str = ""):
        self.where = " ".join(where.split())
        super().__init__(f"{message} (in '{self.where[:80]}')" if where else message)

    def named(self, source: str) -> "LimitExceeded":
        """This error, naming the text that was running (if it does not name one yet)."""
        return self if self.where else LimitExceeded(str(self), source)


@dataclass(frozen=True)
class Limits:
    """The budget of one step's scripts, and the largest value one operation may build."""

    operations: int = 1_000_000   # loop passes, calls, and elements read or built by calls
    cpu_seconds: float = 1.0      # CPU time of the thread inside scripts
    allocation: int = 4_000_000   # elements/characters of the new values guarded calls build
    max_length: int = 1_000_000   # of one string or container built by one operation
    max_int_bits: int = 100_000   # of one integer built by *, ** or <<
    max_format_width: int = 1_000  # width and precision in a format spec


DEFAULT_LIMITS = Limits()


# ---------------------------------------------------------------- syntax allow-list
_NODES = frozenset({
    # modules and statements
    ast.Module, ast.Expression, ast.Assign, ast.AugAssign, ast.Expr, ast.If, ast.For, ast.While,
    ast.Break, ast.Continue, ast.Pass, ast.Return, ast.FunctionDef, ast.Raise, ast.Try,
    ast.ExceptHandler, ast.Delete, ast.Assert,
    # expressions
    ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Lambda, ast.IfExp, ast.Dict, ast.Set, ast.List,
    ast.Tuple, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Compare, ast.Call,
    ast.FormattedValue, ast.JoinedStr, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice,
    ast.Name, ast.NamedExpr, ast.comprehension, ast.arguments, ast.arg, ast.keyword,
    # operators and contexts
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.LShift, ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.Invert, ast.Not, ast.UAdd,
    ast.USub, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In,
    ast.NotIn, ast.Load, ast.Store, ast.Del,
})
_NODE_WORDS = {
    ast.Import: "import", ast.ImportFrom: "import", ast.Global: "global",
    ast.Nonlocal: "nonlocal", ast.ClassDef: "class", ast.AsyncFunctionDef: "async",
    ast.AsyncFor: "async", ast.AsyncWith: "async", ast.Await: "await", ast.With: "with",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.Starred: "* unpacking",
    ast.MatMult: "@", ast.Match: "match",
}
_CONSTANTS = (str, bytes, int, float, complex, bool, type(None), type(...))

# Builtins that are not there, named so that deploy can say so instead of a NameError later.
_UNAVAILABLE = frozenset({
    "eval", "exec", "compile", "open", "input", "breakpoint", "getattr", "setattr", "delattr",
    "hasattr", "globals", "locals", "vars", "dir", "type", "object", "super", "memoryview",
    "help", "exit", "quit", "print", "iter", "next", "id", "classmethod", "staticmethod",
    "property", "callable", "issubclass", "bytearray", "slice", "pow", "chr", "ord", "hash",
    "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",
})

# ---------------------------------------------------------------- attribute allow-list
_STR_ATTRS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
    "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "join",
    "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex",
    "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
    "title", "upper",
})
_DATE_ATTRS = frozenset({"year", "month", "day", "weekday", "isoweekday", "isoformat",
                         "strftime", "replace", "toordinal"})
_TIME_ATTRS = frozenset({"hour", "minute", "second", "microsecond", "isoformat", "strftime",
                         "replace"})
_ATTRS: dict[type, frozenset[str]] = {
    str: _STR_ATTRS,
    bytes: frozenset({"decode", "hex", "startswith", "endswith"}),
    list: frozenset({"append", "clear", "copy", "count", "extend", "index", "insert", "pop",
                     "remove", "reverse", "sort"}),
    tuple: frozenset({"count", "index"}),
    dict: frozenset({"clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault",
                     "update", "values"}),
    set: frozenset({"add", "clear", "copy", "difference", "discard", "intersection",
                    "isdisjoint", "issubset", "issuperset", "pop", "remove",
                    "symmetric_difference", "union", "update"}),
    frozenset: frozenset({"copy", "difference", "intersection", "isdisjoint", "issubset",
                          "issuperset", "symmetric_difference", "union"}),
    int: frozenset({"bit_length"}),
    float: frozenset({"is_integer"}),
    datetime: _DATE_ATTRS | _TIME_ATTRS | {"date", "time", "timestamp"},
    date: _DATE_ATTRS,
    daytime: _TIME_ATTRS,
    timedelta: frozenset({"days", "seconds", "microseconds", "total_seconds"}),
}
ALLOWED_ATTRIBUTES = frozenset().union(*_ATTRS.values())
# Methods whose result is a new value as large as what they read (counted as allocation).
_BUILDS = (_STR_ATTRS - {"count", "endswith", "find", "index", "rfind", "rindex", "startswith",
                         "isalnum", "isalpha", "isdecimal", "isdigit", "islower", "isnumeric",
                         "isspace", "istitle", "isupper"}) | {
    "copy", "difference", "intersection", "symmetric_difference", "union", "hex", "decode",
    "isoformat", "strftime"}


# ---------------------------------------------------------------- deploy-time check
def check(source: str | None, mode: str = "eval") -> str | None:
    """Why `source` is outside the guarded language (None if it is inside).

    mode: 'eval' (an expression), 'exec' (a script) or 'dmn' (a DMN entry: an expression, or a
    unary test such as `> 5` that SpiffWorkflow completes with the input on the left).
    """
    try:
        _tree(source, mode)
    except UnsafeScript as err:
        return str(err)
    return None


def _tree(source: str | None, mode: str) -> ast.AST | None:
    if source is None or not source.strip():
        return None
    if len(source) > MAX_SOURCE:
        raise UnsafeScript(f"longer than {MAX_SOURCE} characters")
    text = source.strip() if mode in ("eval", "dmn") else source
    if mode == "dmn":  # SpiffWorkflow reads '?' outside quotes as the input's value
        text = _DMN_INPUT.sub("dmninputexpr", text)
    try:
        tree = ast.parse(text, mode="exec" if mode == "exec" else "eval")
    except SyntaxError as err:
        if mode != "dmn":
            raise UnsafeScript(f"syntax error: {err.msg} (line {err.lineno})") from None
        try:  # a unary test such as "> 5": SpiffWorkflow puts the input on its left
            tree = ast.parse(f"dmninputexpr {text}", mode="eval")
        except SyntaxError:
            raise UnsafeScript(f"syntax error: {err.msg}") from None
    except (ValueError, RecursionError, MemoryError) as err:  # NUL bytes, absurd nesting
        raise UnsafeScript(f"cannot read: {type(err).__name__}") from None
    _check_tree(tree)
    return tree


_DMN_INPUT = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


def _check_tree(tree: ast.AST) -> None:
    """Raise the first problem in reading order (an attribute is read where its name ends)."""
    problems, stack = [], [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UnsafeScript(f"nested more than {MAX_DEPTH} levels deep")
        try:
            _check_node(node)
        except UnsafeScript as err:
            at = ((node.end_lineno, node.end_col_offset) if isinstance(node, ast.Attribute)
                  else (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)))
            problems.append((at, str(err)))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    if problems:
        raise UnsafeScript(min(problems)[1])


def _check_node(node: ast.AST) -> None:
    kind = type(node)
    if kind not in _NODES:
        word = _NODE_WORDS.get(kind)
        raise UnsafeScript(f"'{word}' is not allowed" if word else
                           f"{kind.__name__} is not allowed in scripts")
    if isinstance(node, ast.Name):
        _check_name(node.id)
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            raise UnsafeScript(f"name '{node.attr}' is not allowed "
                               "(names beginning with '_' are private)")
        if not isinstance(node.ctx, ast.Load):
            raise UnsafeScript(f"assigning or deleting attribute '{node.attr}' is not allowed")
        if node.attr not in ALLOWED_ATTRIBUTES:
            raise UnsafeScript(f"attribute '{node.attr}' is not allowed")
    elif isinstance(node, ast.Subscript):
        sliced = isinstance(node.slice, ast.Slice) or (
            isinstance(node.slice, ast.Tuple) and any(isinstance(e, ast.Slice)
                                                      for e in node.slice.elts))
        if sliced and not isinstance(node.ctx, ast.Load):
            raise UnsafeScript("assigning or deleting a slice is not allowed")
        if isinstance(node.slice, ast.Tuple) and sliced:
            raise UnsafeScript("a slice inside a tuple is not allowed")
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, _CONSTANTS):
            raise UnsafeScript(f"constant of type {type(node.value).__name__} is not allowed")
    elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
        if isinstance(node, ast.FunctionDef):
            _check_name(node.name)
            if node.decorator_list or node.returns is not None:
                raise UnsafeScript("decorators and annotations are not allowed")
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                _check_name(arg.arg)
                if arg.annotation is not None:
                    raise UnsafeScript("annotations are not allowed")
    elif isinstance(node, ast.ExceptHandler):
        if node.type is None:
            raise UnsafeScript("a bare 'except:' is not allowed; name the exception")
        if node.name:
            _check_name(node.name)
    elif isinstance(node, ast.keyword) and node.arg is None:
        raise UnsafeScript("'**' unpacking is not allowed")
    elif isinstance(node, ast.Dict) and any(key is None for key in node.keys):
        raise UnsafeScript("'**' unpacking is not allowed")
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise UnsafeScript("'async' is not allowed")


def _check_name(name: str) -> None:
    if name.startswith("_"):
        raise UnsafeScript(f"name '{name}' is not allowed (names beginning with '_' are private)")
    if name in _UNAVAILABLE:
        raise UnsafeScript(f"'{name}' is not allowed")


# ---------------------------------------------------------------- rewriting
def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
        ast.Mod: "%", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|",
        ast.BitXor: "^", ast.BitAnd: "&"}


class _Guard(ast.NodeTransformer):
    """Rewrites a checked tree so that every attribute read, item read, binary operation and
    formatted value goes through a guard, and every loop pass and function call is counted."""

    def visit_Name(self, node):
        if node.id.startswith("_"):  # the guards' own names, dunders: never, whatever `check` said
            raise UnsafeScript(f"name '{node.id}' is not allowed")
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if node.attr.startswith("_") or not isinstance(node.ctx, ast.Load):
            raise UnsafeScript(f"attribute '{node.attr}' is not allowed")
        return _call("_jy_attr", node.value, ast.Constant(node.attr))

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if not isinstance(node.ctx, ast.Load):
            return node  # item assignment and del on containers; slices were refused
        key = node.slice
        if isinstance(key, ast.Slice):
            none = ast.Constant(None)
            key = _call("_jy_slice", key.lower or none, key.upper or none, key.step or none)
        return _call("_jy_item", node.value, key)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return _call("_jy_binop", ast.Constant(_OPS[type(node.op)]), node.left, node.right)

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        op = ast.Constant(_OPS[type(node.op)] + "=")
        target = node.target
        if isinstance(target, ast.Name):
            current = ast.Name(id=target.id, ctx=ast.Load())
            return ast.Assign(targets=[target], value=_call("_jy_binop", op, current, node.value))
        # obj[key] op= value: evaluate obj and key once
        return ast.Expr(_call("_jy_setitem_op", target.value, target.slice, op, node.value))

    def visit_FormattedValue(self, node):
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant(None)
        return ast.FormattedValue(value=_call("_jy_format", node.value,
                                              ast.Constant(node.conversion), spec),
                                  conversion=-1, format_spec=None)

    def _counted(self, body: list[ast.stmt]) -> list[ast.stmt]:
        return [ast.Expr(_call("_jy_tick")), *body]

    def visit_For(self, node):
        self.generic_visit(node)
        node.body = self._counted(node.body)
        return node

    def visit_While(self, node):
        self.generic_visit(node)
        node.body = self._counted(node.body)
        return node

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        node.body = self._counted(node.body)
        return node

    def visit_Lambda(self, node):
        self.generic_visit(node)
        node.body = ast.BoolOp(op=ast.And(), values=[_call("_jy_tick"), node.body])
        return node

    def visit_comprehension(self, node):
        self.generic_visit(node)
        node.ifs = [_call("_jy_tick"), *node.ifs]
        return node


def compile_guarded(source: str, mode: str):
    """Check `source` and compile it with its guards ('eval' or 'exec'); UnsafeScript if it is
    outside the language. The code runs only with `guard_globals()` in its globals."""
    tree = _tree(source, mode)
    if tree is None:
        raise UnsafeScript("empty script or expression")
    tree = ast.fix_missing_locations(_Guard().visit(tree))
    try:
        return compile(tree, "<string>", "exec" if mode == "exec" else "eval")
    except (RecursionError, MemoryError, ValueError) as err:
        raise UnsafeScript(f"cannot compile: {type(err).__name__}") from None


# ---------------------------------------------------------------- the budget
CLOCK_EVERY = 128  # operations between two readings of the thread's CPU clock


class Budget:
    """What a step's scripts have used so far.

    The CPU clock is read only every `CLOCK_EVERY` operations (a reading costs a system call):
    an evaluation that never gets that far is cheap by construction, and each operation's own
    work is bounded by the size limits, so the clock is never far behind.
    """

    __slots__ = ("limits", "operations", "allocated", "cpu", "_entered", "_depth", "_next_clock")

    def __init__(self, limits: Limits = DEFAULT_LIMITS):
        self.limits = limits
        self.operations = 0
        self.allocated = 0
        self.cpu = 0.0                      # CPU seconds inside scripts, so far
        self._entered: float | None = None  # CPU clock at the running evaluation's first reading
        self._depth = 0
        self._next_clock = CLOCK_EVERY

    def spend(self, operations: int = 1) -> None:
        self.operations += operations
        if self.operations > self.limits.operations:
            raise LimitExceeded(self._over_operations())
        if self.operations >= self._next_clock:
            self._next_clock = self.operations + CLOCK_EVERY
            self._read_clock()

    def _over_operations(self) -> str:
        return f"script stopped: more than {self.limits.operations:,} operations in one step"

    def allocate(self, elements: int) -> None:
        self.allocated += elements
        if self.allocated > self.limits.allocation:
            raise LimitExceeded(f"script stopped: built more than {self.limits.allocation:,} "
                                "elements in one step")

    def fits(self, length: int, what: str = "value") -> None:
        if length > self.limits.max_length:
            raise LimitExceeded(f"script stopped: a {what} of {length:,} elements is larger "
                                f"than the limit of {self.limits.max_length:,}")

    def _read_clock(self) -> None:
        if not self._depth:
            return
        now = time.thread_time()
        if self._entered is None:
            self._entered = now
        elif self.cpu + now - self._entered > self.limits.cpu_seconds:
            raise LimitExceeded(f"script stopped: more than {self.limits.cpu_seconds:g} s of "
                                "CPU time in one step")

    def enter(self) -> None:
        """An evaluation begins (see `scripts.GuardedEnvironment`)."""
        self._depth += 1

    def settle(self) -> None:
        """An evaluation ended normally: a limit exceeded and swallowed still fails it."""
        if self.operations > self.limits.operations:
            raise LimitExceeded(self._over_operations())
        if self._entered is not None:
            self._read_clock()

    def leave(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._entered is not None:
            self.cpu += time.thread_time() - self._entered
            self._entered = None


_BUDGET: ContextVar[Budget | None] = ContextVar("jianyi_script_budget", default=None)


@contextmanager
def step_budget(limits: Limits = DEFAULT_LIMITS) -> Iterator[Budget]:
    """One budget for every script and expression evaluated inside the block (a step)."""
    budget = Budget(limits)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def current_budget(limits: Limits = DEFAULT_LIMITS) -> Budget:
    """The step's budget, or a budget of its own for an evaluation outside any step."""
    return _BUDGET.get() or Budget(limits)


def _budget() -> Budget:
    # Outside any step (guarded code called directly), each guard counts against a budget of
    # its own; the engine always evaluates inside a step's budget.
    return _BUDGET.get() or Budget()


# ---------------------------------------------------------------- run-time guards
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _allowed_attributes(value: Any) -> frozenset[str]:
    for kind in type(value).__mro__:
        found = _ATTRS.get(kind)
        if found is not None:
            return found
    return frozenset()


def _jy_tick() -> bool:
    _budget().spend(1)
    return True


def _jy_attr(value: Any, name: str) -> Any:
    if name.startswith("_") or name not in _allowed_attributes(value):
        raise AttributeError(f"attribute '{name}' of {type(value).__name__} is not allowed")
    found = getattr(value, name)
    if callable(found):
        return _method(value, name, found)
    return found


_CONTAINERS = (dict, list, tuple, str, bytes, range)


def _jy_item(value: Any, key: Any) -> Any:
    if not isinstance(value, _CONTAINERS):
        raise TypeError(f"{type(value).__name__} cannot be indexed in scripts")
    budget = _budget()
    found = value[key]
    if isinstance(key, slice):
        budget.spend(1 + _size(found))
        budget.allocate(_size(found))
    else:
        budget.spend(1)
    return found


def _jy_slice(lower, upper, step):
    return slice(lower, upper, step)


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_binop(budget: Budget, op: str, left: Any, right: Any) -> None:
    """Refuse, before computing, an operation whose result would exceed the limits."""
    limits = budget.limits
    both_int = isinstance(left, int) and isinstance(right, int)
    if op == "*":
        if both_int:
            if _int_bits(left) + _int_bits(right) > limits.max_int_bits:
                raise LimitExceeded("script stopped: an integer product beyond the size limit")
        elif isinstance(left, _SIZED) and isinstance(right, int):
            budget.fits(len(left) * max(right, 0), "repeated value")
        elif isinstance(right, _SIZED) and isinstance(left, int):
            budget.fits(len(right) * max(left, 0), "repeated value")
    elif op == "**" and both_int:
        if right > 0 and abs(left) > 1 and _int_bits(left) * right > limits.max_int_bits:
            raise LimitExceeded("script stopped: a power beyond the size limit")
    elif op == "<<" and both_int:
        if right > 0 and _int_bits(left) + right > limits.max_int_bits:
            raise LimitExceeded("script stopped: a shift beyond the size limit")
    elif op == "%" and isinstance(left, (str, bytes)):
        raise TypeError("'%' formatting of text is not allowed in scripts; use an f-string")
    elif op == "+" and isinstance(left, _SIZED) and isinstance(right, _SIZED):
        budget.fits(len(left) + len(right), "joined value")


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "<<": operator.lshift,
    ">>": operator.rshift, "|": operator.or_, "^": operator.xor, "&": operator.and_,
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "<<=": operator.ilshift, ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor,
    "&=": operator.iand,
}


def _jy_binop(op: str, left: Any, right: Any) -> Any:
    budget = _budget()
    _check_binop(budget, op.rstrip("="), left, right)
    result = _BINOPS[op](left, right)
    size = _size(result)
    budget.spend(1 + size)
    if size:
        budget.allocate(size)
    return result


def _jy_setitem_op(container: Any, key: Any, op: str, value: Any) -> None:
    container[key] = _jy_binop(op, _jy_item(container, key), value)


_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[_,]?(?:\.(\d+))?[a-zA-Z%]?\Z", re.S)


def _check_spec(budget: Budget, spec: str | None) -> None:
    if not spec:
        return
    found = _FORMAT_SPEC.match(spec)
    if found is None:
        if len(spec) > budget.limits.max_format_width:
            raise LimitExceeded("script stopped: a format specification beyond the size limit")
        return  # e.g. a date format: its output grows with its own length only
    for number in found.groups():
        if number and int(number) > budget.limits.max_format_width:
            raise LimitExceeded(f"script stopped: a format width or precision over "
                                f"{budget.limits.max_format_width}")


def _text_size(value: Any, limit: int) -> int:
    """An upper estimate of how long the text of `value` is, walking containers iteratively
    and giving up (returning more than `limit`) as soon as it is exceeded."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item) + 4
        elif isinstance(item, dict):
            total += 2 + 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            stack.extend(item)
        else:
            total += 32
        if total > limit:
            return total
    return total


def _as_text(budget: Budget, value: Any) -> None:
    size = _text_size(value, budget.limits.max_length)
    budget.fits(size, "text")


def _jy_format(value: Any, conversion: int, spec: str | None) -> str:
    budget = _budget()
    _as_text(budget, value)
    _check_spec(budget, spec)
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("a"):
        value = ascii(value)
    elif conversion == ord("s"):
        value = str(value)
    result = format(value, spec or "")
    budget.spend(1 + len(result))
    budget.allocate(len(result))
    return result


# ---------------------------------------------------------------- guarded callables
class Guarded:
    """A function handed to scripts: each call is counted (and what it reads and builds).
    Immutable: the builtins are shared by every engine of the process."""

    __slots__ = ("function", "name", "builds", "before")

    def __init__(self, function: Callable, name: str, builds: bool = True,
                 before: Callable[..., None] | None = None):
        for slot, value in zip(Guarded.__slots__, (function, name, builds, before)):
            object.__setattr__(self, slot, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"{self.name} cannot be changed")

    __delattr__ = __setattr__

    def __call__(self, *args, **kwargs):
        budget = _budget()
        operations = 1
        for arg in args:
            if isinstance(arg, _SIZED):
                operations += len(arg)
        budget.spend(operations)
        if self.before is not None:
            self.before(budget, *args, **kwargs)
        result = self.function(*args, **kwargs)
        size = _size(result)
        if size:
            budget.spend(size)
            if self.builds:
                budget.allocate(size)
        return result

    def __repr__(self):
        return f"<function {self.name}>"


class GuardedType(Guarded):
    """A builtin type handed to scripts: callable like the type, accepted by `isinstance`."""

    __slots__ = ()


def _method(owner: Any, name: str, bound: Callable) -> Callable:
    """A bound method of an allowed type, counted; growth checked first where it can be large."""
    def call(*args, **kwargs):
        budget = _budget()
        budget.spend(1 + _size(owner) + sum(_size(a) for a in args))
        if name == "join" and isinstance(owner, str) and args:
            items = list(args[0])
            budget.spend(len(items))
            budget.fits(sum(len(i) if isinstance(i, str) else 0 for i in items)
                        + len(owner) * len(items), "joined text")
            args = (items, *args[1:])
        elif name == "replace" and isinstance(owner, (str, bytes)) and len(args) >= 2:
            old, new = args[0], args[1]
            if isinstance(old, type(owner)) and isinstance(new, type(owner)):
                hits = owner.count(old) if old else len(owner) + 1
                budget.fits(len(owner) + hits * max(len(new) - len(old), 0), "replaced text")
        elif name in ("extend", "update", "union") or (name in ("insert", "append", "add")):
            grow = sum(_size(a) for a in args) if name in ("extend", "update", "union") else 1
            budget.fits(_size(owner) + grow, "container")
            budget.allocate(grow)
        result = bound(*args, **kwargs)
        if name in _BUILDS:
            size = _size(result) or (len(result) if isinstance(result, str) else 0)
            budget.spend(size)
            budget.allocate(size)
        return result
    return call


def _before_range(budget: Budget, *args) -> None:
    budget.fits(len(range(*args)), "range")


def _before_text(budget: Budget, value: Any = "", *_args, **_kwargs) -> None:
    _as_text(budget, value)


def _before_format(budget: Budget, value: Any = "", spec: str = "", *_args) -> None:
    _as_text(budget, value)
    _check_spec(budget, spec)


def _before_sum(budget: Budget, _items=(), start=0, *_args) -> None:
    if not isinstance(start, (int, float)):
        raise TypeError("sum() adds numbers only in scripts")


_TYPES = (bool, dict, float, frozenset, int, list, set, str, tuple)
_FUNCTIONS: dict[str, tuple[Callable, bool, Callable | None]] = {
    # name: (builtin, builds a new value of its result's size, check before calling)
    "abs": (abs, False, None), "all": (all, False, None), "any": (any, False, None),
    "enumerate": (enumerate, False, None), "filter": (filter, False, None),
    "len": (len, False, None), "map": (map, False, None), "max": (max, False, None),
    "min": (min, False, None), "range": (range, False, _before_range),
    "reversed": (reversed, False, None), "round": (round, False, None),
    "sorted": (sorted, True, None), "sum": (sum, False, _before_sum), "zip": (zip, False, None),
    "repr": (repr, True, _before_text), "ascii": (ascii, True, _before_text),
    "format": (format, True, _before_format), "divmod": (divmod, False, None),
}
_EXCEPTIONS = (Exception, ValueError, KeyError, IndexError, TypeError, LookupError,
               ArithmeticError, ZeroDivisionError, AttributeError, RuntimeError)


def _isinstance(value: Any, kinds: Any) -> bool:
    def real(kind):
        if isinstance(kind, GuardedType):
            return kind.function
        if isinstance(kind, tuple):
            return tuple(real(k) for k in kind)
        if kind in _EXCEPTIONS:
            return kind
        raise TypeError("isinstance() takes the types scripts are given")
    return builtins.isinstance(value, real(kinds))


def _make_builtins() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for kind in _TYPES:
        before = _before_text if kind is str else None
        found[kind.__name__] = GuardedType(kind, kind.__name__, True, before)
    for name, (function, builds, before) in _FUNCTIONS.items():
        found[name] = Guarded(function, name, builds, before)
    found["isinstance"] = Guarded(_isinstance, "isinstance", False)
    for kind in _EXCEPTIONS:
        found[kind.__name__] = kind
    return found


SAFE_BUILTINS = _make_builtins()
GUARDS = {
    "_jy_tick": _jy_tick, "_jy_attr": _jy_attr, "_jy_item": _jy_item, "_jy_slice": _jy_slice,
    "_jy_binop": _jy_binop, "_jy_setitem_op": _jy_setitem_op, "_jy_format": _jy_format,
}
_PLAIN = (str, int, float, bool, type(None))


def guard_globals(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The globals guarded code runs with: the safe builtins, the guards and `extra` (the
    domain's functions, each wrapped so its calls are counted; plain constants as they are)."""
    found: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, **GUARDS}
    for name, value in (extra or {}).items():
        if name.startswith("_"):
            raise ValueError(f"script global '{name}' may not begin with '_'")
        if isinstance(value, _PLAIN):
            found[name] = value
        elif callable(value):
            found[name] = Guarded(value, name)
        else:
            raise TypeError(f"script global '{name}' must be a function or a plain constant")
    return found
