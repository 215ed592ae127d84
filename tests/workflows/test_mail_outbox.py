"""Notifications by mail: who gets a queued mail (in the notification's own transaction), and
the outbox sent to a real SMTP server — retries with backoff, giving up, at most once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import MailOutbox, Notification, User
from workflows.mail import outbox, preferences
from workflows.mail.sender import MailSettings, SmtpSender
from workflows.notifications import notify
from workflows.users import create_user

from ..support.smtp import smtp_server  # noqa: F401 (a fixture)
from .helpers import Cases

BASE = "https://jianyi.example.gov.cn"
NOTICE = ("提醒：第3号建议的答复期限还有10天", "Reminder: suggestion 3 is due in 10 days")


def settings(port: int) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, tls="none", sender="jianyi@example.org",
                        base_url=BASE)


def choose(db, username, email, kinds=None, language="zh", now=None):
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == username))
        chosen = preferences.choices(s, user).kinds if kinds is None else kinds
        preferences.save(s, user, email, language, set(chosen), actor=username, now=now)


def tell(db, clock, usernames, kind="reminder", message=NOTICE, link="/tasks/abc"):
    with db.write() as s:
        notify(s, usernames, kind, message, link, clock())


def rows(db) -> list[MailOutbox]:
    with db.session() as s:
        return list(s.scalars(select(MailOutbox).order_by(MailOutbox.id)))


def deliver(db, port, clock, **kwargs):
    return outbox.deliver(db, SmtpSender(settings(port)), clock, base_url=BASE, **kwargs)


def test_only_users_with_an_address_who_want_the_kind_get_a_queued_mail(db, org, clock):
    choose(db, "commission", "commission@example.org", now=clock())  # defaults
    choose(db, "leader", "leader@example.org", kinds={"task"}, now=clock())  # no reminders
    choose(db, "dep_1", "", kinds={"reminder", "task"}, now=clock())  # no address
    with db.write() as s:
        create_user(s, "gone", "已停用", "commission", "pw")
        s.scalar(select(User).where(User.username == "gone")).active = False
    choose(db, "gone", "gone@example.org", now=clock())
    tell(db, clock, ["commission", "leader", "dep_1", "gone", "transport_unit_handler"])
    assert [(r.username, r.address, r.status) for r in rows(db)] == [
        ("commission", "commission@example.org", "pending")]
    tell(db, clock, ["commission", "leader"], kind="task")  # tasks: off by default
    assert [r.username for r in rows(db)] == ["commission", "leader"]
    with db.session() as s:  # every notice is still shown in the app
        assert s.query(Notification).count() == 7


def test_the_mail_is_queued_in_the_notifications_transaction(db, org, clock):
    choose(db, "commission", "commission@example.org", now=clock())
    with pytest.raises(RuntimeError):
        with db.write() as s:
            notify(s, ["commission"], "escalation", NOTICE, "/tasks/abc", clock())
            raise RuntimeError("the step failed")
    with db.session() as s:
        assert s.query(Notification).count() == 0
    assert rows(db) == []


def test_a_new_task_is_queued_for_each_candidate_who_chose_tasks(db, domain_engine, org, clock):
    choose(db, "commission", "commission@example.org", kinds={"task"}, now=clock())
    cases = Cases(db, domain_engine, org)
    cases.register()
    [row] = rows(db)
    with db.session() as s:
        notice = s.get(Notification, row.notification_id)
    assert (row.username, notice.kind, notice.message) == ("commission", "task",
                                                           "新任务：交办（第1号建议）")


def test_a_mail_arrives_in_chinese_with_its_link_and_is_sent_once(db, org, clock, smtp_server):
    handler, port = smtp_server
    choose(db, "commission", "commission@example.org", now=clock())
    tell(db, clock, ["commission"])
    done = deliver(db, port, clock)
    assert (done.sent, done.retrying, done.failed) == (1, 0, 0)
    [got] = handler.received
    assert got.recipients == ["commission@example.org"]
    assert got.sender == "jianyi@example.org"
    assert got.subject == "【代表建议办理系统】提醒：第3号建议的答复期限还有10天"
    assert "代表工委：" in got.body and NOTICE[0] in got.body
    assert f"查看：{BASE}/tasks/abc" in got.body
    assert f"{BASE}/notifications/settings" in got.body
    [row] = rows(db)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, clock())
    assert deliver(db, port, clock).sent == 0 and len(handler.received) == 1


def test_a_user_who_prefers_english_gets_the_english_mail(db, org, clock, smtp_server):
    handler, port = smtp_server
    choose(db, "leader", "leader@example.org", language="en", now=clock())
    tell(db, clock, ["leader"], kind="escalation")
    deliver(db, port, clock)
    [got] = handler.received
    assert got.subject == f"[Jianyi] {NOTICE[1]}"
    assert f"Open: {BASE}/tasks/abc" in got.body and "提醒" not in got.body


def test_a_refusal_is_retried_after_the_backoff_then_accepted(db, org, clock, smtp_server):
    handler, port = smtp_server
    handler.answers = ["451 4.3.0 try again later"]
    choose(db, "commission", "commission@example.org", now=clock())
    tell(db, clock, ["commission"])
    first = deliver(db, port, clock)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = rows(db)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "451" in row.last_error and "try again later" in row.last_error
    assert row.next_attempt_at == clock() + outbox.BACKOFF
    assert deliver(db, port, clock).sent == 0  # not due yet: nothing is tried
    assert handler.tries == 1
    clock.advance(minutes=1)
    assert deliver(db, port, clock).sent == 1
    [row] = rows(db)
    assert (row.status, row.attempts, len(handler.received)) == ("sent", 2, 1)


def test_after_the_last_attempt_the_mail_is_failed_and_listed(db, org, clock, smtp_server):
    handler, port = smtp_server
    handler.answers = ["451 4.3.0 busy"] * 10
    choose(db, "commission", "commission@example.org", now=clock())
    tell(db, clock, ["commission"])
    waits = []
    for attempt in range(1, 4):
        assert deliver(db, port, clock, max_attempts=3).sent == 0
        [row] = rows(db)
        waits.append(row.next_attempt_at - clock())
        clock.advance(hours=1)
    assert waits[:2] == [outbox.BACKOFF, outbox.BACKOFF * 2]  # doubling between attempts
    [row] = rows(db)
    assert (row.status, row.attempts, handler.tries) == ("failed", 3, 3)
    clock.advance(days=1)
    assert deliver(db, port, clock, max_attempts=3).sent == 0 and handler.tries == 3
    with db.session() as s:
        assert outbox.counts(s) == {"pending": 0, "sending": 0, "sent": 0, "failed": 1}
        [failed] = outbox.failures(s)
    assert (failed.username, failed.attempts) == ("commission", 3) and "451" in failed.last_error


def test_a_permanent_refusal_is_not_retried(db, org, clock, smtp_server):
    handler, port = smtp_server
    handler.refuse_recipients = True
    choose(db, "commission", "nobody@example.org", now=clock())
    tell(db, clock, ["commission"])
    assert deliver(db, port, clock).failed == 1
    [row] = rows(db)
    assert (row.status, row.attempts) == ("failed", 1) and "550" in row.last_error


def test_two_senders_never_send_one_row(db, org, clock, smtp_server):
    """While one sender holds its claimed rows, a second one running meanwhile finds none."""
    handler, port = smtp_server
    choose(db, "commission", "commission@example.org", now=clock())
    tell(db, clock, ["commission"])
    tell(db, clock, ["commission"], kind="escalation")
    smtp, second = SmtpSender(settings(port)), []

    class Racing:
        def send(self, message):
            if not second:
                second.append(outbox.deliver(db, smtp, clock, base_url=BASE))
            smtp.send(message)

    done = outbox.deliver(db, Racing(), clock, base_url=BASE)
    assert done.sent == 2 and second[0].sent == 0
    assert len(handler.received) == 2 and [r.status for r in rows(db)] == ["sent", "sent"]


def test_a_claim_left_by_a_stopped_sender_is_failed_not_sent_again(db, org, clock,
                                                                   smtp_server):
    handler, port = smtp_server
    choose(db, "commission", "commission@example.org", now=clock())
    tell(db, clock, ["commission"])

    class Crashing:
        def send(self, message):
            raise KeyboardInterrupt  # the process stops between the claim and the outcome

    with pytest.raises(KeyboardInterrupt):
        outbox.deliver(db, Crashing(), clock, base_url=BASE)
    assert rows(db)[0].status == "sending"
    assert deliver(db, port, clock).sent == 0  # still within the lease: left alone
    clock.advance(minutes=16)
    assert deliver(db, port, clock).sent == 0
    [row] = rows(db)
    assert (row.status, row.last_error, handler.tries) == ("failed", outbox.INTERRUPTED, 0)


@pytest.mark.parametrize("address", ["a@b", "no-at.example.org", "a b@example.org",
                                     "x@-bad.org", "a..b@example.org", "名字@example.org",
                                     "a@example.org\n", "a\x00@example.org",
                                     "x" * 65 + "@example.org", "a@" + "b" * 250 + ".org"])
def test_an_address_mail_cannot_go_to_is_refused(address):
    assert preferences.address_problem(address) is not None


@pytest.mark.parametrize("address", ["", "li.qiang@example.org", "a+tag@mail.hunan.gov.cn"])
def test_an_ordinary_address_or_none_is_kept(address):
    assert preferences.address_problem(address) is None


def test_settings_refuse_bad_values_and_keep_good_ones(db, org, clock):
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == "dep_1"))
        with pytest.raises(preferences.MailSettingsError) as err:
            preferences.save(s, user, "bad", "fr", {"reminder", "spam"}, actor="dep_1",
                             now=clock())
        assert set(err.value.problems) == {"email", "language", "kinds"}
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == "dep_1"))
        assert preferences.choices(s, user) == preferences.Choices(
            "", "zh", preferences.DEFAULT_KINDS)
        preferences.save(s, user, "dep@example.org", "en", {"reply"}, actor="dep_1", now=clock())
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "dep_1"))
        assert preferences.choices(s, user) == preferences.Choices(
            "dep@example.org", "en", frozenset({"reply"}))


class Scripted:
    """A sender whose answers a test draws: "ok", "later" (try again) or "never" (permanent)."""

    def __init__(self, answers):
        self.answers, self.delivered = list(answers), []

    def send(self, message):
        answer = self.answers.pop(0) if self.answers else "ok"
        if answer == "later":
            raise ConnectionRefusedError("the server is down")
        if answer == "never":
            raise outbox.PermanentFailure("550 no such mailbox")
        self.delivered.append((message.to, message.subject))


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_whatever_the_server_answers_a_mail_is_sent_at_most_once(db, org, clock):
    """Invariants over drawn answers and waits: a mail is delivered at most once; a sent row
    was delivered exactly once; a failed one had its last attempt or a permanent refusal; a
    pending one has attempts left."""
    from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
    from sqlalchemy import delete
    choose(db, "commission", "commission@example.org", now=clock())
    choose(db, "leader", "leader@example.org", now=clock())

    @hsettings(max_examples=15, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(answers=st.lists(st.sampled_from(["ok", "later", "never"]), max_size=12),
           waits=st.lists(st.integers(0, 300), min_size=1, max_size=6),
           notices=st.integers(1, 3))
    def walk(answers, waits, notices):
        with db.write() as s:
            s.execute(delete(MailOutbox))
            s.execute(delete(Notification))
        for i in range(notices):
            tell(db, clock, ["commission", "leader"], message=(f"提醒{i}", f"Reminder {i}"))
        sender = Scripted(answers)
        for minutes in waits:
            outbox.deliver(db, sender, clock, base_url=BASE, batch=4, max_attempts=3)
            clock.advance(minutes=minutes)
        found = rows(db)
        with db.session() as s:
            subjects = {n.id: f"【代表建议办理系统】{n.message}"
                        for n in s.scalars(select(Notification))}
        delivered = {r.id: sender.delivered.count((r.address, subjects[r.notification_id]))
                     for r in found}
        assert sum(delivered.values()) == len(sender.delivered)
        for row in found:
            assert delivered[row.id] == (1 if row.status == "sent" else 0)
            assert row.attempts <= 3 and row.status in ("pending", "sent", "failed")
            if row.status == "failed":
                assert row.attempts == 3 or "PermanentFailure" in row.last_error
            if row.status == "pending":
                assert row.attempts < 3
    walk()


def test_a_sender_claiming_while_another_holds_the_rows_takes_none(db, org, clock,
                                                                    smtp_server):
    """PostgreSQL, two transactions at once: the second sender's claim waits on the first's
    row locks, then finds the rows no longer pending and takes none of them."""
    import threading

    from sqlalchemy import create_engine, func, text, update
    from sqlalchemy.pool import NullPool

    from ..support.server import wait_until
    if db.is_sqlite:
        pytest.skip("SQLite writers queue on one lock: no two claims run at once")
    handler, port = smtp_server
    choose(db, "commission", "commission@example.org", now=clock())
    tell(db, clock, ["commission"])
    tell(db, clock, ["commission"], kind="escalation")
    found = []
    second = threading.Thread(target=lambda: found.append(deliver(db, port, clock)))
    with db.write() as s:  # the first sender's claim, not yet committed
        s.execute(update(MailOutbox).values(status="sending", claim="first", claimed_at=clock()))
        second.start()
        # The watcher has its own connection, outside the app's pool, in autocommit: inside one
        # transaction PostgreSQL shows pg_stat_activity as it was at the first look, so a wait
        # that began after it was never seen (the test failed whenever the first look came
        # before the second claim reached its lock).
        watcher = create_engine(db.engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with watcher.connect() as watch:
                wait_until(lambda: watch.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")) >= 1, what="the second claim waits")
        finally:
            watcher.dispose()
    second.join(timeout=60)
    assert (found[0].sent, found[0].retrying, found[0].failed, handler.tries) == (0, 0, 0, 0)
    with db.session() as s:
        assert s.scalar(select(func.count()).where(MailOutbox.claim == "first")) == 2


def test_a_notice_not_sent_within_three_days_is_given_up(db, org, clock, smtp_server):
    """Mail was off (or the server down) for days: the old notice is not sent late."""
    handler, port = smtp_server
    choose(db, "commission", "commission@example.org", now=clock())
    tell(db, clock, ["commission"])
    clock.advance(days=2)
    tell(db, clock, ["commission"], kind="escalation")
    clock.advance(days=1, minutes=1)
    assert deliver(db, port, clock).sent == 1
    assert [(r.status, r.last_error) for r in rows(db)] == [("failed", outbox.TOO_OLD),
                                                             ("sent", None)]
    assert [got.subject for got in handler.received] == [f"【代表建议办理系统】{NOTICE[0]}"]
