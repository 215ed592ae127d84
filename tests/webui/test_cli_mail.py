"""`jianyi mail status|send` and the scheduler's mail job: off without an SMTP host, on with one."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from models import Database, MailOutbox, User, utcnow
from webui import create_app
from webui.cli import main
from webui.cli.serving import jobs
from workflows.notifications import notify
from workflows.users import create_user

from ..support.smtp import smtp_server  # noqa: F401 (a fixture)

OFF = {"JIANYI_SMTP_HOST": ""}


def _database(tmp_path, runner, env) -> Database:
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    database = Database(env["DATABASE_URL"])
    with database.write() as s:
        create_user(s, "commission", "代表工委", "commission", "pw")
        s.flush()
        s.scalar(select(User)).email = "commission@example.org"
        s.flush()
        notify(s, ["commission"], "reminder", ("提醒：第1号建议", "Reminder: suggestion 1"),
               "/tasks/t1", utcnow())
        notify(s, ["commission"], "escalation", ("督办：第2号建议", "Escalation: suggestion 2"),
               "/tasks/t2", utcnow())
        first = s.scalar(select(MailOutbox).order_by(MailOutbox.id))
        first.status, first.attempts, first.last_error = "failed", 6, "SMTPDataError: 451 busy"
    return database


def test_status_says_mail_is_off_and_lists_the_failed(tmp_path):
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", **OFF}
    database = _database(tmp_path, runner, env)
    result = runner.invoke(main, ["mail", "status"], env=env)
    assert result.exit_code == 0, result.output
    assert "mail: off" in result.output
    assert "pending=1  sending=0  sent=0  failed=1" in result.output
    assert ("failed #1 to commission <commission@example.org> after 6 attempt(s): "
            "SMTPDataError: 451 busy") in result.output
    send = runner.invoke(main, ["mail", "send"], env=env)
    assert send.exit_code == 1 and "mail is off" in send.output
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "MAIL": None}, db=database)
    assert [job.__name__ for job in jobs(app)] == ["housekeeping"]
    database.dispose()


def test_send_delivers_through_the_configured_server(tmp_path, smtp_server):
    handler, port = smtp_server
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "JIANYI_SMTP_HOST": "127.0.0.1",
           "JIANYI_SMTP_PORT": str(port), "JIANYI_SMTP_TLS": "none",
           "JIANYI_MAIL_FROM": "jianyi@example.org", "JIANYI_BASE_URL": "https://jy.example.org"}
    database = _database(tmp_path, runner, env)
    result = runner.invoke(main, ["mail", "send"], env=env)
    assert result.exit_code == 0, result.output
    assert "sent=1 retrying=0 failed=0" in result.output
    [got] = handler.received
    assert "督办：第2号建议" in got.body and "https://jy.example.org/tasks/t2" in got.body
    status = runner.invoke(main, ["mail", "status"], env=env)
    assert f"mail: on, 127.0.0.1:{port} (none)" in status.output and "sent=1" in status.output
    database.dispose()


def test_the_scheduler_runs_the_mail_job_only_when_mail_is_on(db, smtp_server):
    from workflows.mail.sender import MailSettings
    _handler, port = smtp_server
    app = create_app({"MAIL": MailSettings(host="127.0.0.1", port=port, tls="none",
                                           sender="jianyi@example.org")}, db=db)
    assert [job.__name__ for job in jobs(app)] == ["housekeeping", "deliver_mail"]
    assert jobs(app)[1](db) == 0  # nothing queued: nothing sent, no error
