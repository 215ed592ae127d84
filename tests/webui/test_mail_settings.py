"""The notification settings page (通知设置): what it shows with mail off and on, what it keeps,
and hostile input refused with what was typed kept and explained."""
from __future__ import annotations

import html as markup

import pytest
from sqlalchemy import select

from models import AuditEvent, MailOutbox, MailPreference, User
from webui import config
from workflows.mail.sender import MailSettings
from workflows.notifications import notify
from workflows.users import create_user

URL = "/notifications/settings"


def user(db, username="dep_1") -> User:
    with db.session() as s:
        return s.scalar(select(User).where(User.username == username))


def test_mail_off_is_said_and_the_page_is_linked_from_the_notifications(login_as):
    c = login_as("dep_1")
    index = c.get("/notifications").get_data(as_text=True)
    assert 'href="/notifications/settings"' in index and "（邮件发送未开启）" in index
    page = c.get(URL).get_data(as_text=True)
    assert 'id="mail-off"' in page and "邮件发送未开启" in page
    # The defaults: reminders and escalations ticked, nothing else; no address.
    assert 'id="kind-reminder" checked' in page and 'id="kind-escalation" checked' in page
    assert 'id="kind-task" checked' not in page and 'name="email" type="text"' in page
    c.http.set_cookie("lang", "en")
    english = c.get(URL).get_data(as_text=True)
    assert "Mail is off" in english and "邮件" not in english


def test_mail_on_is_said(app, login_as):
    app.config["MAIL"] = MailSettings(host="smtp.example.org", sender="jianyi@example.org")
    page = login_as("dep_1").get(URL).get_data(as_text=True)
    assert 'id="mail-on"' in page and 'id="mail-off"' not in page


def test_saving_keeps_the_choices_and_audits(login_as, db):
    c = login_as("dep_1")
    response = c.post(URL, {"email": "  wang.fang@example.org ", "language": "en",
                            "kinds": ["task", "reply"]})
    assert response.status_code == 302
    assert "通知设置已保存" in c.get(URL).get_data(as_text=True)
    found = user(db)
    assert (found.email, found.language) == ("wang.fang@example.org", "en")
    with db.session() as s:
        enabled = set(s.scalars(select(MailPreference.kind).where(
            MailPreference.username == "dep_1", MailPreference.enabled.is_(True))))
        [event] = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "mail_settings_changed")).all()
    assert enabled == {"task", "reply"}
    assert (event.actor, event.detail["kinds"]) == ("dep_1", ["reply", "task"])
    c.post(URL, {"email": "", "language": "zh"})  # no address, nothing ticked: no mail at all
    assert (user(db).email, user(db).language) == (None, None)


@pytest.mark.parametrize("typed, field", [
    ("not-an-address", "email"),
    ("a@example.org" + "x" * 300, "email"),
    ("<script>alert(1)</script>@example.org", "email"),
    ("wang\u202e@example.org", "email"),
    ("wang\x00@example.org", "email"),
])
def test_a_bad_address_is_refused_kept_and_explained(login_as, db, typed, field):
    c = login_as("dep_1")
    response = c.post(URL, {"email": typed, "language": "en", "kinds": ["task"]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="error-{field}"' in page
    kept = markup.escape(typed[:255].strip())
    assert f'value="{kept}"' in page or "\x00" in typed or "\u202e" in typed
    assert 'id="kind-task" checked' in page and 'value="en" selected' in page
    assert "<script>alert" not in page
    assert user(db).email is None
    with db.session() as s:
        assert s.scalar(select(MailPreference.kind)) is None


@pytest.mark.parametrize("data, field", [
    ({"language": "fr"}, "language"),
    ({"language": "x" * 5000}, "language"),
    ({"kinds": ["spam"]}, "kinds"),
    ({"kinds": ["task"] + ["x" * 1000] * 50}, "kinds"),
    ({"kinds": ["task\x00"]}, "kinds"),
])
def test_an_unknown_language_or_kind_is_refused(login_as, db, data, field):
    response = login_as("dep_1").post(URL, {"email": "a@example.org", **data})
    assert response.status_code == 400
    assert f'id="error-{field}"' in response.get_data(as_text=True)
    assert user(db).email is None


def test_no_csrf_token_no_change(login_as, db):
    c = login_as("dep_1")
    assert c.post(URL, {"email": "a@example.org"}, csrf=False).status_code == 400
    assert user(db).email is None


def test_the_administrator_sees_the_failed_mails(login_as, db, domain_engine):
    with db.write() as s:
        u = s.scalar(select(User).where(User.username == "commission"))
        u.email = "commission@example.org"
        create_user(s, "admin", "管理员", "admin", "pw")
        s.flush()
        notify(s, ["commission"], "escalation", ("督办：第1号建议已逾期", "Overdue"), "/tasks/x",
               domain_engine.clock())
        row = s.scalar(select(MailOutbox))
        row.status, row.attempts, row.last_error = "failed", 6, "SMTPDataError: 451 <busy>"
    page = login_as("admin").get(URL).get_data(as_text=True)
    assert 'id="mail-failure-' in page and "督办：第1号建议已逾期" in page
    assert "commission &lt;commission@example.org&gt;" in page and "451 &lt;busy&gt;" in page
    assert '<strong id="failed-count">1</strong>' in page
    assert 'id="mail-outbox"' not in login_as("commission").get(URL).get_data(as_text=True)


def test_the_environment_configures_mail_and_a_wrong_value_is_named():
    assert config.mail_settings({}) is None
    assert config.mail_settings({"JIANYI_SMTP_HOST": "  "}) is None
    found = config.mail_settings({
        "JIANYI_SMTP_HOST": "smtp.example.org", "JIANYI_SMTP_TLS": "SSL",
        "JIANYI_SMTP_USERNAME": "jianyi", "JIANYI_SMTP_PASSWORD": "s3cret",
        "JIANYI_MAIL_FROM": "jianyi@example.org", "JIANYI_BASE_URL": "https://jy.example.org"})
    assert (found.host, found.effective_port, found.tls, found.base_url) == (
        "smtp.example.org", 465, "ssl", "https://jy.example.org")
    assert "s3cret" not in repr(found)
    for env, named in [({"JIANYI_SMTP_PORT": "25a"}, "JIANYI_SMTP_PORT"),
                       ({"JIANYI_SMTP_TLS": "tls"}, "JIANYI_SMTP_TLS"),
                       ({"JIANYI_MAIL_FROM": ""}, "JIANYI_MAIL_FROM")]:
        with pytest.raises(ValueError, match=named):
            config.mail_settings({"JIANYI_SMTP_HOST": "smtp.example.org",
                                  "JIANYI_MAIL_FROM": "jianyi@example.org", **env})
