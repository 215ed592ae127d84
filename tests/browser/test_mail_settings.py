"""The notification settings page in a real browser: reached from the notifications page, a
wrong address refused with what was typed kept, then saved; the administrator's list of mails
given up."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import MailOutbox, User
from workflows.notifications import notify
from workflows.users import create_user

from ..conftest import START
from .helpers import Person

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def test_a_user_sets_their_mail_and_the_administrator_sees_what_failed(server, browser, shots,
                                                                        db):
    deputy = Person(browser, server, "dep_1", shots)
    page = deputy.page
    page.goto(f"{server}/notifications")
    page.click("#mail-settings-link")
    page.wait_for_selector("#mail-settings")
    assert "邮件发送未开启" in page.inner_text("#mail-off")
    assert page.is_checked("#kind-reminder") and not page.is_checked("#kind-task")
    page.fill("#email", "wang.fang@example")
    page.check("#kind-task")
    page.select_option("#language", "en")
    page.click("#mail-settings button[type=submit]")
    page.wait_for_selector("#error-email")
    deputy.shot("01-bad-address-kept")
    assert page.input_value("#email") == "wang.fang@example"
    assert page.is_checked("#kind-task") and page.input_value("#language") == "en"
    page.fill("#email", "wang.fang@example.org")
    page.click("#mail-settings button[type=submit]")
    page.wait_for_selector(".flash.success")
    deputy.shot("02-saved")
    assert page.input_value("#email") == "wang.fang@example.org"
    assert page.is_checked("#kind-task")

    with db.write() as s:
        create_user(s, "admin", "管理员", "admin", "pw")
        s.scalar(select(User).where(User.username == "commission")).email = "commission@example.org"
        s.flush()
        notify(s, ["commission"], "escalation", ("督办：第3号建议已逾期", "Escalation: suggestion 3"),
               "/tasks/x", START)
        row = s.scalar(select(MailOutbox))
        row.status, row.attempts, row.last_error = "failed", 6, "SMTPDataError: 451 4.3.0 busy"
    admin = Person(browser, server, "admin", shots)
    admin.page.goto(f"{server}/notifications/settings")
    admin.page.wait_for_selector("#mail-failures")
    admin.shot("03-admin-failed-mails")
    assert "督办：第3号建议已逾期" in admin.page.inner_text("#mail-failures")
