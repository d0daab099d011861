"""Who read a dialogue: its leader sees every read on the dialogue's page, by name, in Danish
time and words; no one else sees the section."""

from __future__ import annotations

from datetime import datetime
from html import unescape

import requests
from babel.dates import format_date

from services.web.language import TIMEZONE
from tests.web.conftest import sign_in

SECTION = "Hvem har læst dialogen"


def section(html: str) -> str:
    """The read log's section of a dialogue page."""
    assert SECTION in html, "the page has no read log"
    return html[html.index(SECTION):]


def test_the_leader_sees_who_read_the_dialogue_when_and_how(
        web, web_app, record, assessment_url, token):
    dialogue = record()
    employee = web_app.test_client()
    sign_in(employee, "emp1")
    assert employee.get(f"/dialogues/{dialogue['id']}").status_code == 200  # on the web pages
    requests.get(f"{assessment_url}/api/v1/dialogues/{dialogue['id']}",  # through the API
                 headers=token("tr", "trio"), timeout=10).raise_for_status()
    sign_in(web, "leader")

    reads = section(web.get(f"/dialogues/{dialogue['id']}").get_data(as_text=True))

    assert "Eva Ansat" in reads and "Tina Tillid" in reads  # by name
    assert "Websiderne" in reads and "API'et" in unescape(reads)  # the channel, in Danish
    today = format_date(datetime.now(TIMEZONE), format="long", locale="da")
    assert today in reads  # "6. december 2026", Danish time


def test_the_leader_sees_the_section_in_english_too(web, record):
    dialogue = record()
    sign_in(web, "leader")
    web.get("/language/en")
    html = web.get(f"/dialogues/{dialogue['id']}").get_data(as_text=True)
    assert "Who read this dialogue" in html
    assert "The web pages" in html  # the leader's own read of the page just shown


def test_a_reader_who_is_not_its_leader_sees_no_read_log(web, record):
    dialogue = record()
    sign_in(web, "tr")
    page = web.get(f"/dialogues/{dialogue['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Vi samarbejder godt på tværs af årgangene." in html
    assert SECTION not in html
