"""A real SMTP server for tests (aiosmtpd) on a free loopback port, which
keeps what it accepts and can be told to refuse the next messages."""

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.harness.ports import free_port


class Mailbox:
    """aiosmtpd's handler: refusals to answer first, then messages kept."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        # SMTP replies ("451 4.3.0 Try later") to give the next DATA commands.
        self.refusals: list[str] = []
        self.attempts = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self._lock:
            self.attempts += 1
            if self.refusals:
                return self.refusals.pop(0)
            message = message_from_bytes(envelope.content, policy=policy.default)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.mailbox.messages)

    def config(self) -> dict:
        """The app's settings that send mail here."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5}


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
