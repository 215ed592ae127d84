"""Driving the online-submission process (bpmn/intake.bpmn) in tests: a small facade, every
call one committed transaction."""
from __future__ import annotations

from sqlalchemy import select

from models import HumanTask, User
from workflows import intake, tasks

BODY = ("经调研，我省城际铁路建设滞后，沿线群众出行不便。建议省发改委加快城际铁路规划建设，"
        "出台配套资金支持政策。" * 3)


class Intake:
    def __init__(self, db, engine, org):
        self.db, self.engine, self.org = db, engine, org

    def user(self, deputy: str) -> str:
        return f"dep_{self.org.deputies[deputy]}"

    def id(self, deputy: str) -> str:
        return str(self.org.deputies[deputy])

    def start(self, deputy: str = "王芳") -> int:
        with self.db.write() as s:
            user = s.scalar(select(User).where(User.username == self.user(deputy)))
            return intake.start_draft(s, self.engine, user)

    def ready(self, case: int, bpmn_id: str) -> list[HumanTask]:
        with self.db.session() as s:
            return list(s.scalars(select(HumanTask).where(
                HumanTask.instance_id == case, HumanTask.bpmn_id == bpmn_id,
                HumanTask.state == "ready").order_by(HumanTask.created_at)))

    def complete(self, username: str, case: int, bpmn_id: str, data: dict):
        task = next(t for t in self.ready(case, bpmn_id)
                    if t.assignee in (None, username))
        with self.db.write() as s:
            user = s.scalar(select(User).where(User.username == username))
            return tasks.complete(s, self.engine, user, task.id, data)

    def draft(self, case: int, action: str, co=(), title="关于加快城际铁路建设的建议",
              body=BODY, deputy="王芳", **extra):
        data = {"title": title, "field": "交通", "body": body, "from_research": True,
                "co_signers": [self.id(d) for d in co], "action": action, **extra}
        return self.complete(self.user(deputy), case, intake.DRAFT, data)

    def answer(self, case: int, deputy: str, answer: str):
        return self.complete(self.user(deputy), case, intake.COSIGN, {"answer": answer})

    def review(self, case: int, decision: str, reason: str = ""):
        data = {"decision": decision, **({"reason": reason} if reason else {})}
        return self.complete("commission", case, intake.REVIEW, data)
