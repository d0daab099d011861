"""My data: everyone signed in sees what Lederdialog holds about them, in Danish, and takes it
home as a JSON file; when part of it cannot be had, the page says so rather than show half."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import sign_in
from tests.web.notify_api import UNREACHABLE, notify_url, use_notify  # noqa: F401 (a fixture)


@pytest.fixture
def with_notify(assessment_app, notify_url, monkeypatch):  # noqa: F811
    use_notify(assessment_app, notify_url, monkeypatch)


def mine_data(web, sub: str) -> str:
    sign_in(web, sub)
    page = web.get("/mine-data")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return page.get_data(as_text=True)


def test_the_menu_leads_everyone_to_their_data(web, with_notify):
    sign_in(web, "emp1")
    overview = web.get("/overview").get_data(as_text=True)
    assert 'href="/mine-data"' in overview
    assert "Mine data" in overview


def test_an_employee_sees_their_record_dialogues_and_actions(web, record, with_notify):
    dialogue = record()
    html = mine_data(web, "emp1")
    assert "Eva Ansat" in html and "emp1@gentofte.test" in html  # the record
    assert "Skovgårdsskolen" in html  # their unit, by name
    assert f'href="/dialogues/{dialogue["id"]}"' in html  # a dialogue they may read
    assert "Medarbejder" in html  # their part in it
    assert "Hele dialogen (i filen)" in html
    assert "Fælles planlægningsmøde hver fredag" in html  # the action they own
    assert "Der er ikke sendt nogen e-mail til dig." in html


def test_a_dialogue_they_took_part_in_but_may_not_read_shows_its_facts_alone(
        web, record, with_notify):
    private = record(setting="individual_leader", answers={}, actions=[],
                     visibility="private")
    html = mine_data(web, "emp1")
    assert f'href="/dialogues/{private["id"]}"' not in html
    assert "At den er holdt, og din rolle i den" in html


def test_the_leader_sees_who_read_the_dialogues_they_led(web, web_app, record, with_notify):
    dialogue = record()
    employee = web_app.test_client()
    sign_in(employee, "emp1")
    employee.get(f"/dialogues/{dialogue['id']}")
    html = mine_data(web, "leader")
    reads = html[html.index("Hvem har læst de dialoger, du har ledet"):]
    assert "Eva Ansat" in reads
    assert "Websiderne" in reads


def test_the_data_downloads_as_a_json_file(web, record, with_notify):
    record()
    sign_in(web, "emp1")
    answer = web.get("/mine-data.json")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith(
        'attachment; filename="lederdialog-mine-data-')
    assert answer.headers["Cache-Control"] == "no-store"
    export = json.loads(answer.get_data(as_text=True))
    assert export["person"]["id"] == "emp1"
    assert export["person"]["name"] == "Eva Ansat"
    assert [action["title"] for action in export["actions"]] == [
        "Fælles planlægningsmøde hver fredag"]
    assert "emails" in export


def test_when_the_emails_cannot_be_had_the_page_says_so(web, assessment_app, monkeypatch):
    use_notify(assessment_app, UNREACHABLE, monkeypatch)
    sign_in(web, "emp1")
    for path in ("/mine-data", "/mine-data.json"):
        answer = web.get(path)
        assert answer.status_code == 503
        assert "Lederdialog kan ikke svare lige nu" in answer.get_data(as_text=True)


def test_signed_out_one_is_sent_to_sign_in(web):
    answer = web.get("/mine-data")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/sign-in?next=/mine-data"
