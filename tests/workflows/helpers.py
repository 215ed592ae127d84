"""Helpers for process tests: register, assign, drive and inspect cases through `workflows`."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from models import CongressSession, Deputy, HumanTask, Suggestion, User
from workflows import simulate, suggestions, tasks


class Cases:
    """A small facade over `workflows` for tests: every call is one committed transaction."""

    def __init__(self, db, engine, org):
        self.db, self.engine, self.org = db, engine, org
        self._numbers = 0

    def register(self, deputy: str = "王芳", title: str = "关于加快城际铁路建设的建议",
                 start_case: bool = True) -> int:
        self._numbers += 1
        with self.db.write() as session:
            congress = session.get(CongressSession, self.org.congress_session_id)
            lead = session.get(Deputy, self.org.deputies[deputy])
            return suggestions.register(
                session, self.engine, congress_session=congress, number=self._numbers,
                title=title, body=title, field="交通", lead_deputy=lead, actor="commission",
                start_case=start_case).id

    def case(self, suggestion_id: int) -> int:
        with self.db.session() as session:
            return session.get(Suggestion, suggestion_id).instance_id

    def new(self, assign: dict[str, Any], **kwargs) -> tuple[int, int]:
        """Register and assign a suggestion; returns (suggestion id, case id)."""
        sid = self.register(**kwargs)
        self.complete("commission", self.case(sid), "assign", assign)
        return sid, self.case(sid)

    def tasks(self, instance_id: int) -> dict[str, list[HumanTask]]:
        with self.db.session() as session:
            rows = session.scalars(select(HumanTask).where(
                HumanTask.instance_id == instance_id, HumanTask.state == "ready")
                .order_by(HumanTask.created_at)).all()
        found = defaultdict(list)
        for row in rows:
            found[row.bpmn_id].append(row)
        return dict(found)

    def complete(self, username: str, instance_id: int, bpmn_id: str, data: dict[str, Any],
                 unit: str | None = None):
        """Complete the case's ready `bpmn_id` task (of `unit` if several) as `username`."""
        with self.db.write() as session:
            query = select(HumanTask).where(HumanTask.instance_id == instance_id,
                                            HumanTask.bpmn_id == bpmn_id,
                                            HumanTask.state == "ready")
            if unit is not None:
                query = query.where(HumanTask.candidate_unit == unit)
            task = session.scalars(query).first()
            assert task is not None, f"no ready {bpmn_id} in case {instance_id}"
            user = session.scalar(select(User).where(User.username == username))
            return tasks.complete(session, self.engine, user, task.id, data)

    def drive(self, instance_id: int, stop_at=(), answers=None) -> set[str]:
        with self.db.write() as session:
            left = simulate.drive(session, self.engine, instance_id, stop_at=stop_at,
                                  answers=answers)
            return {t.bpmn_id for t in left}

    def fire(self) -> int:
        with self.db.write() as session:
            return self.engine.fire_due_timers(session)

    def read(self, fn):
        with self.db.session() as session:
            return fn(session)
