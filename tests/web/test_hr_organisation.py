"""HR's organisation pages: the tree with each unit's leader, TR and AMR and the units missing
one of them, the search for people by name or email, editing a person and a unit with the
API's refusals at their fields; to anyone but HR the pages do not exist."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from tests.assessment.conftest import ASSESSMENT_TABLES
from tests.support.databases import empty_tables
from tests.web.conftest import sign_in
from tests.web.html_forms import form_fields

HR = "hr-1"


def page_of(web, path: str, *, status: int = 200) -> str:
    answer = web.get(path)
    assert answer.status_code == status, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    """The part of the page from the heading with this id to the end of its section."""
    start = html.index(f'id="{heading_id}"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def hr_web(web):
    sign_in(web, HR)
    return web


@pytest.fixture
def api(assessment_url, token):
    """Change the organisation through the API as HR: api("PATCH", "/units/x", json=...)."""

    def call(method: str, path: str, **kwargs):
        answer = requests.request(method, f"{assessment_url}/api/v1{path}",
                                  headers=token("hr", "hr_admin"), timeout=10, **kwargs)
        answer.raise_for_status()
        return answer

    return call


def post_form(web, path: str, form_id: str, **changes):
    """Send the page's form as a browser would, with some fields changed."""
    fields = form_fields(page_of(web, path), form_id) | changes
    return web.post(path, data=fields)


# The tree


def test_the_tree_shows_each_unit_with_its_leader_tr_and_amr_by_name(hr_web):
    tree = section(page_of(hr_web, "/hr/organisation"), "tree-heading")
    for name in ("Gentofte Kommune", "Skovgårdsskolen", "SFO Skovgården", "Lars Leder",
                 "Tina Tillid", "Anders Arbejdsmiljø", "Sofie SFO-leder", "Svend Tillid",
                 "Signe Arbejdsmiljø", "Dorthe Direktør"):
        assert name in tree
    assert '<a href="/hr/units/skole" class="org-unit">Skovgårdsskolen</a>' in tree
    assert '<a href="/hr/people/tr">Tina Tillid</a>' in tree


def test_units_missing_one_of_the_three_are_counted_named_and_marked_in_words(hr_web):
    html = page_of(hr_web, "/hr/organisation")
    gaps = section(html, "gaps-heading")
    assert "1 af 3" in gaps
    assert '<a href="/hr/units/kommune">Gentofte Kommune</a>: mangler TR, AMR' in gaps
    assert "Skovgårdsskolen" not in gaps
    tree = section(html, "tree-heading")
    assert tree.count("Mangler: TR, AMR") == 1
    assert "<em>ingen</em>" in tree


def test_a_unit_whose_leader_left_is_missing_its_leader(hr_web, api):
    api("PATCH", "/people/sfo-leader", json={"left_on": date.today().isoformat()})
    html = page_of(hr_web, "/hr/organisation")
    assert '<a href="/hr/units/sfo">SFO Skovgården</a>: mangler Leder' in section(
        html, "gaps-heading")
    assert "Sofie SFO-leder</a> (fratrådt)" in section(html, "tree-heading")


def test_the_top_levels_are_open_and_deeper_ones_fold(hr_web):
    tree = section(page_of(hr_web, "/hr/organisation"), "tree-heading")
    folded = tree[tree.index("<details"):]
    assert "Enheder under Skovgårdsskolen: 1" in folded
    assert "SFO Skovgården" in folded and "Skovgårdsskolen</a>" not in folded


def test_a_new_unit_with_no_one_in_it_misses_all_three(hr_web, api):
    api("POST", "/units", json={"id": "alone", "name": "Ene enhed"})
    html = page_of(hr_web, "/hr/organisation")
    assert "Mangler: Leder, TR, AMR" in section(html, "tree-heading")
    assert '<a href="/hr/units/alone">Ene enhed</a>: mangler Leder, TR, AMR' in section(
        html, "gaps-heading")


def test_an_organisation_without_units_says_so(hr_web, assessment_app):
    with assessment_app.extensions["lederdialog.deps"].session_factory() as session:
        empty_tables(session, *ASSESSMENT_TABLES)
    html = page_of(hr_web, "/hr/organisation")
    assert "Der er ingen enheder endnu." in html
    assert 'id="gaps-heading"' not in html


# The search


def test_the_search_finds_people_by_name_with_their_unit(hr_web):
    matches = section(page_of(hr_web, "/hr/organisation?q=ansat"), "matches-heading")
    for person_id, name in (("emp1", "Eva Ansat"), ("emp2", "Emil Ansat"),
                            ("sfo-emp", "Sara Ansat")):
        assert f'<a href="/hr/people/{person_id}">{name}</a>' in matches
    assert '<a href="/hr/units/sfo">SFO Skovgården</a>' in matches
    assert "Lars Leder" not in matches


def test_the_search_finds_people_by_email(hr_web):
    matches = section(page_of(hr_web, "/hr/organisation?q=SFO-TR%40gentofte"), "matches-heading")
    assert "Svend Tillid" in matches and "sfo-tr@gentofte.test" in matches
    assert "Tina Tillid" not in matches


def test_a_search_without_matches_says_so_and_leads_back(hr_web):
    html = page_of(hr_web, "/hr/organisation?q=zebra")
    assert "Ingen har et navn eller en e-mail med “zebra”." in html
    assert '<a href="/hr/organisation">Vis hele organisationen</a>' in html


def test_a_search_too_long_is_refused_at_the_field(hr_web):
    html = page_of(hr_web, "/hr/organisation?q=" + "x" * 101, status=422)
    assert 'id="q-error"' in html
    assert '<a href="#q">' in html  # the error summary leads to the field


def test_an_empty_search_shows_the_tree(hr_web):
    assert 'id="tree-heading"' in page_of(hr_web, "/hr/organisation?q=+")


# A person


def test_hr_edits_a_person_and_sees_it_in_their_history(hr_web):
    answer = post_form(hr_web, "/hr/people/emp2", "person-form", name="Emil Andersen",
                       email="emil@gentofte.test", language="da", unit_id="sfo")
    assert answer.status_code == 302
    html = page_of(hr_web, answer.headers["Location"])
    assert "Gemt." in html
    assert "<h1>Emil Andersen</h1>" in html
    history = html[html.index("Ændringer i oplysningerne"):]
    for before, after in (("Emil Ansat", "Emil Andersen"), ("Engelsk", "Dansk"),
                          ("Skovgårdsskolen", "SFO Skovgården")):
        assert f"<td>{before}</td>\n      <td>{after}</td>" in history
    assert form_fields(html, "person-form")["unit_id"] == "sfo"


def test_a_person_who_left_and_came_back(hr_web):
    today = date.today().isoformat()
    assert post_form(hr_web, "/hr/people/emp1", "person-form", left_on=today).status_code == 302
    assert form_fields(page_of(hr_web, "/hr/people/emp1"), "person-form")["left_on"] == today
    assert post_form(hr_web, "/hr/people/emp1", "person-form", left_on="").status_code == 302
    assert form_fields(page_of(hr_web, "/hr/people/emp1"), "person-form")["left_on"] == ""


def test_the_apis_refusal_shows_at_its_field_with_what_was_typed(hr_web):
    answer = post_form(hr_web, "/hr/people/emp1", "person-form", email="not an address",
                       name="Eva Ny")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="email-error"' in html and "not a valid email address" in html
    assert '<a href="#email">E-mail: not a valid email address</a>' in html
    assert 'value="Eva Ny"' in html and 'value="not an address"' in html
    assert "<h1>Eva Ansat</h1>" in html  # nothing was saved


def test_a_day_after_today_is_refused_at_its_field(hr_web):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    answer = post_form(hr_web, "/hr/people/emp1", "person-form", left_on=tomorrow)
    assert answer.status_code == 422
    assert 'id="left_on-error"' in answer.get_data(as_text=True)


def test_saving_without_a_change_says_nothing_was_saved(hr_web):
    answer = post_form(hr_web, "/hr/people/emp1", "person-form")
    assert answer.status_code == 422
    assert "Intet blev ændret, så intet blev gemt." in answer.get_data(as_text=True)


def test_an_erased_person_has_no_form(hr_web, api):
    pseudonym = api("DELETE", "/people/emp2").json()["id"]
    html = page_of(hr_web, f"/hr/people/{pseudonym}")
    assert 'id="person-form"' not in html
    assert "Personen er slettet" in html


def test_hr_erases_a_person_once_they_confirm_it_cannot_be_undone(hr_web):
    record = page_of(hr_web, "/hr/people/emp2")
    assert '<a href="/hr/people/emp2/erase">Slet Emil Ansat</a>' in record
    assert "<h1>Slet Emil Ansat</h1>" in page_of(hr_web, "/hr/people/emp2/erase")

    unconfirmed = post_form(hr_web, "/hr/people/emp2/erase", "erase-form")
    assert unconfirmed.status_code == 422
    html = unconfirmed.get_data(as_text=True)
    assert 'id="understood-error"' in html and 'aria-describedby="understood-error"' in html
    assert "<h1>Emil Ansat</h1>" in page_of(hr_web, "/hr/people/emp2"), "nothing was erased"

    erased = post_form(hr_web, "/hr/people/emp2/erase", "erase-form", understood="yes")
    assert erased.status_code == 302
    pseudonym = erased.headers["Location"].split("/hr/people/")[1].split("?")[0]
    assert pseudonym.startswith("erased-")
    html = page_of(hr_web, erased.headers["Location"])
    assert "Slettet." in html and "Personen er slettet" in html
    assert "Emil" not in html and "emil@" not in html
    page_of(hr_web, "/hr/people/emp2", status=404)
    # The erased person's erase page leads back to their record.
    again = hr_web.get(f"/hr/people/{pseudonym}/erase")
    assert again.status_code == 302 and again.headers["Location"].endswith(
        f"/hr/people/{pseudonym}")


def test_hr_adds_a_person_who_then_has_a_record(hr_web, api):
    assert '<a href="/hr/organisation/new-person">Tilføj en person</a>' in page_of(
        hr_web, "/hr/organisation")
    answer = post_form(hr_web, "/hr/organisation/new-person", "person-form", id="nina",
                       name=" Nina Ny ", email="nina@gentofte.test", language="en",
                       unit_id="sfo")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/hr/people/nina?done=added")
    html = page_of(hr_web, answer.headers["Location"])
    assert "Tilføjet." in html and "<h1>Nina Ny</h1>" in html
    added = api("GET", "/people/nina").json()
    assert (added["unit_id"], added["language"], added["left_on"]) == ("sfo", "en", None)


def test_a_new_person_refused_at_its_fields_keeps_what_was_typed(hr_web, api):
    answer = post_form(hr_web, "/hr/organisation/new-person", "person-form", id="nina",
                       name="", email="not an address")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="name-error"' in html and 'id="email-error"' in html
    assert form_fields(html, "person-form")["id"] == "nina"
    assert "nina" not in [person["id"] for person in api("GET", "/people").json()]


def test_a_taken_id_is_refused_at_the_id(hr_web):
    answer = post_form(hr_web, "/hr/organisation/new-person", "person-form", id="emp1",
                       name="Eva Igen", email="eva2@gentofte.test")
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert 'id="id-error"' in html and "Det id er optaget" in html
    assert 'value="Eva Igen"' in html


def test_hr_adds_a_unit_below_another(hr_web, api):
    assert '<a href="/hr/organisation/new-unit">Tilføj en enhed</a>' in page_of(
        hr_web, "/hr/organisation")
    answer = post_form(hr_web, "/hr/organisation/new-unit", "unit-form", id="bib",
                       name="Biblioteket", parent_id="kommune", leader_id="emp1")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/hr/units/bib?done=added")
    assert "Tilføjet." in page_of(hr_web, answer.headers["Location"])
    added = api("GET", "/units/bib").json()
    assert (added["parent_id"], added["leader_id"], added["tr_id"]) == ("kommune", "emp1", None)


def test_a_units_page_adds_a_person_to_it_or_a_unit_below_it(hr_web):
    html = page_of(hr_web, "/hr/units/skole")
    assert 'href="/hr/organisation/new-person?unit_id=skole"' in html
    assert 'href="/hr/organisation/new-unit?parent_id=skole"' in html
    person_form = form_fields(page_of(hr_web, "/hr/organisation/new-person?unit_id=skole"),
                              "person-form")
    assert (person_form["unit_id"], person_form["language"]) == ("skole", "da")
    unit_form = form_fields(page_of(hr_web, "/hr/organisation/new-unit?parent_id=skole"),
                            "unit-form")
    assert unit_form["parent_id"] == "skole"


def test_a_new_unit_with_someone_unknown_is_refused_at_that_place(hr_web, api):
    answer = post_form(hr_web, "/hr/organisation/new-unit", "unit-form", id="bib",
                       name="Biblioteket", tr_id="nobody")
    assert answer.status_code == 422
    assert 'id="tr_id-error"' in answer.get_data(as_text=True)
    assert not [u for u in api("GET", "/units").json() if u["id"] == "bib"]


# A unit


def test_hr_edits_a_unit_and_the_tree_follows(hr_web):
    answer = post_form(hr_web, "/hr/units/kommune", "unit-form", name="Gentofte",
                       tr_id="emp1", amr_id="emp2")
    assert answer.status_code == 302
    assert "Gemt." in page_of(hr_web, answer.headers["Location"])
    html = page_of(hr_web, "/hr/organisation")
    assert "Alle enheder har en leder, en TR og en AMR." in html
    assert '<a href="/hr/people/emp1">Eva Ansat</a>' in section(html, "tree-heading")


def test_a_unit_place_left_empty_is_no_one(hr_web):
    assert post_form(hr_web, "/hr/units/sfo", "unit-form", amr_id="").status_code == 302
    gaps = section(page_of(hr_web, "/hr/organisation"), "gaps-heading")
    assert '<a href="/hr/units/sfo">SFO Skovgården</a>: mangler AMR' in gaps


def test_an_unknown_person_in_a_place_is_refused_at_its_field(hr_web):
    answer = post_form(hr_web, "/hr/units/skole", "unit-form", tr_id="nobody")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="tr_id-error"' in html and "there is no person" in html
    assert 'value="nobody"' in html


def test_a_unit_cannot_be_placed_below_itself(hr_web):
    form = form_fields(page_of(hr_web, "/hr/units/skole"), "unit-form")
    assert form["parent_id"] == "kommune"
    html = page_of(hr_web, "/hr/units/skole")
    start = html.index('id="parent_id"')
    parents = html[start:html.index("</select>", start)]
    assert 'value="kommune"' in parents
    assert 'value="sfo"' not in parents and 'value="skole"' not in parents
    answer = hr_web.post("/hr/units/skole", data=form | {"parent_id": "sfo"})
    assert answer.status_code == 422  # sent anyway: the API refuses it at the field
    assert 'id="parent_id-error"' in answer.get_data(as_text=True)


def test_a_unit_lists_its_people(hr_web):
    html = page_of(hr_web, "/hr/units/sfo")
    assert '<a href="/hr/people/sfo-emp">Sara Ansat</a>' in html
    assert '<option value="sfo-tr">Svend Tillid</option>' in html  # suggested for a place


# Who may


def test_the_menu_leads_hr_to_the_organisation(hr_web):
    html = page_of(hr_web, "/hr/units/skole")
    assert '<a href="/hr/organisation" class="nav-link"><span>Organisationen</span>' in html


def test_unknown_people_and_units_are_not_found(hr_web):
    page_of(hr_web, "/hr/people/nobody", status=404)
    page_of(hr_web, "/hr/units/nowhere", status=404)


@pytest.mark.parametrize("sub", ["leader", "emp1", "tr"])
def test_to_anyone_but_hr_the_pages_do_not_exist(web, api, sub):
    sign_in(web, sub)
    assert '/hr/organisation"' not in page_of(web, "/overview")
    for path in ("/hr/organisation", "/hr/organisation?q=ansat", "/hr/people/emp1",
                 "/hr/people/emp1/erase", "/hr/units/skole", "/hr/organisation/new-person",
                 "/hr/organisation/new-unit"):
        assert "Siden findes ikke" in page_of(web, path, status=404)
    token = form_fields(page_of(web, "/overview"))["csrf_token"]
    for path in ("/hr/people/emp1", "/hr/people/emp1/erase", "/hr/units/skole",
                 "/hr/organisation/new-person", "/hr/organisation/new-unit"):
        assert web.post(path, data={"csrf_token": token, "name": "X",
                                    "understood": "yes"}).status_code == 404
    assert api("GET", "/people/emp1").json()["name"] == "Eva Ansat", "no one was erased"


def test_signed_out_the_pages_lead_to_sign_in(web):
    answer = web.get("/hr/organisation")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]
