"""The bytes of one email, as the SMTP server receives them."""

from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.policy import Compat32

import pytest

from services.notify.composing import Invitation, WirePolicy, address, build_message
from services.notify.rendering import Rendered

RENDERED = Rendered(
    subject="Ledelsesgrundlaget er ændret",
    text="Kære Åse\n\nLæs det nye afsnit.\n",
    html="<p>Kære Åse</p>\n<p>Læs det <b>nye</b> afsnit.</p>\n",
)


def build(**overrides) -> bytes:
    values = {
        "rendered": RENDERED, "mail_from": "Lederdialog <noreply@lederdialog.local>",
        "to_name": "Åse Ørnbøl", "to_address": "ase@gentofte.test", "msg_id": "<1@lederdialog>",
        "sent_at": datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
    }
    return build_message(**(values | overrides))


def parse(data: bytes):
    return message_from_bytes(data, policy=policy.default)


def test_text_and_html_in_the_recipients_language_with_every_header():
    message = parse(build(lang="en"))
    assert not message.defects
    assert str(message["Subject"]) == "Ledelsesgrundlaget er ændret"
    assert message["To"].addresses[0].display_name == "Åse Ørnbøl"
    assert message["To"].addresses[0].addr_spec == "ase@gentofte.test"
    assert message["Message-ID"] == "<1@lederdialog>"
    assert message["Content-Language"] == "en"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert plain.get_content() == RENDERED.text
    assert html.get_content_type() == "text/html" and html.get_content() == RENDERED.html


def test_every_line_ends_in_crlf_and_is_short():
    data = build(rendered=Rendered(subject="Påmindelse: " + "meget lang titel " * 12,
                                   text="x\n", html="<p>x</p>\n"))
    lines = data.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 78
    assert str(parse(data)["Subject"]).startswith("Påmindelse: meget lang titel")


def test_the_follow_up_date_comes_as_an_ics_attachment():
    invitation = Invitation(uid="follow-up-d1@lederdialog", on=date(2027, 2, 1),
                            summary="Opfølgende dialog", description="http://x/d1",
                            url="http://x/d1")
    message = parse(build(invitation=invitation))
    assert message.get_content_type() == "multipart/mixed"
    body, calendar = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "PUBLISH"
    assert calendar.get_filename() == "lederdialog.ics"
    assert "DTSTART;VALUE=DATE:20270201" in calendar.get_content()
    # Stamped when the file was made (the email's Date), not on the day it is about.
    assert "DTSTAMP:20261130T080000Z" in calendar.get_content()


def test_the_same_message_id_gives_the_same_boundaries_and_others_differ():
    assert build() == build()
    assert build() != build(msg_id="<2@lederdialog>")


@pytest.mark.parametrize("name", ["Eva\r\nBcc: evil@attacker.test", "Lars\nX-Injected: yes",
                                  "=?utf-8?q?Emil=0D=0ABcc=3A_evil@attacker.test?="])
def test_a_name_adds_no_header(name):
    message = parse(build(to_name=name))
    assert set(message.keys()) == {"Subject", "From", "To", "Date", "Message-ID",
                                   "Auto-Submitted", "MIME-Version", "Content-Type",
                                   "Content-Language"}
    assert "\n" not in str(message["To"])


@pytest.mark.parametrize("value", ["", "no-at-sign", "@gentofte.test", "eva@", "e va@x.dk",
                                   "eva@x.dk\r\nBcc: evil@attacker.test", "åse@gentofte.test"])
def test_an_address_no_server_would_take_is_refused(value):
    with pytest.raises(ValueError, match="not an email address"):
        address(value)


@pytest.mark.parametrize(("name", "value"), [
    ("Message-ID", "<abc@lederdialog>"), ("Date", "Mon, 30 Nov 2026 08:00:00 +0000"),
    ("Subject", "Reminder: " + "a long title " * 10), ("Subject", "Påmindelse"),
])
def test_the_short_cut_writes_what_the_library_would(name, value):
    wire = WirePolicy(linesep="\r\n")
    assert wire.fold_binary(name, value) == Compat32(linesep="\r\n").fold_binary(name, value)
