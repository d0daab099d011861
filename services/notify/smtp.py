"""Handing messages to the SMTP server over one reused connection per process.

SMTP_URL: smtp://user:password@host:port (add ?starttls=1 to upgrade the
connection) or smtps://... for TLS from the first byte.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

log = structlog.get_logger(__name__)

TRUE = {"1", "true", "yes", "on"}
IDLE_CHECK_SECONDS = 30.0  # a connection idle longer is checked (NOOP) before reuse


class TemporaryFailure(Exception):
    """4xx or a lost connection: the same message may go through later."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class PermanentFailure(Exception):
    """5xx: the server will never take this message."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool = False
    starttls: bool = False
    user: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    """SmtpTarget from smtp://user:password@host:port?starttls=1 or smtps://..."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {url!r}")
    query = parse_qs(parts.query)
    tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (465 if tls else 25),
        tls=tls,
        starttls=query.get("starttls", ["0"])[0].lower() in TRUE,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def _classify(exc: smtplib.SMTPResponseException) -> Exception:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
        else str(exc.smtp_error)
    message = f"{exc.smtp_code} {text}"
    if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPAuthenticationError):
        return PermanentFailure(message, exc.smtp_code)
    return TemporaryFailure(message, exc.smtp_code)


class SmtpSender:
    """Sends through one SMTP connection, opened on first use and reused after."""

    def __init__(self, target: SmtpTarget, *, timeout: float = 30.0):
        self._target = target
        self._timeout = timeout
        self._connection: smtplib.SMTP | None = None
        self._last_used = 0.0

    def _connect(self) -> smtplib.SMTP:
        target = self._target
        context = ssl.create_default_context()
        if target.tls:
            connection = smtplib.SMTP_SSL(
                target.host, target.port, timeout=self._timeout, context=context
            )
        else:
            connection = smtplib.SMTP(target.host, target.port, timeout=self._timeout)
        connection.ehlo()
        if target.starttls:
            connection.starttls(context=context)
            connection.ehlo()
        if target.user:
            connection.login(target.user, target.password or "")
        return connection

    def _usable_connection(self) -> smtplib.SMTP:
        if self._connection is not None and time.monotonic() - self._last_used > \
                IDLE_CHECK_SECONDS:
            try:
                self._connection.noop()
            except (smtplib.SMTPException, OSError):
                self.close()
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def send(self, message: bytes, *, sender: str, recipient: str) -> None:
        """Hand one message to the server; TemporaryFailure or PermanentFailure if not taken."""
        try:
            connection = self._usable_connection()
            options = ["BODY=8BITMIME"] if connection.has_extn("8bitmime") else []
            connection.sendmail(sender, [recipient], message, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients[recipient]
            raise _classify(smtplib.SMTPResponseException(code, text)) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code in (421, -1):  # the server is closing the connection
                self.close()
            raise _classify(exc) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryFailure(f"connection lost: {type(exc).__name__}: {exc}") from exc
        finally:
            self._last_used = time.monotonic()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
