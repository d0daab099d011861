"""The framework page: public, the current version, both languages, printable."""

from __future__ import annotations


def test_anyone_reads_the_framework_in_danish_by_default(web):
    page = web.get("/framework")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="da">' in html
    assert "Fagligt kompetente fællesskaber" in html
    assert "Version 1" in html
    assert "Hvordan samarbejder vi om god ledelse hos os?" in html  # a reflection question


def test_the_language_switch_shows_english_and_returns_to_the_page(web):
    switched = web.get("/language/en?next=/framework")
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/framework"
    html = web.get("/framework").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Professionally competent communities" in html
    assert "Reflection questions" in html
