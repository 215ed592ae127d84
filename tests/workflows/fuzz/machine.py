"""The random walk: a hypothesis state machine over the real engine and domain.

Each example is a fresh province (`world.World`) in which a few suggestions are registered and
then worked on, step by step, by the people who may: a rule picks one of the ready human tasks
of any case and completes it with a random valid answer (`forms.answer`), the clock jumps
(across deadlines, holidays, into the next year) and the due timers fire, two sessions race on
one task, someone who may not do a task tries, a deputy gets an account. After every step the
invariants (`invariants.py`) are checked.

`TALLY` counts walks, cases and steps over a run; `report()` prints them (`make fuzz`).
"""
from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule
from sqlalchemy import func, select

from engine import ConflictError, FormError
from models import Assignment, CongressSession, Deputy, HumanTask, Suggestion, Unit, User
from workflows import deputies as deputies_mod
from workflows import suggestions, task_access, tasks
from workflows.errors import PermissionDenied
from workflows.users import create_user

from . import forms, invariants
from .world import DEPUTIES, World

# Valid answers a rule of the day refuses beside a field, leaving the case as it was: an
# extension asked for or approved after the reply deadline (docs/process.md, item 3).
RULE_REFUSALS = {"draft_reply": {"action"}, "approve_extension": {"extension_decision"}}

MAX_CASES = int(os.environ.get("JIANYI_FUZZ_CASES_PER_WALK", "4"))
TALLY: Counter = Counter()
KNOWN: dict[str, str] = {}  # known-broken invariant -> its first violation seen in this run
TITLES = ["关于加快城际铁路建设的建议", "关于加强农村饮水安全保障的建议", "关于改善中小学办学条件的建议",
          "关于推进老旧小区改造的建议", "关于支持县域医疗能力提升的建议"]


def reset() -> None:
    """Start counting afresh (a test per backend)."""
    TALLY.clear()
    KNOWN.clear()


def report() -> str:
    """One line for the end of a run: walks, cases and steps done, violations found."""
    broken = " ".join(f"{name}={TALLY['known:' + name]}" for name in sorted(KNOWN))
    return (f"FUZZ walks={TALLY['walks']} cases={TALLY['cases']} closed={TALLY['closed']} "
            f"steps={TALLY['steps']} "
            f"violations={TALLY['violations']} known_broken_steps={TALLY['known_steps']}"
            + (f" ({broken})" if broken else ""))


class Walks(RuleBasedStateMachine):
    """A run of random steps through a few cases of one province."""

    backend = "sqlite"
    pg_url: str | None = None

    def __init__(self):
        super().__init__()
        self.world = World(self.backend, self.pg_url)
        self.db, self.engine, self.clock = self.world.db, self.world.engine, self.world.clock
        self.instances: list[int] = []
        self._who: list[SimpleNamespace] | None = None
        self.touched: set[int] | None = None  # cases changed by the step (None: any may have)
        self.numbers = 0
        TALLY["walks"] += 1

    def teardown(self):
        with self.db.session() as session:
            TALLY["closed"] += session.scalar(select(func.count()).select_from(Suggestion).where(
                Suggestion.status == "closed"))
        self.world.close()

    # ------------------------------------------------------------------ helpers
    def _ready(self) -> list[HumanTask]:
        """Ready tasks of the walk's cases, in an order that does not depend on task ids (UUIDs
        differ between runs; hypothesis replays a walk by the same choices)."""
        with self.db.session() as session:
            merged_away = set(session.scalars(select(Suggestion.instance_id).where(
                Suggestion.merged_into_id.is_not(None))))
            rows = session.scalars(select(HumanTask).where(HumanTask.state == "ready")).all()
        rows = [r for r in rows if r.instance_id not in merged_away]  # 并案: handled elsewhere
        return sorted(rows, key=lambda t: (t.instance_id, t.bpmn_id, t.candidate_unit or "",
                                           t.assignee or "", t.created_at))

    def _users(self) -> list[SimpleNamespace]:
        """Everyone, as the permission check sees them (read once per walk: users change only
        when a deputy gets an account)."""
        if self._who is None:
            with self.db.session() as session:
                self._who = [SimpleNamespace(username=u.username, role=u.role, active=u.active,
                                             unit=SimpleNamespace(code=code) if code else None)
                             for u, code in session.execute(
                                 select(User, Unit.code).outerjoin(Unit, Unit.id == User.unit_id)
                                 .order_by(User.id))]
        return self._who

    def _pick(self, data, ready: list[HumanTask], label: str = "task") -> HumanTask:
        """One of the ready tasks, drawn by a readable name (a failing walk prints its steps)."""
        names = [f"{i}: case {t.instance_id} {t.bpmn_id} "
                 f"[{t.candidate_unit or t.assignee or t.candidate_role}]"
                 for i, t in enumerate(ready)]
        return ready[int(data.draw(st.sampled_from(names), label=label).split(":")[0])]

    def _people(self, task: HumanTask) -> list[str]:
        """Everyone who may complete the task (two per unit role: they can race)."""
        return [u.username for u in self._users() if task_access.allows(u, task)]

    def _context(self, session, task: HumanTask) -> forms.Context:
        province = self.world.province
        suggestion = session.scalar(select(Suggestion).where(
            Suggestion.instance_id == task.instance_id))
        case_units = set(session.scalars(select(Unit.code).join(
            Assignment, Assignment.unit_id == Unit.id).where(
            Assignment.suggestion_id == suggestion.id)))
        mergeable = []
        if task.bpmn_id == "assign":  # suggestions of this walk still waiting to be assigned
            mergeable = sorted(session.scalars(select(Suggestion.number).where(
                Suggestion.id != suggestion.id, Suggestion.status == "registered",
                Suggestion.merged_into_id.is_(None))))
        return forms.Context(now=self.clock(), units=province.units, case_units=case_units,
                             unit=task.candidate_unit, mergeable=mergeable)

    def _answer(self, data, task: HumanTask) -> dict:
        with self.db.session() as session:
            schema = self.engine.form(session, task)
            ctx = self._context(session, task)
        return forms.answer(data.draw, task.bpmn_id, schema, ctx)

    def _complete(self, username: str, task_id: str, answer: dict):
        with self.db.write() as session:
            user = session.scalar(select(User).where(User.username == username))
            return tasks.complete(session, self.engine, user, task_id, answer)

    def _step(self) -> None:
        TALLY["steps"] += 1
        self.check()

    # ------------------------------------------------------------------ rules
    @initialize(deputy=st.sampled_from(DEPUTIES))
    def first_case(self, deputy):
        self._register(deputy[0], [])

    @precondition(lambda self: len(self.instances) < MAX_CASES)
    @rule(deputy=st.sampled_from(DEPUTIES), co_signers=st.lists(st.sampled_from(DEPUTIES),
                                                                max_size=2, unique=True))
    def register(self, deputy, co_signers):
        """登记: a new suggestion and its case (waits at 交办)."""
        self._register(deputy[0], [d[0] for d in co_signers if d[0] != deputy[0]])

    def _register(self, name: str, co_signers: list[str]) -> None:
        self.numbers += 1
        province = self.world.province
        with self.db.write() as session:
            congress = session.get(CongressSession, province.congress_session_id)
            suggestion = suggestions.register(
                session, self.engine, congress_session=congress, number=self.numbers,
                title=TITLES[self.numbers % len(TITLES)], body="建议内容。", field="交通",
                lead_deputy=session.get(Deputy, province.deputies[name]),
                co_signers=[session.get(Deputy, province.deputies[n]) for n in co_signers],
                actor="commission")
            self.instances.append(suggestion.instance_id)
            self.touched = {suggestion.instance_id}
        TALLY["cases"] += 1
        self._step()

    def _work(self, data, instance_id: int | None = None) -> int | None:
        """Complete one ready task (of `instance_id` if given) as someone who may, with a random
        valid answer; returns the case it belonged to (None: nothing was ready)."""
        ready = [t for t in self._ready() if instance_id is None or t.instance_id == instance_id]
        if not ready:
            return None
        task = self._pick(data, ready)
        people = self._people(task)
        assert people, f"nobody may do {task.bpmn_id} ({task.candidate_role}, " \
                       f"{task.candidate_unit}, {task.assignee})"
        who = data.draw(st.sampled_from(people), label="who")
        answer = self._answer(data, task)
        try:
            self._complete(who, task.id, answer)
        except FormError as refused:
            # A valid form the rules still refuse on the day (an extension asked for or
            # approved after the reply deadline): told beside its field, the case unchanged.
            assert set(refused.errors) <= RULE_REFUSALS.get(task.bpmn_id, set()), refused.errors
            assert task.id in {t.id for t in self._ready()}, "a refused step changed the case"
            TALLY[f"refused:{task.bpmn_id}"] += 1
        else:
            TALLY[f"task:{task.bpmn_id}"] += 1
        self.touched = {task.instance_id}
        self._step()
        return task.instance_id

    # What a step does, weighted (hypothesis picks rules uniformly): mostly people completing
    # tasks, so that cases move; sometimes the clock, a race or an intruder.
    KINDS = ["work"] * 6 + ["tick"] * 2 + ["race", "intrude"]

    @rule(data=st.data())
    def step(self, data):
        """One step: a person completes a ready task with a random valid answer, the clock
        jumps, two sessions race on a task, or an outsider tries one."""
        kind = data.draw(st.sampled_from(self.KINDS), label="kind")
        {"work": self._work, "tick": self._tick, "race": self._race,
         "intrude": self._intrude}[kind](data)

    @rule(data=st.data(), steps=st.integers(2, 6))
    def drive(self, data, steps):
        """Several tasks of one case in a row (each one a step, checked): cases reach replies,
        feedback, re-handling and follow-up within a walk."""
        case = self._work(data)
        for _ in range(steps - 1):
            if case is None or self._work(data, case) is None:
                return

    def _tick(self, data):
        """The clock jumps (hours, days, weeks, months, or to just before/after a deadline of an
        open assignment) and the due timers fire, as the scheduler would."""
        with self.db.session() as session:
            dues = sorted({d for a in session.scalars(select(Assignment).where(
                Assignment.status.not_in(["returned", "closed"])))
                for d in (a.ack_due, a.reply_due, a.reply_due - timedelta(days=10))
                if d > self.clock()})
        kind = data.draw(st.sampled_from(["hours", "days", "weeks", "months"]
                                          + (["deadline"] * 2 if dues else [])), label="jump")
        if kind == "deadline":
            target = data.draw(st.sampled_from(dues), label="deadline")
            self.clock.now = target + timedelta(hours=data.draw(st.sampled_from([-1, 1])))
        else:
            size = data.draw(st.integers(1, {"hours": 12, "days": 10, "weeks": 6,
                                             "months": 4}[kind]), label="by")
            self.clock.now += timedelta(**({"days": size * 30} if kind == "months"
                                           else {kind: size}))
        for _ in range(50):
            with self.db.write() as session:
                if not self.engine.fire_due_timers(session):
                    break
        TALLY["ticks"] += 1
        self._step()

    def _race(self, data):
        """Two sessions complete the same task at once: one wins, the other gets the conflict
        error, and nothing is written twice."""
        ready = self._ready()
        if not ready:
            return
        task = self._pick(data, ready, "raced task")
        people = self._people(task)
        answer = self._answer(data, task)
        pair = (people * 2)[:2]  # two people of the role, or one person in two sessions
        outcomes: list = [None, None]
        gate = threading.Barrier(2)

        def attempt(i: int) -> None:
            gate.wait()
            try:
                self._complete(pair[i], task.id, answer)
                outcomes[i] = "done"
            except ConflictError as err:
                outcomes[i] = err
            except Exception as err:  # noqa: BLE001 - reported below
                outcomes[i] = err

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        refused = [o for o in outcomes if isinstance(o, FormError)
                   and set(o.errors) <= RULE_REFUSALS.get(task.bpmn_id, set())]
        if len(refused) == 2:  # an answer the rules refuse on the day: refused to both
            TALLY[f"refused:{task.bpmn_id}"] += 1
        else:
            assert sorted(map(type, outcomes), key=str) == sorted([str, ConflictError], key=str), \
                f"two sessions on {task.bpmn_id}: {outcomes!r} (want one done, one conflict)"
            TALLY[f"task:{task.bpmn_id}"] += 1
        self.touched = {task.instance_id}
        TALLY["races"] += 1
        self._step()

    def _intrude(self, data):
        """Someone who may not do a ready task tries it (another unit, another role, another
        deputy): refused, nothing changes."""
        ready = self._ready()
        if not ready:
            return
        task = self._pick(data, ready)
        outsiders = [u.username for u in self._users() if not task_access.allows(u, task)]
        who = data.draw(st.sampled_from(outsiders), label="outsider")
        try:
            self._complete(who, task.id, self._answer(data, task))
        except PermissionDenied:
            TALLY["refused"] += 1
            self.touched = set()
        else:
            raise AssertionError(f"{who} completed {task.bpmn_id} of case {task.instance_id}, "
                                 "which is not theirs")
        self._step()

    @precondition(lambda self: not getattr(self, "_linked", False))
    @rule(deputy=st.sampled_from([d for d in DEPUTIES if not d[2]]))
    def give_account(self, deputy):
        """A deputy who answered on paper gets a login account: the feedback tasks the commission
        was to record move to them (later rounds go to them by themselves)."""
        self._linked = True
        deputy_id = self.world.province.deputies[deputy[0]]
        with self.db.write() as session:
            create_user(session, f"dep_{deputy_id}", deputy[0], "deputy", "pw")
            deputies_mod.link_account(session, f"dep_{deputy_id}", deputy_id,
                                      actor="admin", now=self.clock())
        self._who = None
        TALLY["accounts_given"] += 1
        self._step()

    # ------------------------------------------------------------------ invariants
    def check(self) -> None:
        # The engine's consistency check loads each case's workflow: only the cases this step
        # changed (a case nobody touched is as consistent as it was at the last check).
        changed = self.instances if self.touched is None else sorted(self.touched)
        self.touched = None
        walk = invariants.Walk(now=self.clock(), engine=self.engine, instance_ids=changed)
        with self.db.session() as session:
            found = invariants.check(session, walk)
        for name, problems in found.items():
            if name in invariants.KNOWN_BROKEN:
                TALLY["known:" + name] += 1
                KNOWN.setdefault(name, problems[0])
        if found:
            TALLY["known_steps"] += 1
        failing = invariants.failing(found)
        if failing:
            TALLY["violations"] += 1
            raise AssertionError("invariants broken after this step:\n" + "\n".join(
                f"  [{name}] {p}" for name, problems in failing.items() for p in problems[:5]))


def for_backend(backend: str, pg_url: str | None = None) -> type[Walks]:
    """The state machine bound to a backend."""
    return type(f"Walks_{backend}", (Walks,), {"backend": backend, "pg_url": pg_url})
