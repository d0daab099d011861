"""Recording a dialogue in Debian's Chromium: the form, its errors and its review pass axe
(WCAG 2.1 AA) in both languages, the weights' sum follows the typing, nothing comes from
another host; screenshots."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser import (
    assert_accessible,
    screenshot,
)

pytestmark = pytest.mark.slow  # each test drives Chromium

AREAS = ("competent_communities", "innovative_communities", "meaningful_communities",
         "reliable_communities")




def button(page: Page, step: str):
    return page.locator(f'button[name="step"][value="{step}"]')


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_leader_fills_in_the_form_reviews_it_and_saves_it(page, lang):
    page.goto("/sign-in?next=/dialogues/new%3Funit_id%3Dskole%26setting%3Dwork_community")
    page.get_by_role("button", name="Lars Leder").click()
    expect(page.locator("#record-form")).to_be_visible()
    if lang == "en":
        page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == lang
    total = page.locator("#weight-total")
    for area, weight in zip(AREAS, ("40", "30", "20", "5"), strict=True):
        page.locator(f"#focus_areas-{area}-rating-3").check()
        page.locator(f"#focus_areas-{area}-weight").fill(weight)
    expect(total).to_have_text("95")  # live, as typed
    assert_accessible(page, f"the record form ({lang})")
    button(page, "review").click()
    expect(page.locator("#focus_areas-error")).to_contain_text("95")
    expect(page.locator("#error-summary a")).to_have_attribute(
        "href", f"#focus_areas-{AREAS[0]}-weight")
    expect(total).to_have_text("95")  # from the server
    assert_accessible(page, f"the record form with an error ({lang})")
    screenshot(page, f"record-error-{lang}")

    page.locator(f"#focus_areas-{AREAS[3]}-weight").fill("10")
    expect(total).to_have_text("100")
    page.locator("#answers-wc_collaboration").fill("Vi samarbejder godt.")
    page.locator("#actions-0-title").fill("Fælles planlægningsmøde hver fredag")
    page.get_by_label("Eva Ansat", exact=True).check()  # she takes part: she owns the action
    page.locator("#actions-0-owner_id").select_option("emp1")
    page.locator("#actions-0-due_on").fill((date.today() + timedelta(days=30)).isoformat())
    page.locator("#actions-0-focus_area").select_option("reliable_communities")
    page.locator("#actions-0-commitment").select_option("proactive_management")
    screenshot(page, f"record-form-{lang}")
    button(page, "review").click()
    expect(page.locator("#review-form")).to_be_visible()
    expect(page.get_by_text("Fælles planlægningsmøde hver fredag")).to_be_visible()
    assert_accessible(page, f"the review ({lang})")
    screenshot(page, f"record-review-{lang}")
    button(page, "save").click()
    expect(page).to_have_url(re.compile(r"/dialogues/[0-9a-f-]+$"))


def test_the_form_before_a_setting_is_chosen(page):
    page.goto("/sign-in?next=/dialogues/new")
    page.get_by_role("button", name="Lars Leder").click()
    expect(page.locator("#record-form")).to_be_visible()
    assert_accessible(page, "the record form's start (da)")
    screenshot(page, "record-start-da")
