"""Sending one message out of the app: the `Sender` interface and its SMTP implementation.

A `Sender` has one method, `send(message)`, which returns when the message was handed over and
raises when it was not: `PermanentFailure` when trying again cannot help (the server refused the
recipient or the message with a 5xx code), any other exception when it may (the server is down,
busy, or answered 4xx). The outbox (`workflows.mail.outbox`) retries the second kind with
backoff and gives up on the first at once.

Adding an SMS gateway (not built): write a class with the same `send(message)` that posts
`message.body` (short: the notice and its link) to the gateway's HTTP API and raises as above
(a 4xx answer about the number → PermanentFailure, a timeout or 5xx → any other exception).
The outbox would then need to know which channel a row goes by: a `channel` column on
`mail_outbox` (mail | sms), the user's mobile number beside `User.email`, a per-kind choice of
channel on the settings page, and `deliver` given one sender per channel. Settings for the
gateway (URL, key) come from the environment like the SMTP ones (`webui/config.py`).
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class Message:
    """What one recipient is sent: the sender fills in who it is from."""

    to: str
    subject: str
    body: str  # plain text


class Sender(Protocol):
    def send(self, message: Message) -> None:
        """Hand `message` over; raise on failure (PermanentFailure if retrying cannot help)."""


class PermanentFailure(Exception):
    """Sending this message again will fail again (e.g. the recipient does not exist)."""


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send mail; read from the environment by `webui.config`."""

    host: str
    sender: str  # the From address
    port: int = 0  # 0: the TLS mode's usual port
    tls: str = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    base_url: str = "http://127.0.0.1:5000"  # the links in the mail start with it
    timeout_s: float = 30.0

    def __post_init__(self):
        if self.tls not in TLS_MODES:
            raise ValueError(f"SMTP TLS mode must be one of {', '.join(TLS_MODES)}, "
                             f"not {self.tls!r}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"SMTP port {self.port} is out of range")
        if "@" not in self.sender:
            raise ValueError(f"the sender address {self.sender!r} is not an e-mail address")

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.tls]


class SmtpSender:
    """Sends each message over its own SMTP connection (plain, STARTTLS or implicit TLS)."""

    def __init__(self, settings: MailSettings):
        self.settings = settings

    def send(self, message: Message) -> None:
        s = self.settings
        email = EmailMessage()
        email["From"] = s.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = make_msgid(domain=s.sender.rpartition("@")[2] or None)
        email.set_content(message.body)  # text/plain; charset=utf-8
        try:
            if s.tls == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.effective_port, timeout=s.timeout_s,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.effective_port, timeout=s.timeout_s)
            with smtp:
                if s.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password)
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as err:
            codes = [code for code, _text in err.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {codes[0]}") from err
            raise
        except smtplib.SMTPResponseException as err:
            if err.smtp_code >= 500 and not isinstance(err, smtplib.SMTPAuthenticationError):
                raise PermanentFailure(f"{err.smtp_code} {_text(err.smtp_error)}") from err
            raise


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


__all__ = ["DEFAULT_PORTS", "MailSettings", "Message", "PermanentFailure", "Sender",
           "SmtpSender", "TLS_MODES"]
