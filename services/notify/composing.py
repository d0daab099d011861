"""One email as an EmailMessage (default policy): text and HTML, maybe an .ics, safe headers.

Names and titles come from people's own input. In a header each is one line
with its whitespace collapsed, and its "=?" is broken up so that the email
package cannot read it as an RFC 2047 encoded word: it would decode one that
hides CR LF and write the newline out raw inside a quoted display name.
The default policy then encodes whatever is left, so no value can add a header.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from icalendar import Calendar, Event

from services.notify.rendering import Rendered

WIRE_POLICY = policy.default.clone(linesep="\r\n")  # SMTP wants CRLF line ends


def one_line(value: str) -> str:
    """value with every run of whitespace (CR and LF included) turned into one space."""
    return " ".join(value.split())


def header_text(value: str) -> str:
    """value fit for a header: one line, and no encoded word for the email package to decode."""
    return one_line(value).replace("=?", "=\N{ZERO WIDTH SPACE}?")


def message_id(key: str, domain: str) -> str:
    """The Message-ID derived from an idempotency key: the same email keeps the same id."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def sender_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "lederdialog.local"


@dataclass(frozen=True)
class Invitation:
    """A follow-up date as a calendar entry."""

    uid: str
    on: date
    summary: str
    description: str
    url: str


def ics(invitation: Invitation) -> bytes:
    """An iCalendar PUBLISH with one all-day event."""
    calendar = Calendar()
    calendar.add("prodid", "-//Lederdialog//notify//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", invitation.uid)
    event.add("dtstamp", datetime.combine(invitation.on, datetime.min.time()))
    event.add("dtstart", invitation.on)
    event.add("dtend", invitation.on + timedelta(days=1))
    event.add("summary", one_line(invitation.summary))
    event.add("description", invitation.description)
    event.add("url", invitation.url)
    calendar.add_component(event)
    return calendar.to_ical()


def build_message(
    *, rendered: Rendered, mail_from: str, to_name: str, to_email: str, msg_id: str,
    sent_at: datetime, invitation: Invitation | None = None, lang: str = "da",
) -> EmailMessage:
    """The whole email: headers, text and HTML alternatives, the .ics if any."""
    local, _, domain = to_email.strip().rpartition("@")
    if not local or not domain or any(c.isspace() for c in to_email.strip()):
        raise ValueError(f"not an email address: {to_email!r}")
    message = EmailMessage(policy=policy.default)
    message["Subject"] = header_text(rendered.subject)
    message["From"] = mail_from
    message["To"] = Address(display_name=header_text(to_name), username=local, domain=domain)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if invitation is not None:
        message.add_attachment(
            ics(invitation), maintype="text", subtype="calendar",
            filename="lederdialog.ics", params={"method": "PUBLISH"},
        )
    message["Content-Language"] = lang  # after the body: setting content clears Content-*
    return message


def wire_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=WIRE_POLICY)
