"""A real SMTP server for tests (aiosmtpd on a free local port), recording what it accepted.

`answers` scripts the server's reply to each message's DATA in turn ("451 …" refuses for now,
"250 OK" accepts; after the list, every message is accepted); `refuse_recipients` answers RCPT
with a permanent 550.
"""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from .server import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Handler:
    answers: list[str] = field(default_factory=list)
    refuse_recipients: bool = False
    received: list[Received] = field(default_factory=list)
    tries: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.tries += 1
        answer = self.answers.pop(0) if self.answers else "250 OK"
        if answer.startswith("250"):
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          email.message_from_bytes(
                                              envelope.content, policy=email.policy.default)))
        return answer


@pytest.fixture
def smtp_server():
    """(handler, port): a running SMTP server without TLS or authentication."""
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()
