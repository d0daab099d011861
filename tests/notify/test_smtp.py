"""The SMTP sender against a real SMTP server: one connection reused, failures classified."""

import socket

import pytest

from services.notify.smtp import (
    PermanentFailure,
    SmtpSender,
    SmtpTarget,
    TemporaryFailure,
    parse_smtp_url,
)
from tests.support.smtp_sink import free_port

MESSAGE = b"Subject: hi\r\nMessage-ID: <m@x>\r\n\r\nhello\r\n"


def test_smtp_urls():
    assert parse_smtp_url("smtp://127.0.0.1:1025") == SmtpTarget("127.0.0.1", 1025)
    assert parse_smtp_url("smtp://u%40x:p%3Aw@mail.example:587?starttls=1") == SmtpTarget(
        "mail.example", 587, starttls=True, user="u@x", password="p:w")
    assert parse_smtp_url("smtps://mail.example") == SmtpTarget("mail.example", 465, tls=True)
    with pytest.raises(ValueError, match="smtp://"):
        parse_smtp_url("http://mail.example")


def test_one_connection_is_reused(sink, monkeypatch):
    sender = SmtpSender(parse_smtp_url(sink.url), timeout=5)
    connects = []
    real_connect = sender._connect
    monkeypatch.setattr(sender, "_connect", lambda: connects.append(1) or real_connect())
    for _ in range(3):
        sender.send(MESSAGE, sender="a@x.test", recipient="b@x.test")
    sender.close()
    assert len(connects) == 1
    assert [m.rcpt_tos for m in sink.received] == [["b@x.test"]] * 3


def test_4xx_is_temporary_and_5xx_permanent(sink):
    sender = SmtpSender(parse_smtp_url(sink.url), timeout=5)
    sink.refuse(451, seconds=60)
    with pytest.raises(TemporaryFailure) as temporary:
        sender.send(MESSAGE, sender="a@x.test", recipient="b@x.test")
    assert temporary.value.code == 451
    sink.refuse(550, seconds=60)
    with pytest.raises(PermanentFailure) as permanent:
        sender.send(MESSAGE, sender="a@x.test", recipient="b@x.test")
    assert permanent.value.code == 550
    sink.accept()
    sender.send(MESSAGE, sender="a@x.test", recipient="b@x.test")  # the connection survived
    sender.close()
    assert len(sink.received) == 1


def test_no_server_is_a_temporary_failure():
    with socket.socket():  # a port nobody listens on
        port = free_port()
    sender = SmtpSender(SmtpTarget("127.0.0.1", port), timeout=2)
    with pytest.raises(TemporaryFailure) as failure:
        sender.send(MESSAGE, sender="a@x.test", recipient="b@x.test")
    assert failure.value.code is None
