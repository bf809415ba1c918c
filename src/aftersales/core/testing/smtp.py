"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), that records what it receives
and can be told to answer like a troubled server: 4xx, 5xx, or not at all."""

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class SmtpSink:
    host: str = "127.0.0.1"
    port: int = 0
    # What DATA answers, e.g. "451 4.3.0 Try again later"; None accepts the message.
    data_reply: str | None = None
    rcpt_reply: str | None = None
    received: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        if self.data_reply:
            return self.data_reply
        self.received.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """Start with `start()`, stop with `stop()`; `sink` holds what arrived."""

    def __init__(self) -> None:
        self.sink = SmtpSink(port=free_port())
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.sink.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self.sink

    def stop(self) -> None:
        self._controller.stop()
