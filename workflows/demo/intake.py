"""Demo: suggestions submitted online (提出建议, bpmn/intake.bpmn) — one draft waiting for its
co-signer, one submitted (its co-signer confirmed) waiting for the commission's intake review."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Engine
from models import Deputy, HumanTask, User

from .. import intake, tasks

DRAFT_BODY = ("经过对沿线城市的专题调研，城际铁路建成区段客流增长明显，但部分规划线路迟迟未能开工，"
              "沿线群众出行仍以公路为主，通勤时间长、安全压力大。建议省发展改革委会同省交通运输厅"
              "加快城际铁路规划线路前期工作，出台省市共担的建设资金支持政策，优先安排开工。")
SUBMITTED_BODY = ("我们走访了三个县的十余所乡村学校，发现乡村教师流失率高，年轻教师留不住，"
                  "音体美等学科教师短缺。建议省教育厅会同省财政厅提高乡村教师生活补助标准，"
                  "完善职称评聘向乡村倾斜的政策，建立城乡教师轮岗交流的长效机制。")


def _user(session: Session, deputy: Deputy) -> User:
    return session.scalar(select(User).where(User.deputy_id == deputy.id))


def _do(session: Session, engine: Engine, user: User, case: int, bpmn_id: str, data: dict):
    task = session.scalar(select(HumanTask).where(
        HumanTask.instance_id == case, HumanTask.bpmn_id == bpmn_id,
        HumanTask.state == "ready", (HumanTask.assignee == user.username)
        | HumanTask.assignee.is_(None)))
    tasks.complete(session, engine, user, task.id, data)


def submitted_online(session: Session, engine: Engine, deputies: list[Deputy]) -> None:
    """`deputy` (deputies[0]) has a draft waiting for deputy01's confirmation; deputy02's
    suggestion, confirmed by deputy03, waits for the commission's review (立案审查)."""
    lead, co_signer = _user(session, deputies[0]), deputies[1]
    case = intake.start_draft(session, engine, lead)
    _do(session, engine, lead, case, intake.DRAFT, {
        "title": "关于加快城际铁路规划线路开工建设的建议", "field": "交通", "body": DRAFT_BODY,
        "from_research": True, "co_signers": [str(co_signer.id)], "action": "invite"})
    lead, co_signer = _user(session, deputies[2]), deputies[3]
    case = intake.start_draft(session, engine, lead)
    draft = {"title": "关于稳定乡村教师队伍的建议", "field": "教育", "body": SUBMITTED_BODY,
             "from_research": True, "co_signers": [str(co_signer.id)], "action": "invite"}
    _do(session, engine, lead, case, intake.DRAFT, draft)
    _do(session, engine, _user(session, co_signer), case, intake.COSIGN, {"answer": "confirmed"})
    _do(session, engine, lead, case, intake.DRAFT, {**draft, "action": "submit"})
