"""The run-time guards the rewritten code calls, and the wrapped builtins it runs with."""
from __future__ import annotations

import builtins
import operator
import re
from typing import Any, Callable

from .budget import Budget, LimitExceeded, running_budget
from .language import ATTRIBUTES, BUILDS

_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _allowed_attributes(value: Any) -> frozenset[str]:
    for kind in type(value).__mro__:
        found = ATTRIBUTES.get(kind)
        if found is not None:
            return found
    return frozenset()


def _jy_tick() -> bool:
    running_budget().spend(1)
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
    budget = running_budget()
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
    budget = running_budget()
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
    budget = running_budget()
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
        budget = running_budget()
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
        budget = running_budget()
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
        if name in BUILDS:
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
