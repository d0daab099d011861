"""The personal-data pages in Debian's Chromium: my data (and its file), who read a dialogue,
and the actions that need a new owner; axe-core finds nothing serious or critical in either
language, and each works without a line of the page's own script."""

from __future__ import annotations

import json
from datetime import date

import pytest
import requests
from playwright.sync_api import expect

from tests.web.notify_api import notify_url, use_notify  # noqa: F401 (a fixture)
from tests.web.test_pages_in_chromium import check, sign_in_as

pytestmark = pytest.mark.slow  # each test drives Chromium


@pytest.fixture
def with_notify(assessment_app, notify_url, monkeypatch):  # noqa: F811
    use_notify(assessment_app, notify_url, monkeypatch)


def test_my_data_from_the_menu_and_as_a_file(page, record, with_notify):
    record()
    sign_in_as(page, "Eva Ansat")
    page.get_by_role("link", name="Mine data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine data")
    expect(page.get_by_role("link", name="Fælles planlægningsmøde hver fredag")).to_be_visible()
    check(page, "my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent som JSON").click()
    assert download.value.suggested_filename.startswith("lederdialog-mine-data-")
    export = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert export["person"]["name"] == "Eva Ansat"


def test_the_leader_sees_who_read_the_dialogue(page, record):
    dialogue = record()
    sign_in_as(page, "Lars Leder")
    page.goto(f"/dialogues/{dialogue['id']}")
    reads = page.get_by_role("region", name="Hvem har læst dialogen")
    expect(reads.get_by_role("cell", name="Lars Leder").first).to_be_visible()
    check(page, "dialogue-reads")


def test_the_leader_hands_on_the_action_of_someone_who_left(
        page, record, assessment_url, token):
    action = record()["actions"][0]
    requests.patch(f"{assessment_url}/api/v1/people/emp1",
                   json={"left_on": date.today().isoformat()},
                   headers=token("hr", "hr_admin"), timeout=10).raise_for_status()
    page.goto("/actions?owner_left=true")  # the email's link, signed out
    page.get_by_role("button", name="Log ind som Lars Leder").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(action["title"])
    page.get_by_label("Ny ejer").select_option(label="Emil Ansat")
    page.get_by_role("button", name="Giv handlingen videre").click()  # no reason yet
    expect(page.get_by_role("alert")).to_contain_text("Hvorfor ejeren skiftes")
    check(page, "reassign-error")  # the language switch shows the list afresh
    page.get_by_label("Ny ejer").select_option(label="Emil Ansat")
    page.get_by_label("Hvorfor ejeren skiftes").fill("Eva er stoppet")
    page.get_by_role("button", name="Giv handlingen videre").click()
    expect(page.get_by_role("status")).to_have_text("Handlingen har fået en ny ejer.")
    check(page, "reassign-done")
    page.goto(f"/actions/{action['id']}")
    expect(page.get_by_text("Eva Ansat → Emil Ansat")).to_be_visible()
