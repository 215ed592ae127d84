"""The engine's notion of "now", injectable so tests move time instead of sleeping.

SpiffWorkflow's timer events call ``datetime.now(timezone.utc)`` inside their own module, so the
engine swaps that module's ``datetime`` for a subclass whose ``now`` asks the clock installed for
the current call (a context variable: threads and concurrent engines do not see each other's).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Wall-clock UTC time."""
    return datetime.now(timezone.utc)


class ManualClock:
    """A clock for tests: starts at a given time and moves only when told."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


_current: ContextVar[Clock | None] = ContextVar("jianyi_clock", default=None)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        clock = _current.get()
        if clock is None:
            return datetime.now(tz)
        value = clock()
        return value.astimezone(tz) if tz is not None else value.replace(tzinfo=None)


_spiff_timer.datetime = _ClockedDatetime


@contextmanager
def using(clock: Clock) -> Iterator[None]:
    """Make SpiffWorkflow's timers read `clock` for the duration of the block."""
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
