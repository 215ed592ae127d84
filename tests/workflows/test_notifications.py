"""Who is told about a new task: every active candidate of its role (and unit), or its assignee."""
from __future__ import annotations

from sqlalchemy import select

from models import Notification, User
from workflows.users import create_user

from .helpers import Cases

SOLE = {"mode": "sole", "lead_unit": "transport", "co_units": [], "key_suggestion": False}


def notices(db) -> list[tuple[str, str, tuple[str, str], str]]:
    with db.session() as s:
        return [(n.username, n.kind, (n.message, n.message_en), n.link) for n in s.scalars(
            select(Notification).order_by(Notification.id))]


def test_a_new_task_notifies_each_active_candidate_of_its_role_and_unit(db, domain_engine, org):
    with db.write() as s:
        create_user(s, "commission2", "代表工委乙", "commission", "pw")
        create_user(s, "transport_handler2", "交通厅经办乙", "unit_handler", "pw",
                    unit_code="transport")
        create_user(s, "retired", "已停用", "commission", "pw")
        s.scalar(select(User).where(User.username == "retired")).active = False
    cases = Cases(db, domain_engine, org)
    sid = cases.register(title="关于加快城际铁路建设的建议")
    case = cases.case(sid)
    [assign] = cases.tasks(case)["assign"]
    told = notices(db)
    assert sorted(n[0] for n in told) == ["commission", "commission2"]  # role only; active only
    assert {n[1:] for n in told} == {("task", ("新任务：交办（第1号建议）",
                                               "New task: Assign (suggestion 1)"),
                                      f"/tasks/{assign.id}")}

    cases.complete("commission", case, "assign", SOLE)
    [ack] = cases.tasks(case)["acknowledge"]
    unit_told = notices(db)[len(told):]
    assert sorted(n[0] for n in unit_told) == ["transport_handler2", "transport_unit_handler"]
    assert {n[3] for n in unit_told} == {f"/tasks/{ack.id}"}
