"""The mail outbox (邮件发件箱): notices chosen for mail, written with the notification, sent
by the scheduler.

`enqueue` runs in the transaction that writes the notifications, so a notice is queued exactly
when it exists. `deliver` claims due rows by a conditional UPDATE (only rows still `pending`
become `sending` under this sender's token, so two schedulers never take one row), commits the
claim, sends outside any transaction, then records each outcome: `sent`, or another attempt
after an exponential backoff, or `failed` after the last attempt (or at once when the server
refused for good). A row left `sending` by a sender that stopped (a crash between claim and
outcome) is marked `failed` after `LEASE`, never sent again: a recipient may have it already;
a row still pending after `MAX_AGE` is given up too.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import String, bindparam, func, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from models import Database, MailOutbox, MailPreference, Notification, User, utcnow

from .preferences import DEFAULT_KINDS
from .sender import MailSettings, Message, PermanentFailure, Sender, SmtpSender

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = timedelta(minutes=1)  # after the n-th failed attempt: BACKOFF * 2**(n-1)
BACKOFF_MAX = timedelta(hours=6)
LEASE = timedelta(minutes=15)
INTERRUPTED = "发送中断，可能已送达，不再重发 (interrupted while sending; not sent again)"
# A notice not sent within this (mail was off, or the server down for days) is no news any
# more: it is given up rather than sent late, all at once, when mail comes back.
MAX_AGE = timedelta(days=3)
TOO_OLD = "通知已超过三天未能发送，不再发送 (not sent within three days; given up)"

_N, _U, _P, _O = (Notification.__table__, User.__table__, MailPreference.__table__,
                  MailOutbox.__table__)
# The notices just written that their users chose to receive by mail: a kind's own row, else
# the default; only active users with an address.
_ENQUEUE = insert(_O).from_select(
    ["notification_id", "username", "address", "language", "status", "attempts",
     "next_attempt_at", "created_at"],
    select(_N.c.id, _N.c.username, _U.c.email,
           func.coalesce(_U.c.language, literal("zh", String)), literal("pending", String),
           literal(0), _N.c.created_at, _N.c.created_at)
    .join(_U, _U.c.username == _N.c.username)
    .outerjoin(_P, (_P.c.username == _N.c.username) & (_P.c.kind == _N.c.kind))
    .where(_N.c.id.in_(bindparam("ids", expanding=True)), _U.c.email.is_not(None),
           _U.c.active.is_(True),
           func.coalesce(_P.c.enabled, _N.c.kind.in_(sorted(DEFAULT_KINDS)))))


def enqueue(conn: Connection, notification_ids: list[int]) -> None:
    """Queue for mail those of the notifications just written that their users want mailed
    (in the caller's transaction)."""
    if notification_ids:
        conn.execute(_ENQUEUE, {"ids": list(notification_ids)})


@dataclass
class Delivery:
    """What one `deliver` call did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver(db: Database, sender: Sender, clock: Callable[[], datetime], *, base_url: str,
            batch: int = 20, max_attempts: int = MAX_ATTEMPTS) -> Delivery:
    """Send the due rows (one batch), recording each outcome at `clock()`."""
    token = secrets.token_hex(16)
    with db.write() as session:
        now = clock()
        session.execute(update(MailOutbox).where(
            MailOutbox.status == "sending", MailOutbox.claimed_at < now - LEASE)
            .values(status="failed", last_error=INTERRUPTED))
        session.execute(update(MailOutbox).where(
            MailOutbox.status == "pending", MailOutbox.created_at < now - MAX_AGE)
            .values(status="failed", last_error=TOO_OLD))
        due = (select(MailOutbox.id).where(MailOutbox.status == "pending",
                                           MailOutbox.next_attempt_at <= now)
               .order_by(MailOutbox.next_attempt_at, MailOutbox.id).limit(batch))
        # The status test again in the UPDATE: on PostgreSQL a row another sender claimed
        # meanwhile is re-checked after its lock is released and left alone.
        session.execute(update(MailOutbox).where(MailOutbox.id.in_(due.scalar_subquery()),
                                                 MailOutbox.status == "pending")
                        .values(status="sending", claim=token, claimed_at=now),
                        execution_options={"synchronize_session": False})
        claimed = session.execute(
            select(MailOutbox.id, MailOutbox.address, MailOutbox.language, MailOutbox.attempts,
                   User.name, Notification.message, Notification.message_en,
                   Notification.link)
            .join(Notification, Notification.id == MailOutbox.notification_id)
            .join(User, User.username == MailOutbox.username)
            .where(MailOutbox.claim == token, MailOutbox.status == "sending")
            .order_by(MailOutbox.id)).all()
    done = Delivery()
    for row in claimed:
        try:
            sender.send(compose(row, base_url))
        except Exception as err:  # noqa: BLE001 - any failure is recorded and retried
            outcome = _failed(db, row.id, token, row.attempts + 1, err, clock(), max_attempts)
            setattr(done, outcome, getattr(done, outcome) + 1)
            log.warning("mail %d to %s: %s", row.id, row.address, _error(err))
            continue
        with db.write() as session:
            session.execute(update(MailOutbox).where(MailOutbox.id == row.id,
                                                     MailOutbox.claim == token)
                            .values(status="sent", sent_at=clock(), attempts=row.attempts + 1,
                                    claim=None))
        done.sent += 1
    return done


def _failed(db: Database, row_id: int, token: str, attempts: int, err: Exception,
            now: datetime, max_attempts: int) -> str:
    """Record a failed attempt: another one later, or none."""
    final = isinstance(err, PermanentFailure) or attempts >= max_attempts
    delay = min(BACKOFF * 2 ** (attempts - 1), BACKOFF_MAX)
    with db.write() as session:
        session.execute(update(MailOutbox).where(MailOutbox.id == row_id,
                                                 MailOutbox.claim == token)
                        .values(status="failed" if final else "pending", attempts=attempts,
                                last_error=_error(err), claim=None, next_attempt_at=now + delay))
    return "failed" if final else "retrying"


def _error(err: Exception) -> str:
    """The error as the administrator reads it: its class and the server's reply."""
    reply = getattr(err, "smtp_error", None)
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    said = f"{err.smtp_code} {reply}" if reply is not None else str(err)
    return f"{type(err).__name__}: {said}".replace("\x00", "")[:500]


# The mail's words, in the recipient's language (a notice begins with what it is: "督办：…").
_WORDS = {
    "zh": ("【代表建议办理系统】{message}",
           "{name}：\n\n{message}\n\n查看：{url}\n\n——\n此邮件由代表建议办理系统自动发送，请勿直接回复。\n"
           "更改接收哪些邮件通知：{settings}\n"),
    "en": ("[Jianyi] {message}",
           "{name},\n\n{message}\n\nOpen: {url}\n\n--\nSent by the deputies' suggestion handling "
           "system; please do not reply.\nChoose which notifications you receive by mail: "
           "{settings}\n"),
}


def compose(row, base_url: str) -> Message:
    """The mail of one outbox row (address, language, user's name, the notice's texts and
    link)."""
    english = row.language == "en"
    message = (row.message_en or row.message) if english else row.message
    subject, body = _WORDS["en" if english else "zh"]
    base = base_url.rstrip("/")
    return Message(to=row.address,
                   subject=subject.format(message=message).replace("\n", " "),
                   body=body.format(name=row.name, message=message,
                                    url=base + (row.link or "/notifications"),
                                    settings=f"{base}/notifications/settings"))


def job(settings: MailSettings, sender: Sender | None = None,
        clock: Callable[[], datetime] = utcnow) -> Callable[[Database], int]:
    """The scheduler's mail job: each tick sends one batch of due rows."""
    chosen = sender or SmtpSender(settings)

    def deliver_mail(db: Database) -> int:
        return deliver(db, chosen, clock, base_url=settings.base_url).sent
    return deliver_mail


def counts(session: Session) -> dict[str, int]:
    """Rows per state (every state named, 0 when none)."""
    found = dict(session.execute(select(MailOutbox.status, func.count())
                                 .group_by(MailOutbox.status)).all())
    return {state: found.get(state, 0) for state in ("pending", "sending", "sent", "failed")}


def failures(session: Session, limit: int = 20) -> list:
    """The latest rows given up, newest first: for the administrator."""
    return session.execute(
        select(MailOutbox.id, MailOutbox.username, MailOutbox.address, MailOutbox.attempts,
               MailOutbox.last_error, MailOutbox.next_attempt_at, Notification.message)
        .join(Notification, Notification.id == MailOutbox.notification_id)
        .where(MailOutbox.status == "failed").order_by(MailOutbox.id.desc()).limit(limit)).all()


__all__ = ["BACKOFF", "Delivery", "INTERRUPTED", "LEASE", "MAX_AGE", "MAX_ATTEMPTS", "TOO_OLD",
           "compose", "counts", "deliver", "enqueue", "failures", "job"]
