"""HR's organisation pages in Debian's Chromium: the tree (with units and without), the
search with and without matches and refused, a person's record refused at a field and then
saved, a unit, a person erased after a confirmation, a person and a unit added by hand;
axe-core finds nothing serious or critical in either language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.assessment.conftest import ASSESSMENT_TABLES
from tests.support.databases import empty_tables
from tests.web.test_pages_in_chromium import check, sign_in_as

pytestmark = pytest.mark.slow  # each test drives Chromium


def test_the_tree_and_its_folded_parts(page):
    sign_in_as(page, "HR")
    page.get_by_role("link", name="Organisationen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisationen")
    gaps = page.get_by_role("region", name="Enheder, der mangler en leder, TR eller AMR")
    expect(gaps.get_by_role("listitem")).to_have_text("Gentofte Kommune: mangler TR, AMR")
    tree = page.get_by_role("region", name="Enheder", exact=True)
    expect(tree.get_by_text("Mangler: TR, AMR")).to_be_visible()
    expect(tree.get_by_role("link", name="SFO Skovgården")).to_be_hidden()
    tree.get_by_text("Enheder under Skovgårdsskolen: 1").click()  # <details>, no script
    expect(tree.get_by_role("link", name="Svend Tillid")).to_be_visible()
    check(page, "hr-organisation")


def test_an_organisation_without_units(page, assessment_app):
    with assessment_app.extensions["lederdialog.deps"].session_factory() as session:
        empty_tables(session, *ASSESSMENT_TABLES)
    sign_in_as(page, "HR")
    page.goto("/hr/organisation")
    expect(page.get_by_text("Der er ingen enheder endnu.")).to_be_visible()
    check(page, "hr-organisation-empty")


def test_the_search_with_and_without_matches_and_refused(page):
    sign_in_as(page, "HR")
    page.goto("/hr/organisation")
    search = page.get_by_label("Find en person ud fra navn eller e-mail")
    search.fill("ansat")
    page.get_by_role("button", name="Søg").click()
    matches = page.get_by_role("table")
    expect(matches.get_by_role("row")).to_have_count(4)
    expect(matches.get_by_role("row", name="Sara Ansat")).to_contain_text("SFO Skovgården")
    check(page, "hr-search")
    search.fill("zebra")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_text("Ingen har et navn eller en e-mail med “zebra”.")).to_be_visible()
    check(page, "hr-search-none")
    search.fill("x" * 101)
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("alert")).to_contain_text("Navn eller e-mail")
    check(page, "hr-search-error")


def test_a_person_refused_at_a_field_then_saved(page):
    sign_in_as(page, "HR")
    page.goto("/hr/organisation?q=emp2")
    page.get_by_role("link", name="Emil Ansat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emil Ansat")
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Gem oplysningerne").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("E-mail: not a valid email address")
    alert.get_by_role("link").click()
    expect(page.get_by_label("E-mail")).to_be_focused()
    assert_described = page.get_by_label("E-mail").get_attribute("aria-describedby")
    assert assert_described == "email-error"
    check(page, "hr-person-error")
    page.get_by_label("Sprog").select_option(label="Dansk")
    page.get_by_label("Enhed", exact=True).select_option(label="SFO Skovgården (sfo)")
    page.get_by_role("button", name="Gem oplysningerne").click()
    expect(page.get_by_role("status")).to_have_text("Gemt.")
    history = page.get_by_role("table", name="Ændringer i oplysningerne")
    expect(history.get_by_role("row", name="SFO Skovgården")).to_contain_text("Skovgårdsskolen")
    check(page, "hr-person")


def test_a_unit_given_a_tr(page):
    sign_in_as(page, "HR")
    page.goto("/hr/organisation")
    page.get_by_role("region", name="Enheder, der mangler en leder, TR eller AMR").get_by_role(
        "link", name="Gentofte Kommune").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gentofte Kommune")
    page.get_by_label("TR (personens id)").fill("nobody")
    page.get_by_role("button", name="Gem enheden").click()
    expect(page.get_by_role("alert")).to_contain_text("TR: there is no person 'nobody'")
    check(page, "hr-unit-error")
    page.get_by_label("TR (personens id)").fill("director")
    page.get_by_role("button", name="Gem enheden").click()
    expect(page.get_by_role("status")).to_have_text("Gemt.")
    check(page, "hr-unit")


def test_a_person_erased_once_hr_confirms_it_cannot_be_undone(page):
    sign_in_as(page, "HR")
    page.goto("/hr/people/emp2")
    page.get_by_role("link", name="Slet Emil Ansat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slet Emil Ansat")
    check(page, "hr-erase")
    page.get_by_role("button", name="Slet for altid").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Bekræftelse: Bekræft, at du forstår")
    alert.get_by_role("link").click()
    understood = page.get_by_label("Jeg forstår, at sletningen ikke kan fortrydes")
    expect(understood).to_be_focused()
    check(page, "hr-erase-error")
    understood.check()
    page.get_by_role("button", name="Slet for altid").click()
    expect(page.get_by_role("status")).to_have_text("Slettet.")
    expect(page.get_by_text("Personen er slettet")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Emil")
    check(page, "hr-erased")


def test_a_person_and_a_unit_added_by_hand(page):
    sign_in_as(page, "HR")
    page.goto("/hr/organisation")
    page.get_by_role("link", name="Tilføj en person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilføj en person")
    check(page, "hr-new-person")
    page.get_by_label("Id", exact=True).fill("emp1")
    page.get_by_label("Navn").fill("Nina Ny")
    page.get_by_label("E-mail").fill("nina@gentofte.test")
    page.get_by_role("button", name="Tilføj personen").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Id: Det id er optaget")
    alert.get_by_role("link").click()
    expect(page.get_by_label("Id", exact=True)).to_be_focused()
    check(page, "hr-new-person-error")
    page.get_by_label("Id", exact=True).fill("nina")
    page.get_by_label("Navn").fill("Nina Ny")
    page.get_by_label("E-mail").fill("nina@gentofte.test")
    page.get_by_role("button", name="Tilføj personen").click()
    expect(page.get_by_role("status")).to_have_text("Tilføjet.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nina Ny")

    page.goto("/hr/organisation")
    page.get_by_role("link", name="Tilføj en enhed").click()
    check(page, "hr-new-unit")
    page.get_by_label("Id", exact=True).fill("bib")
    page.get_by_label("Navn").fill("Biblioteket")
    page.get_by_label("Enheden ovenover").select_option(label="Gentofte Kommune (kommune)")
    page.get_by_role("button", name="Tilføj enheden").click()
    expect(page.get_by_role("status")).to_have_text("Tilføjet.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Biblioteket")
