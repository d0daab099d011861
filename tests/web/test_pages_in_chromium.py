"""Every page in Debian's Chromium: what a person sees, axe-core finds nothing serious or
critical (WCAG 2.1 AA) in either language, nothing comes from another host; screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser import (
    assert_accessible,
    screenshot,
)

pytestmark = pytest.mark.slow  # each test drives Chromium


def sign_in_as(page: Page, name: str) -> None:
    page.goto("/sign-in")
    page.get_by_role("button", name=f"Log ind som {name}").click()


def check(page: Page, name: str) -> None:
    """axe in Danish, a screenshot, then the same page in English."""
    assert_accessible(page, f"{name} (da)")
    screenshot(page, f"{name}-da")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, f"{name} (en)")
    screenshot(page, f"{name}-en")
    page.get_by_role("link", name="Dansk").click()


def test_the_framework_signed_out(page):
    page.goto("/framework")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ledelsesgrundlag")
    # The design system's own font, served from this machine.
    assert "IBM Plex Sans" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate("document.fonts.check('16px \"IBM Plex Sans\"')")
    check(page, "framework")


def test_the_sign_in_page(page):
    page.goto("/sign-in")
    check(page, "sign-in")


def test_the_page_for_what_does_not_exist(page):
    page.goto("/dialogues/0190d7f0-0000-7000-8000-000000000000")
    page.get_by_role("button", name="Log ind som Sara Ansat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
    check(page, "not-found")


def test_an_overview_with_nothing_yet(page):
    sign_in_as(page, "Sara Ansat")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit overblik")
    check(page, "overview-empty")


def test_a_leaders_overview_with_dialogues_and_actions(page, record):
    record()
    sign_in_as(page, "Lars Leder")
    expect(page.get_by_text("Fælles planlægningsmøde hver fredag")).to_be_visible()
    check(page, "overview-leader")


def test_a_dialogue_page(page, record):
    dialogue = record()
    sign_in_as(page, "Lars Leder")
    page.goto(f"/dialogues/{dialogue['id']}")
    expect(page.get_by_text("Vi samarbejder godt på tværs af årgangene.")).to_be_visible()
    check(page, "dialogue")


def test_the_amend_page(page, record):
    dialogue = record()
    sign_in_as(page, "Lars Leder")
    page.goto(f"/dialogues/{dialogue['id']}")
    page.get_by_role("link", name="Ret dialogen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ret dialogen")
    check(page, "amend")


def test_a_trio_member_with_nothing_shared_yet(page):
    sign_in_as(page, "Svend Tillid")
    page.get_by_role("link", name="Min enheds dialoger").click()
    expect(page.get_by_text("Ingen delte dialoger endnu.")).to_be_visible()
    check(page, "trio-empty")


def test_an_action_owner_completes_their_action_from_its_link(page, record):
    action = record()["actions"][0]
    page.goto(f"/actions/{action['id']}")  # the reminder's link, signed out
    page.get_by_role("button", name="Log ind som Eva Ansat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(action["title"])
    page.get_by_role("button", name="Afslut").click()  # no reflection: the API's 422
    expect(page.get_by_role("alert")).to_contain_text("Refleksion")
    check(page, "action-error")
    page.get_by_label("Refleksion").fill("Det gav ro i planlægningen.")
    page.get_by_role("button", name="Afslut").click()
    expect(page.get_by_text("Det gav ro i planlægningen.")).to_be_visible()
    check(page, "action-done")


def test_a_trio_member_reads_a_shared_dialogue_and_not_a_private_one(page, record):
    shared = record()
    private = record(setting="individual_leader", participants=[], answers={},
                     actions=[], visibility="private")
    sign_in_as(page, "Tina Tillid")
    page.get_by_role("link", name="Min enheds dialoger").click()
    check(page, "trio")
    page.goto(f"/dialogues/{shared['id']}")
    expect(page.get_by_text("Vi samarbejder godt på tværs af årgangene.")).to_be_visible()
    page.goto(f"/dialogues/{private['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")

