"""Insights in Debian's Chromium: with no dialogues, with figures, and with figures held back;
axe-core finds nothing serious or critical in either language, the form works without a line
of the page's own script, and a table downloads as the CSV file it shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.dialogues import HELD_ON
from tests.web.test_hr_insights import QUARTER, shared_dialogues  # noqa: F401 (a fixture)
from tests.web.test_pages_in_chromium import check, sign_in_as

pytestmark = pytest.mark.slow  # each test drives Chromium


def choose(page, *, unit: str, period: str, subtree: bool = True) -> None:
    """Fill in the form as a person would and send it."""
    page.get_by_label("Enhed", exact=True).select_option(label=unit)
    page.get_by_label("Medtag enhederne under den").set_checked(subtree)
    page.get_by_label("Periode", exact=True).select_option(value=period)
    page.get_by_role("button", name="Vis", exact=True).click()


def test_a_leader_with_no_dialogues_yet(page):
    sign_in_as(page, "Lars Leder")
    page.get_by_role("link", name="Indsigt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indsigt")
    expect(page.get_by_text("Der blev ikke holdt nogen delte dialoger i perioden.")).to_be_visible()
    check(page, "insights-empty")


def test_hr_reads_the_figures_and_downloads_a_table(page, shared_dialogues):  # noqa: F811
    sign_in_as(page, "HR")
    page.goto("/insights")
    choose(page, unit="Skovgårdsskolen", period=QUARTER)
    balance = page.get_by_role("table", name="Balancen mellem fokusområderne")
    expect(balance.get_by_role("row", name="Fagligt kompetente fællesskaber")).to_contain_text(
        "3,33")
    settings = page.get_by_role("table", name="Dialoger pr. ramme")
    expect(settings.get_by_role("row", name="Alle rammer")).to_contain_text("6")
    expect(page.get_by_role("img", name="Gennemsnitlig vurdering")).to_be_visible()
    check(page, "insights-figures")
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent “Dialoger pr. ramme” som CSV-fil").click()
    assert download.value.suggested_filename == (
        f"lederdialog-insights-settings-skole-{QUARTER}.csv")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[-1] == "Alle rammer;6"


def test_figures_held_back_read_too_few_to_show(page, shared_dialogues):  # noqa: F811
    sign_in_as(page, "Sofie SFO-leder")
    page.get_by_role("link", name="Indsigt").click()
    choose(page, unit="SFO Skovgården", period=QUARTER)
    expect(page.get_by_role("status")).to_contain_text("Disse tal holdes tilbage.")
    actions = page.get_by_role("table", name="Handlinger aftalt i dialogerne")
    expect(actions.get_by_role("row", name="Aftalt")).to_contain_text("for få til at vise")
    check(page, "insights-held-back")
    page.get_by_role("link", name="English").click()
    actions = page.get_by_role("table", name="Actions agreed in the dialogues")
    expect(actions.get_by_role("row", name="Agreed")).to_contain_text("too few to show")
    page.get_by_role("link", name="Dansk").click()


def test_a_period_not_offered_is_named_at_its_field(page):
    sign_in_as(page, "Dorthe Direktør")
    page.goto(f"/insights?unit_id=kommune&period={HELD_ON.year - 30}")
    expect(page.get_by_role("alert")).to_contain_text("Vælg en periode på listen.")
    check(page, "insights-error")
