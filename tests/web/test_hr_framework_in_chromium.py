"""HR's framework pages in Debian's Chromium: the versions, a draft's section with an error and
saved, the changes word by word, the publish confirmation and the published version, a draft
deleted after its confirmation; axe-core
finds nothing serious or critical in either language, and none of it needs the page's own
script."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.servers import serving
from tests.web.test_hr_framework import (  # noqa: F401 (fixtures)
    content,
    hr_content_url,
    hr_web_app,
)
from tests.web.test_pages_in_chromium import check, sign_in_as

pytestmark = pytest.mark.slow  # each test drives Chromium


@pytest.fixture(scope="module")
def web_url(hr_web_app):  # noqa: F811
    """The browser's web: the one on this module's own content service."""
    with serving(hr_web_app) as url:
        yield url


def test_the_versions_before_any_draft(page, content):  # noqa: F811
    sign_in_as(page, "HR")
    page.get_by_role("link", name="Ledelsesgrundlagets versioner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ledelsesgrundlagets versioner")
    expect(page.get_by_role("cell", name="Gældende").first).to_be_visible()
    check(page, "hr-framework-versions")


def test_hr_drafts_edits_compares_and_publishes(page, content):  # noqa: F811
    sign_in_as(page, "HR")
    page.goto("/hr/framework")
    page.get_by_role("button", name="Start en kladde ud fra den gældende version").click()
    expect(page.get_by_role("status")).to_contain_text("Kladden er en kopi")
    check(page, "hr-framework-draft")
    page.get_by_role("link", name="Rediger teksterne i “Den enkelte leder”").click()
    strengths = page.get_by_role("group", name="Spørgsmål 2")
    strengths.get_by_label("Dansk").fill("")
    page.get_by_role("button", name="Gem teksterne").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv teksten; den kan ikke være tom.")
    check(page, "hr-framework-edit-error")  # the language switch shows the form afresh
    strengths = page.get_by_role("group", name="Spørgsmål 2")
    strengths.get_by_label("Dansk").fill("Hvad er mine styrker?")
    strengths.get_by_label("Engelsk").fill("What are my strengths?")
    page.get_by_role("button", name="Gem teksterne").click()
    expect(page.get_by_role("status")).to_have_text("Gemt: 1 tekst ændret.")
    check(page, "hr-framework-edit")
    page.get_by_role("link", name="Se ændringerne i forhold til den gældende version").click()
    expect(page.locator(".hr-diff del").first).to_contain_text("Hvor")
    expect(page.locator(".hr-diff ins").first).to_contain_text("Hvad")
    check(page, "hr-framework-diff")
    page.get_by_role("link", name="Udgiv …").click()
    expect(page.get_by_text("3 ledere af 3 enheder får en e-mail")).to_be_visible()
    check(page, "hr-framework-publish")
    page.get_by_role("button", name="Udgiv version").click()
    expect(page.get_by_role("status")).to_contain_text("er nu den gældende version")
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("cell", name="What are my strengths?")).to_be_visible()
    check(page, "hr-framework-published")


def test_hr_deletes_a_draft_after_a_confirmation(page, content):  # noqa: F811
    sign_in_as(page, "HR")
    page.goto("/hr/framework")
    page.get_by_role("button", name="Start en kladde ud fra den gældende version").click()
    page.get_by_role("link", name="Slet kladden…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Slet kladden (version")
    check(page, "hr-framework-delete")
    page.get_by_role("button", name="Slet kladden").click()
    expect(page.get_by_role("status")).to_contain_text("er slettet.")
    expect(page.get_by_role("button",
                            name="Start en kladde ud fra den gældende version")).to_be_visible()
    check(page, "hr-framework-deleted")
