"""The budget of a step's scripts: operations, CPU time and what they build."""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator


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
    cpu_seconds: float = 3.0      # CPU time of the thread inside scripts (a backstop: the
    # operations budget stops loops first; timer expressions of an instance with many units read
    # the database and took over 1 s of CPU in one step on a loaded machine)
    allocation: int = 4_000_000   # elements/characters of the new values guarded calls build
    max_length: int = 1_000_000   # of one string or container built by one operation
    max_int_bits: int = 100_000   # of one integer built by *, ** or <<
    max_format_width: int = 1_000  # width and precision in a format spec


DEFAULT_LIMITS = Limits()


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


def running_budget() -> Budget:
    # Outside any step (guarded code called directly), each guard counts against a budget of
    # its own; the engine always evaluates inside a step's budget.
    return _BUDGET.get() or Budget()
