"""In-app notifications (通知): new tasks, send-backs, reminders and escalations."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from engine.instance import StepResult
from models import Notification, ProcessDefinition, ProcessInstance, Suggestion, Unit, User

from . import labels
from .case_keys import PROCESS_ID, number_in
from .mail import outbox

SEND_BACK = {"review": "review_decision", "sign_off": "sign_decision",
             "leader_review": "leader_decision", "review_again": "review_decision",
             "sign_off_again": "sign_decision", "leader_review_again": "leader_decision"}
# The drafting steps a send-back returns to: the first reply's and the re-handled reply's.
DRAFTS = ("draft_reply", "rehandle")


# Built once: the notification hook runs inside every step's transaction.
_CANDIDATES = select(User.username).where(User.role == bindparam("role"), User.active.is_(True))
_UNIT_CANDIDATES = (_CANDIDATES.join(Unit, User.unit_id == Unit.id)
                    .where(Unit.code == bindparam("unit")))
_NUMBER = select(Suggestion.number).where(Suggestion.instance_id == bindparam("instance_id"))
# A case not (yet) a suggestion's: its process, name and business key.
_CASE = (select(ProcessInstance.process_id, ProcessDefinition.name, ProcessInstance.business_key)
         .outerjoin(ProcessDefinition, (ProcessDefinition.version_id
                                        == ProcessInstance.process_version_id)
                    & (ProcessDefinition.process_id == ProcessInstance.process_id))
         .where(ProcessInstance.id == bindparam("instance_id")))
_INSERT = insert(Notification).returning(Notification.id)  # the ids: queued for mail
_NT = Notification.__table__
_NOTICE = [bindparam("kind", type_=_NT.c.kind.type), bindparam("message", type_=_NT.c.message.type),
           bindparam("message_en", type_=_NT.c.message_en.type),
           bindparam("link", type_=_NT.c.link.type), bindparam("now", type_=_NT.c.created_at.type)]
_TO_COLUMNS = ["username", "kind", "message", "message_en", "link", "created_at"]
# One statement writes a task's notice for each of its candidates (the hook runs in every step).
_NOTIFY_CANDIDATES = insert(Notification).from_select(
    _TO_COLUMNS, _CANDIDATES.add_columns(*_NOTICE)).returning(Notification.id)
_NOTIFY_UNIT_CANDIDATES = insert(Notification).from_select(
    _TO_COLUMNS, _UNIT_CANDIDATES.add_columns(*_NOTICE)).returning(Notification.id)


def notify(session: Session, usernames: list[str], kind: str, message: tuple[str, str],
           link: str | None, now: datetime) -> None:
    """Tell each of `usernames` (and queue the mail of those who want it, in the same
    transaction); `message` is (Chinese, English)."""
    if usernames:
        zh, en = message
        conn = session.connection()
        ids = conn.execute(_INSERT, [
            dict(username=u, kind=kind, message=zh[:255], message_en=en[:255], link=link,
                 created_at=now, read_at=None) for u in usernames]).scalars().all()
        outbox.enqueue(conn, ids)


def step_name(bpmn_id: str, name: str | None, subject: str | None) -> tuple[str, str]:
    """(Chinese, English) of a task's step as a notice names it: "代表反馈 · 省水利厅"."""
    zh, en = labels.step(bpmn_id, name)
    return (f"{zh} · {subject}", f"{en} · {subject}") if subject else (zh, en)


def on_step(session: Session, result: StepResult) -> None:
    """Engine hook: tell people about the tasks a step put in their inbox."""
    if not result.new_tasks:
        return
    conn = session.connection()
    where = _case_words(conn, result.instance_id)
    sent_back, ids = False, []
    if result.completed is not None:
        bpmn_id, data = result.completed
        sent_back = data.get(SEND_BACK.get(bpmn_id, ""), "") == "send_back"
    for task in result.new_rows:  # the rows as the engine wrote them
        kind = "send_back" if sent_back and task["bpmn_id"] in DRAFTS else "task"
        zh, en = step_name(task["bpmn_id"], task["name"], task["subject"])
        message = (f"退回修改：{zh}（{where[0]}）", f"Sent back: {en} ({where[1]})") \
            if kind == "send_back" else \
            (f"新任务：{zh}（{where[0]}）", f"New task: {en} ({where[1]})")
        link, now = f"/tasks/{task['id']}", task["created_at"]
        if task["assignee"]:
            notify(session, [task["assignee"]], kind, message, link, now)
            continue
        notice = {"kind": kind, "message": message[0][:255], "message_en": message[1][:255],
                  "link": link, "now": now, "role": task["candidate_role"]}
        if task["candidate_unit"]:
            found = conn.execute(_NOTIFY_UNIT_CANDIDATES,
                                 {**notice, "unit": task["candidate_unit"]})
        else:
            found = conn.execute(_NOTIFY_CANDIDATES, notice)
        ids += found.scalars().all()
    outbox.enqueue(conn, ids)


def _case_words(conn, instance_id: int) -> tuple[str, str]:
    """(Chinese, English) of the case a notice is about: 第12号建议, or, for a case of another
    process, its process's name and its subject (business key)."""
    number = conn.execute(_NUMBER, {"instance_id": instance_id}).scalar()
    if number is not None:
        return f"第{number}号建议", f"suggestion {number}"
    process_id, name, key = conn.execute(_CASE, {"instance_id": instance_id}).one()
    if process_id == PROCESS_ID:  # the case's first step: the suggestion does not point to it yet
        number = number_in(key) if key else "?"
        return f"第{number}号建议", f"suggestion {number}"
    zh, en = labels.step(process_id, name)
    return (f"{zh}：{key}", f"{en}: {key}") if key else (zh, en)


def mark_read(session: Session, username: str, now: datetime,
              notification_id: int | None = None) -> None:
    """Mark one (or all) of a user's notifications read."""
    query = update(Notification).where(Notification.username == username,
                                       Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    session.execute(query.values(read_at=now))
