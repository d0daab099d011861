"""The organisation import in Debian's Chromium: the form, the preview, a file's problems and
the result; axe-core finds nothing serious or critical in either language, and the whole
import works with JavaScript switched off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.assessment.test_leavers import WHOLE
from tests.assessment.test_org_import_preview import CHANGED
from tests.web.browser import assert_accessible, screenshot
from tests.web.test_pages_in_chromium import check, sign_in_as

pytestmark = pytest.mark.slow  # each test drives Chromium

BAD = WHOLE.replace("emp1@gentofte.test", "not-an-address") + "unit,nyt,Nyt,,,,skol,,,\n"


def choose(page: Page, text: str, *, label: str = "Filen (CSV)") -> None:
    page.get_by_label(label).set_input_files(
        files=[{"name": "organisation.csv", "mimeType": "text/csv", "buffer": text.encode()}])


def test_the_form_and_the_preview_in_both_languages(page):
    sign_in_as(page, "HR")
    page.get_by_role("link", name="Importér organisationen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importér organisationen")
    check(page, "hr-import-form")
    choose(page, CHANGED)
    page.get_by_label("Filen er hele organisationen").check()
    page.get_by_role("button", name="Vis, hvad der vil ændre sig").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvad importen vil ændre")
    leaving = page.get_by_role("region", name="Personer, der ikke længere er i filen (1)")
    expect(leaving.get_by_role("cell", name="Anders Arbejdsmiljø (amr)")).to_be_visible()
    check(page, "hr-import-preview")  # a GET: the switch shows the same preview
    page.get_by_role("button", name="Bekræft importen").click()
    expect(page.get_by_role("status")).to_contain_text("Organisationen er importeret")
    check(page, "hr-import-done")


def test_a_files_problems_in_both_languages(page):
    sign_in_as(page, "HR")
    page.goto("/hr/organisation/import")
    choose(page, BAD)
    page.get_by_role("button", name="Vis, hvad der vil ændre sig").click()
    expect(page.get_by_role("alert")).to_contain_text("filen har 2 problemer")
    problems = page.get_by_role("table", name="Filens problemer, efter linje")
    expect(problems.get_by_role("row")).to_have_count(3)
    assert_accessible(page, "hr-import-problems (da)")
    screenshot(page, "hr-import-problems-da")
    page.get_by_role("link", name="English").click()  # back to the form, in English
    choose(page, BAD, label="The file (CSV)")
    page.get_by_role("button", name="Show what would change").click()
    expect(page.get_by_role("alert")).to_contain_text("the file has 2 problems")
    expect(page.get_by_role("columnheader", name="Column")).to_be_visible()
    assert_accessible(page, "hr-import-problems (en)")
    screenshot(page, "hr-import-problems-en")


def test_the_import_needs_no_javascript(browser, web_url, org):
    context = browser.new_context(base_url=web_url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_as(page, "HR")
        page.goto("/hr/organisation/import")
        choose(page, CHANGED)
        page.get_by_role("button", name="Vis, hvad der vil ændre sig").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Hvad importen vil ændre")
        page.get_by_role("button", name="Bekræft importen").click()
        expect(page.get_by_role("status")).to_contain_text("Organisationen er importeret")
        page.get_by_role("link", name="Importér en anden fil").click()
        choose(page, CHANGED)
        page.get_by_role("button", name="Vis, hvad der vil ændre sig").click()
        page.get_by_role("button", name="Annullér").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Importér organisationen")
    finally:
        context.close()
