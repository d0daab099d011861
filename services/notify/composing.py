"""One email as MIME bytes: text and HTML, maybe an .ics, safe headers.

Built with the email package's compat32 API (MIMEMultipart, MIMENonMultipart,
Header), which is several times cheaper than EmailMessage's header parsing, and
a notice to every leader is thousands of emails. Every part is utf-8 in base64,
so the boundaries ("=_" can never occur in base64) are derived from the
Message-ID instead of searched for in the text.

Names and titles come from people's own input. In a header each is one line
with its whitespace collapsed (CR and LF included), and its "=?" is broken up
so that no reader can take it for an RFC 2047 encoded word hiding CR LF; what is
not ASCII is written as encoded words, so no value can add a header.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.charset import BASE64, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr

from icalendar import Calendar, Event

from services.notify.rendering import Rendered


class WirePolicy(Compat32):
    """compat32 with CRLF line ends, as SMTP wants them.

    A header line that is short, ASCII and one line already is written as it is:
    the library's folder would hand it back unchanged, at the cost of running it
    through an encoder (most of the time an email took to build).
    """

    def fold_binary(self, name: str, value) -> bytes:
        line = f"{name}: {value}"
        if (isinstance(value, str) and value.isascii() and len(line) <= self.max_line_length
                and "\r" not in value and "\n" not in value):
            return f"{line}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


WIRE_POLICY = WirePolicy(linesep="\r\n")
UTF8 = Charset("utf-8")
UTF8.header_encoding = BASE64  # encoded words in base64: cheaper to size than quoted-printable


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


def ics(invitation: Invitation, made_at: datetime) -> bytes:
    """An iCalendar PUBLISH with one all-day event; made_at (UTC) is when the file was made,
    its DTSTAMP (RFC 5545), so a calendar can tell a newer copy of the entry from an older.

    DTSTAMP counts whole seconds: the emails of one dialogue composed within a second
    share one file, made once."""
    return _ics(invitation, made_at.astimezone(UTC).replace(microsecond=0))


@functools.lru_cache(maxsize=64)
def _ics(invitation: Invitation, made_at: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Lederdialog//notify//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", invitation.uid)
    event.add("dtstamp", made_at)
    event.add("dtstart", invitation.on)
    event.add("dtend", invitation.on + timedelta(days=1))
    event.add("summary", one_line(invitation.summary))
    event.add("description", invitation.description)
    event.add("url", invitation.url)
    calendar.add_component(event)
    return calendar.to_ical()


def address(to_email: str) -> str:
    """to_email as an envelope address, or ValueError if no server would take it."""
    value = to_email.strip()
    local, _, domain = value.rpartition("@")
    if not local or not domain or any(c.isspace() for c in value) or not value.isascii():
        raise ValueError(f"not an email address: {to_email!r}")
    return value


def build_message(
    *, rendered: Rendered, mail_from: str, to_name: str, to_address: str, msg_id: str,
    sent_at: datetime, invitation: Invitation | None = None, lang: str = "da",
) -> bytes:
    """The whole email as it goes on the wire: headers, text and HTML, the .ics if any.

    to_address is one that `address` accepted."""
    boundary = hashlib.sha256(msg_id.encode()).hexdigest()[:32]
    message = MIMEMultipart("alternative", boundary=f"=_a{boundary}", _subparts=[
        _part(rendered.text, "plain"), _part(rendered.html, "html")])
    if invitation is not None:
        calendar = _part(ics(invitation, sent_at).decode(), "calendar")
        calendar.set_param("method", "PUBLISH")
        calendar.add_header("Content-Disposition", "attachment", filename="lederdialog.ics")
        message = MIMEMultipart("mixed", boundary=f"=_m{boundary}",
                                _subparts=[message, calendar])
    message["Subject"] = _header("Subject", header_text(rendered.subject))
    message["From"] = _from_header(mail_from)
    message["To"] = formataddr((header_text(to_name), to_address), charset=UTF8)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = lang
    return message.as_bytes(policy=WIRE_POLICY)


def _part(text: str, subtype: str) -> MIMENonMultipart:
    """A text part in utf-8 and base64: what MIMEText makes, without re-reading its header."""
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    del part["MIME-Version"]  # said once, in the message's own header
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(text.encode()).decode("ascii"))
    return part


@functools.cache
def _from_header(mail_from: str) -> str:
    return formataddr(parseaddr(mail_from), charset=UTF8)


def _header(name: str, value: str) -> str | Header:
    """value as encoded words if it needs them, folded to fit after `name: `."""
    return value if value.isascii() else Header(value, UTF8, header_name=name)
