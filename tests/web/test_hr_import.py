"""HR imports the organisation through the pages: upload, a preview of every change, confirm.
Every problem of a bad file in one table; the file kept between preview and confirm for a
while, for the session that sent it only; HR only."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
import requests
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from services.web.pages.hr_import_file import KEPT_SECONDS, KEY_PREFIX, MAX_FILE_BYTES
from tests.assessment.test_leavers import WHOLE, without
from tests.assessment.test_org_import_preview import CHANGED
from tests.web.conftest import csrf_token, sign_in

START = "/hr/organisation/import"
HR = "hr-1"


def upload(web, text: str | bytes, *, whole: bool = False):
    """Send the file with the page's form, as HR's browser does."""
    return upload_as(web, csrf_token(web.get(START).get_data(as_text=True)), text, whole=whole)


def upload_as(web, csrf: str, text: str | bytes, *, whole: bool = False):
    """The form as a browser encodes it. Encoded here, in memory: the test client would
    spool a large one to a temporary file it never closes."""
    data = {"csrf_token": csrf, "file": FileStorage(
        io.BytesIO(text.encode() if isinstance(text, str) else text), "organisation.csv")}
    if whole:
        data["whole"] = "true"
    boundary, body = encode_multipart(data)
    return web.post(START, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def preview_of(web, text: str, **kwargs) -> tuple[str, str]:
    """The token of the kept upload, and the preview's page."""
    sent = upload(web, text, **kwargs)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:2000]
    token = sent.headers["Location"].rsplit("/", 1)[1]
    page = web.get(sent.headers["Location"])
    assert page.status_code == 200
    return token, page.get_data(as_text=True)


def confirm(web, token: str, page_html: str):
    return web.post(f"{START}/{token}", data={"csrf_token": csrf_token(page_html)})


def person(assessment_url, token, person_id: str) -> dict:
    answer = requests.get(f"{assessment_url}/api/v1/people/{person_id}",
                          headers=token("hr", "hr_admin"), timeout=10)
    answer.raise_for_status()
    return answer.json()


def rows(html: str, caption: str) -> list[str]:
    """The rows of the table with this caption, as text (tags dropped, spaces squeezed)."""
    table = re.search(rf"<caption>{re.escape(caption)}.*?</table>", html, re.S)
    assert table, f"no table {caption!r}"
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", row))).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)[1:]]


@pytest.fixture
def hr(web):
    sign_in(web, HR)
    return web


def test_the_preview_shows_every_change_and_the_import_waits_for_the_confirmation(
        hr, web_app, assessment_url, token):
    key, html = preview_of(hr, CHANGED, whole=True)
    assert "Hvad importen vil ændre" in html
    assert rows(html, "Nye enheder") == [
        "Biblioteket (bib) Gentofte Kommune (kommune) Birgit Bog (bib-leader) Ingen Ingen"]
    assert rows(html, "Ændrede enheder, felt for felt") == [
        "SFO Skovgården Nord (sfo) Navn SFO Skovgården SFO Skovgården Nord"]
    assert rows(html, "Enheder placeret under en anden enhed") == [
        "SFO Skovgården Nord (sfo) Skovgårdsskolen (skole) Gentofte Kommune (kommune)"]
    assert rows(html, "En enheds leder, TR eller AMR, der skifter") == [
        "Skovgårdsskolen (skole) TR Tina Tillid (tr) Eva Ansat (emp1)",
        "Skovgårdsskolen (skole) AMR Anders Arbejdsmiljø (amr) Tina Tillid (tr)",
    ]
    assert rows(html, "Ændrede personer, felt for felt") == [
        "Emil Ansat Berg (emp2) Navn Emil Ansat Emil Ansat Berg",
        "Emil Ansat Berg (emp2) Sprog Engelsk Dansk",
    ]
    assert rows(html, "Personer flyttet til en anden enhed") == [
        "Sara Ansat (sfo-emp) SFO Skovgården Nord (sfo) Skovgårdsskolen (skole)"]
    assert rows(html, "Personer, der vil fratræde") == [
        "Anders Arbejdsmiljø (amr) Skovgårdsskolen (skole)"]
    assert person(assessment_url, token, "emp2")["name"] == "Emil Ansat"  # nothing yet

    done = confirm(hr, key, html)
    assert done.status_code == 303
    result = hr.get(done.headers["Location"]).get_data(as_text=True)
    assert "Organisationen er importeret" in result
    assert rows(result, "Personer markeret som fratrådt") == ["Anders Arbejdsmiljø (amr)"]
    assert person(assessment_url, token, "emp2")["name"] == "Emil Ansat Berg"
    assert person(assessment_url, token, "amr")["left_on"]
    kept = web_app.config["SESSION_REDIS"]
    assert not kept.hexists(KEY_PREFIX + key, "file")  # the file is dropped, the result kept
    assert 0 < kept.ttl(KEY_PREFIX + key) <= KEPT_SECONDS
    # Pressed twice, the button imports nothing more: it shows the result again.
    again = confirm(hr, key, html)
    assert again.status_code == 303
    assert "Organisationen er importeret" in hr.get(again.headers["Location"]).get_data(
        as_text=True)


def test_the_whole_organisation_box_lists_who_would_leave(hr):
    _key, html = preview_of(hr, without(WHOLE, "emp1"), whole=True)
    assert rows(html, "Personer, der vil fratræde") == ["Eva Ansat (emp1) Skovgårdsskolen (skole)"]
    assert "Ja: alle, der ikke er i filen, fratræder" in html
    _key, html = preview_of(hr, without(WHOLE, "emp1"))
    assert "Personer, der vil fratræde" not in html
    assert "Filen ændrer intet" in html


def test_a_bad_file_shows_every_problem_in_one_table(hr, assessment_url, token):
    bad = WHOLE.replace("emp1@gentofte.test", "not-an-address") + (
        "unit,nyt,Nyt Team,,,,skol,,,\n"  # no such parent
        "person,emp2,Emil Igen,emil@gentofte.test,da,skole,,,,\n"  # emp2 twice
    ) + "".join(f"person,x{n},X {n},x{n}-at-nowhere,da,skole,,,,\n" for n in range(30))
    refused = upload(hr, bad)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Intet blev importeret: filen har 33 problemer" in html
    table = rows(html, "Filens problemer, efter linje")
    assert len(table) == 33
    assert table[0] == "9 email (E-mail) ikke en gyldig e-mailadresse Rækken selv"
    assert table[1] == ("16 parent_id (Overordnet enhed) there is no unit 'skol' in the file "
                        "or the organisation Passer ikke med resten")
    assert '<span lang="en">there is no unit' in html  # the API's words, marked as English
    assert table[2].startswith("17 id (Id) person emp2 is also on line 10")
    assert person(assessment_url, token, "emp1")["email"] == "emp1@gentofte.test"
    hr.get("/language/en")
    html = upload(hr, bad).get_data(as_text=True)
    assert "<th scope=\"col\">Line</th><th scope=\"col\">Column</th>" in html
    assert "Does not fit the rest" in html


def test_a_file_that_no_longer_fits_at_the_confirmation_shows_its_problems(
        hr, assessment_url, token):
    key, html = preview_of(hr, CHANGED)
    requests.delete(f"{assessment_url}/api/v1/people/emp2", headers=token("hr", "hr_admin"),
                    timeout=10).raise_for_status()  # erased meanwhile: the file still has them
    refused = confirm(hr, key, html)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Organisationen er ændret siden forhåndsvisningen" in page
    assert rows(page, "Filens problemer, efter linje") == [
        "9 id (Id) person emp2 was erased; remove them from the file, or add them by hand if "
        "they came back Passer ikke med resten"]
    assert person(assessment_url, token, "emp1")["name"] == "Eva Ansat"  # nothing imported


def test_a_kept_file_expires_and_the_page_says_so(hr, web_app, assessment_url, token):
    redis = web_app.config["SESSION_REDIS"]
    key, html = preview_of(hr, CHANGED)
    assert 0 < redis.ttl(KEY_PREFIX + key) <= KEPT_SECONDS
    redis.delete(KEY_PREFIX + key)  # what the TTL does after 30 minutes
    gone = hr.get(f"{START}/{key}")
    assert gone.status_code == 410
    assert "Filen er ikke gemt længere" in gone.get_data(as_text=True)
    refused = confirm(hr, key, html)
    assert refused.status_code == 410
    assert person(assessment_url, token, "emp2")["name"] == "Emil Ansat"


def test_a_kept_file_is_the_sending_sessions_alone(hr, web_app):
    key, _html = preview_of(hr, CHANGED)
    other = web_app.test_client()
    sign_in(other, HR)
    assert other.get(f"{START}/{key}").status_code == 410


def test_cancelling_forgets_the_file(hr, web_app):
    key, html = preview_of(hr, CHANGED)
    cancelled = hr.post(f"{START}/{key}/cancel", data={"csrf_token": csrf_token(html)})
    assert cancelled.status_code == 303
    assert not web_app.config["SESSION_REDIS"].exists(KEY_PREFIX + key)
    assert hr.get(f"{START}/{key}").status_code == 410


def test_the_form_asks_for_a_file(hr):
    form = hr.get(START).get_data(as_text=True)
    refused = hr.post(START, data={"csrf_token": csrf_token(form)},
                      content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Vælg filen, der skal importeres." in refused.get_data(as_text=True)


def test_a_file_larger_than_a_page_takes_is_fine_and_one_over_20_mib_is_refused(hr):
    # Blank lines are skipped by the import: the file is the organisation, 300 KiB long.
    _key, html = preview_of(hr, WHOLE + "\n" * (300 * 1024))
    assert "Filen ændrer intet" in html
    too_large = upload(hr, b"x" * (MAX_FILE_BYTES + 1))
    assert too_large.status_code == 413
    assert "Filen er over 20 MiB" in too_large.get_data(as_text=True)


@pytest.mark.parametrize("sub", ["leader", "emp1", "tr"])
def test_no_one_but_hr_finds_the_pages(web, web_app, sub):
    hr = web_app.test_client()
    sign_in(hr, HR)
    key, _html = preview_of(hr, CHANGED)
    sign_in(web, sub)
    csrf = csrf_token(web.get("/overview").get_data(as_text=True))
    assert web.get(START).status_code == 404
    assert upload_as(web, csrf, WHOLE).status_code == 404
    assert upload_as(web, csrf, "x" * (300 * 1024)).status_code == 404  # over the pages' limit
    assert web.get(f"{START}/{key}").status_code == 404
    assert web.post(f"{START}/{key}", data={"csrf_token": csrf}).status_code == 404
    assert web.post(f"{START}/{key}/cancel", data={"csrf_token": csrf}).status_code == 404
    assert "Importér organisationen" not in web.get("/overview").get_data(as_text=True)
