"""A real SMTP server (aiosmtpd) that keeps what it accepts and can be told to refuse.

In tests it runs in a thread of the test process (`SmtpSink`); the benchmark
runs it as its own process: python -m tests.support.smtp_sink PORT.
"""

from __future__ import annotations

import email
import logging
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.waiting import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


@dataclass
class Refusal:
    code: int
    until: float  # time.monotonic() after which the server accepts again
    text: str = "try again later"


class _Handler:
    def __init__(self, sink: SmtpSink):
        self._sink = sink

    async def handle_DATA(self, server, session, envelope):
        return self._sink.take(envelope)


@dataclass
class SmtpSink:
    """Accepts every message (or answers a set code for a while) and remembers it."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    _refusal: Refusal | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    def take(self, envelope) -> str:
        with self._lock:
            refusal = self._refusal
            if refusal is not None and time.monotonic() < refusal.until:
                self.refused += 1
                return f"{refusal.code} {refusal.text}"
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 OK"

    def refuse(self, code: int, *, seconds: float, text: str = "try again later") -> None:
        """Answer every message with code for the next seconds."""
        self._refusal = Refusal(code, time.monotonic() + seconds, text)

    def accept(self) -> None:
        self._refusal = None

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self.refused = 0
        self.accept()

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        """The messages once at least count arrived; fails the test after timeout seconds."""
        wait_until(lambda: len(self.received) >= count, timeout=timeout, interval=0.05,
                   message=lambda: f"the SMTP server got {len(self.received)} of {count} messages")
        return list(self.received)

    def settle(self, quiet: float = 1.5, timeout: float = 30.0) -> list[Received]:
        """The messages once none has arrived for quiet seconds."""
        deadline = time.monotonic() + timeout
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            if len(self.received) != seen:
                seen, since = len(self.received), time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
            time.sleep(0.05)
        return list(self.received)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, decode_data=False,
            data_size_limit=10 * 1024 * 1024,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class _CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main() -> None:
    """Accept and drop every message on the given port until killed (the benchmark's sink)."""
    controller = Controller(_CountingHandler(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
