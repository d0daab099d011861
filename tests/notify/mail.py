"""Reading what reached the SMTP server."""

from __future__ import annotations

from email.message import EmailMessage

from tests.support.smtp_sink import Received


def subject(message: EmailMessage) -> str:
    """The Subject header as one line (a long one arrives folded)."""
    return " ".join(str(message["Subject"]).split())


def parts(message: EmailMessage) -> dict[str, EmailMessage]:
    """The leaf parts of a message by content type."""
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def text(message: EmailMessage) -> str:
    return parts(message)["text/plain"].get_content()


def html(message: EmailMessage) -> str:
    return parts(message)["text/html"].get_content()


def by_recipient(received: list[Received]) -> dict[str, EmailMessage]:
    """The messages by their one envelope recipient (each recipient at most once)."""
    found: dict[str, EmailMessage] = {}
    for mail in received:
        [recipient] = mail.rcpt_tos
        assert recipient not in found, f"{recipient} got two messages"
        found[recipient] = mail.message
    return found


def by_subject_start(received: list[Received], start: str) -> dict[str, EmailMessage]:
    """The messages whose subject starts so, by recipient."""
    return by_recipient([m for m in received if subject(m.message).startswith(start)])
