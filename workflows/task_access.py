"""Who may see or do a task (任务权限): the rule, stated once, read two ways.

`cases(user)` describes the ways a ready task can be a user's, as a small condition over the
task's candidate columns. The same description is turned into SQL (`visible`, `unclaimed`: the
inbox's lists and counts, the case pages' "is it theirs") and evaluated in Python for one task
(`allows`: the task page, completion, claim, hand-over, drafts, attachments). Writing the rule
four times (in the engine, the inbox actions, the web inbox and the task checks) had let the
copies drift apart; now a list and a page cannot disagree about a task, which
tests/workflows/test_task_access.py checks for random tasks and users.

Substitution (代理): while a colleague of the same role and unit is away, the user they named
does their tasks too — the tasks the rule gives the absent person *and that they hold* (a queue
task is already the substitute's by their own role). The absent persons a user stands in for
today ride on the user (`substituting`: `workflows.substitution.acting` reads which are in
force, and the web request's user carries them), so the lists and the task page read the same. There are no chains: the absent persons are asked
about as themselves, without their own substitutes, so a substitute's substitute gets only the
substitute's tasks, never the absent person's. The absent user keeps seeing their tasks.

The lists shape the SQL for their indexes by partial evaluation (`Cond.given`): the queue of
unclaimed tasks is the rule with the assignee known to be empty, so it reads as plain equalities
on (state, candidate_role, candidate_unit, assignee).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Optional, Protocol

from sqlalchemy import and_, false, or_, true

from models import HumanTask

from . import deputies

# Roles whose tasks are given to one person, never to a queue: a deputy's task without its
# assignee (a row written by older code, say) is nobody's to see or do.
PERSONAL_ROLES = frozenset({deputies.DEPUTY_ROLE})


class Who(Protocol):
    """Who asks: a `User` row, or the web request's snapshot of one (the columns a permission
    check reads, without loading the ORM row)."""

    username: str
    role: str
    active: bool
    unit: Optional[Any]  # has .code


# ---------------------------------------------------------------- the condition language
class Cond(ABC):
    """A condition on a task's columns: SQL for a list, a truth value for one task."""

    @abstractmethod
    def sql(self):
        """The condition as a SQL expression over `human_task`."""

    @abstractmethod
    def holds(self, task) -> bool:
        """The condition evaluated on one task (a row with the candidate columns)."""

    def given(self, column: str, value: str | None) -> "Cond":
        """This condition for tasks whose `column` is known to hold `value` (simplified)."""
        return self


class _Const(Cond):
    def __init__(self, value: bool):
        self.value = value

    def sql(self):
        return true() if self.value else false()

    def holds(self, task) -> bool:
        return self.value

    def __repr__(self) -> str:
        return "TRUE" if self.value else "FALSE"


TRUE, FALSE = _Const(True), _Const(False)


@dataclass(frozen=True)
class Is(Cond):
    """`column` holds `value` (None: is empty). SQL and Python agree: no negation is ever
    written, so a NULL compared in SQL counts as false, as the Python comparison does."""

    column: str
    value: str | None

    def sql(self):
        column = getattr(HumanTask, self.column)
        return column.is_(None) if self.value is None else column == self.value

    def holds(self, task) -> bool:
        return getattr(task, self.column) == self.value

    def given(self, column: str, value: str | None) -> Cond:
        if column != self.column:
            return self
        return TRUE if value == self.value else FALSE


@dataclass(frozen=True)
class _Many(Cond):
    """Parts joined by one connective; `of` folds the constants away, so a list's SQL keeps
    only what can vary. Subclasses name the connective's absorbing and neutral constants."""

    parts: tuple[Cond, ...]

    @classmethod
    def of(cls, *parts: Cond) -> Cond:
        if any(part is cls.ABSORBING for part in parts):
            return cls.ABSORBING
        kept = tuple(dict.fromkeys(part for part in parts if part is not cls.NEUTRAL))
        return cls.NEUTRAL if not kept else kept[0] if len(kept) == 1 else cls(kept)

    def given(self, column: str, value: str | None) -> Cond:
        return type(self).of(*(part.given(column, value) for part in self.parts))


class AllOf(_Many):
    """Every part holds."""

    ABSORBING, NEUTRAL = FALSE, TRUE

    def sql(self):
        return and_(*(part.sql() for part in self.parts))

    def holds(self, task) -> bool:
        return all(part.holds(task) for part in self.parts)


class AnyOf(_Many):
    """At least one part holds."""

    ABSORBING, NEUTRAL = TRUE, FALSE

    def sql(self):
        return or_(*(part.sql() for part in self.parts))

    def holds(self, task) -> bool:
        return any(part.holds(task) for part in self.parts)


# ---------------------------------------------------------------- the rule
def cases(user: Who) -> Cond:
    """The ways a ready task is `user`'s to see and do — the one statement of the rule."""
    if not user.active:  # a closed account does nothing
        return FALSE
    unit = user.unit.code if user.unit is not None else None
    theirs = Is("assignee", user.username)
    return AnyOf.of(
        # 1. Given to one person with no role (the case's initiator, say): theirs alone,
        #    whatever their role and unit.
        AllOf.of(Is("candidate_role", None), theirs),
        # 2. A task of the user's role, in the user's unit or bound to no unit (a lane rule "the
        #    role in any unit"), and held by them — or waiting unclaimed in the queue, except a
        #    personal role's task (a deputy's), which is only ever its assignee's.
        AllOf.of(Is("candidate_role", user.role),
                 AnyOf.of(Is("candidate_unit", None), Is("candidate_unit", unit)),
                 theirs if user.role in PERSONAL_ROLES else
                 AnyOf.of(Is("assignee", None), theirs)),
        # 3. A task an absent colleague holds, whom the user stands in for today (代理).
        _on_behalf(user),
    )


def _absent(user: Who) -> tuple["_Asker", ...]:
    """The people `user` stands in for, as themselves alone (no chains)."""
    return tuple(_Asker(a.username, a.role, a.active, a.unit)
                 for a in getattr(user, "substituting", ()))


def _on_behalf(user: Who) -> Cond:
    """The tasks an absent person the user stands in for holds and may do."""
    return AnyOf.of(*(AllOf.of(Is("assignee", a.username), cases(a).given("assignee", a.username))
                      for a in _absent(user)))


def on_behalf_of(user: Who, task, unclaimed: bool = False) -> Optional[str]:
    """Whose task `user` does when doing `task` in their stead: the absent holder's username;
    with `unclaimed`, for a task in the queue too, the first absent person whose task it would
    be as well (the principal head's substitute signs off from the unit's queue in the head's
    name). None when it is the user's own."""
    if not user.active:
        return None
    for absent in _absent(user):
        held = task.assignee == absent.username
        if (held or (unclaimed and task.assignee is None)) and cases(absent).holds(task):
            return absent.username
    return None


def allows(user: Who, task) -> bool:
    """True if `user` may see and do the task (a HumanTask, or any row with its candidate
    columns: the completion's locked row, say). The task's state is the caller's to check."""
    return cases(user).holds(task)


def may_take_over(user: Who, task) -> bool:
    """Could `user` do the task if it were handed to them? A personal role's task is never
    handed on, so it is only ever its own assignee's. (Whether the account is active is not
    asked: the hand-over picks among active colleagues.)"""
    if task.candidate_role is None:  # one person's: nobody else's to take over
        return False
    handed = task if task.candidate_role in PERSONAL_ROLES else _Handed(task, user.username)
    return cases(_Asker(user.username, user.role, True, user.unit)).holds(handed)


def visible(user: Who):
    """SQL condition: the tasks `user` may see and do (add `state == "ready"` for open ones)."""
    return cases(user).sql()


def held(user: Who):
    """SQL condition: the ready tasks `user` holds (the inbox's "mine"). It lists a held task
    even when the rule no longer lets them do it (their role or unit changed since): it stays in
    sight, and the task page says it is not theirs, rather than vanishing from every list.
    It lists too the tasks of absent colleagues the user stands in for (marked 代理)."""
    return and_(HumanTask.state == "ready",
                AnyOf.of(Is("assignee", user.username), _on_behalf(user)).sql())


def unclaimed(user: Who, unit_less: bool = True):
    """SQL condition: the ready, unclaimed tasks `user` may take (the inbox's "queue") — the rule
    with the assignee known to be empty. `unit_less=False` leaves out the tasks bound to no unit
    (`unit_less_queue` is the rest of the queue), which drops that branch: an OR on the unit
    would cost every inbox its index order."""
    rule = cases(user).given("assignee", None)
    bound = []
    if not unit_less and user.unit is not None:
        rule, bound = _without_unit_less(rule), [HumanTask.candidate_unit.isnot(None)]
    if rule is FALSE:
        return false()
    return and_(HumanTask.state == "ready", rule.sql(), HumanTask.assignee.is_(None), *bound)


def unit_less_queue(user: Who):
    """SQL condition: the part of the queue `unclaimed(user, unit_less=False)` leaves out — the
    tasks of the user's role bound to no unit (a lane rule "the role in any unit"); None when
    there is no such part (the user belongs to no unit, or the rule gives them none)."""
    if user.unit is None:
        return None
    rule = cases(user).given("assignee", None).given("candidate_unit", None)
    if rule is FALSE:
        return None
    return and_(HumanTask.state == "ready", rule.sql(), HumanTask.candidate_unit.is_(None),
                HumanTask.assignee.is_(None))


def _without_unit_less(rule: Cond) -> Cond:
    """`rule` with the branch "bound to no unit" taken as false."""
    if isinstance(rule, Is):
        return FALSE if rule == Is("candidate_unit", None) else rule
    if isinstance(rule, _Many):
        return type(rule).of(*(_without_unit_less(part) for part in rule.parts))
    return rule


def facts(user: Who) -> tuple:
    """Everything the rule reads of `user`, as a value: two users with the same facts see the
    same tasks, so SQL built from the rule for one serves the other (the inbox keeps it)."""
    def one(person) -> tuple:
        unit = person.unit.code if person.unit is not None else None
        return person.username, person.role, bool(person.active), unit
    return one(user), tuple(one(a) for a in _absent(user))


@dataclass(frozen=True)
class _Asker:
    """The columns of `Who` a rule reads, as a value (to ask about a copy of a user)."""

    username: str
    role: str
    active: bool
    unit: Any


@dataclass(frozen=True)
class _Handed:
    """A task as it would be once handed to `assignee`."""

    task: Any
    assignee: str

    def __getattr__(self, name: str):
        return getattr(self.task, name)

