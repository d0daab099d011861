"""HR's framework pages: the versions, a draft edited in Danish and English side by side, its
changes word by word, publishing it with who will hear of it, and a published version that
no page can change. Only an HR admin finds them.

The pages run on a content service of this module's own, so the versions published here
never show in the other pages' tests."""

from __future__ import annotations

import pytest
import requests

from services.web.app import create_app as create_web_app
from services.web.settings import load_web_settings
from tests.support.servers import content_server
from tests.web.conftest import csrf_token, sign_in
from tests.web.html_forms import form_fields

SECTION = "settings.individual_leader"
QUESTION = f"{SECTION}.questions.individual_strengths.text"
DA, EN = f"da-{QUESTION}", f"en-{QUESTION}"
PAGES = ("/hr/framework", "/hr/framework/versions/1", "/hr/framework/versions/1/diff",
         f"/hr/framework/versions/1/sections/{SECTION}", "/hr/framework/versions/1/publish")


@pytest.fixture(scope="module")
def hr_content_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    yield from content_server(tmp_path_factory, name="web-hr-framework", redis_url=redis_url,
                              jwt_settings=jwt_settings)


@pytest.fixture(scope="module")
def hr_web_app(redis_url, jwt_settings, hr_content_url, assessment_url):
    """The web app on this module's content service and the shared assessment service."""
    return create_web_app(load_web_settings(
        {"WEB_DEV_SIGN_IN": "true"}, redis_url=redis_url, jwt=jwt_settings,
        content_url=hr_content_url, assessment_url=assessment_url, rate_limits=None,
    ))


@pytest.fixture
def content(hr_content_url, token):
    """The content API as an HR admin, with no draft open: content("GET", "/versions")."""
    headers = token("hr-1", "hr_admin")

    def call(method: str, path: str, **kwargs):
        answer = requests.request(method, f"{hr_content_url}/api/v1/framework{path}",
                                  headers=headers, timeout=10, **kwargs)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    for version in call("GET", "/versions"):
        if version["status"] == "draft":
            call("DELETE", f"/versions/{version['id']}")
    return call


@pytest.fixture
def hr(hr_web_app, org, content):
    """The web as the development sign-in's HR admin."""
    client = hr_web_app.test_client()
    sign_in(client, "hr-1")
    return client


def start_draft(hr) -> int:
    """Start a draft from the versions page, as HR does; its id."""
    listing = hr.get("/hr/framework").get_data(as_text=True)
    started = hr.post("/hr/framework/drafts", data=form_fields(listing, "start-draft"))
    assert started.status_code == 303, started.get_data(as_text=True)[:500]
    return int(started.headers["Location"].split("/versions/")[1].split("?")[0])


def edit(hr, draft: int, section: str = SECTION, **typed: str):
    """Send a section's form as shown, with typed={field: text} typed in."""
    url = f"/hr/framework/versions/{draft}/sections/{section}"
    fields = form_fields(hr.get(url).get_data(as_text=True), "texts")
    assert set(typed) <= set(fields), set(typed) - set(fields)
    return hr.post(url, data={**fields, **typed})


def text_of(content, version: int, path: str = QUESTION) -> dict:
    return next(t for t in content("GET", f"/versions/{version}/texts") if t["path"] == path)


def test_the_versions_list_says_which_is_current_and_who_made_each(hr):
    page = hr.get("/hr/framework")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ledelsesgrundlagets versioner" in html
    assert "Version 1" in html and "Gældende" in html
    assert "af Lederdialog, ved installationen" in html
    assert "Start en kladde ud fra den gældende version" in html


def test_a_draft_is_edited_in_danish_and_english_and_only_the_changed_texts_are_sent(
        hr, content):
    draft = start_draft(hr)
    page = hr.get(f"/hr/framework/versions/{draft}?started=1").get_data(as_text=True)
    assert "Kladde" in page and "Rediger teksterne i “Den enkelte leder”" in page
    form = hr.get(f"/hr/framework/versions/{draft}/sections/{SECTION}").get_data(as_text=True)
    assert f'id="{DA}" name="{DA}" lang="da"' in form and f'id="{EN}" name="{EN}" lang="en"' in form
    # Meanwhile another HR admin changes another text of the section through the API.
    other = f"{SECTION}.questions.individual_development.text"
    content("PATCH", f"/versions/{draft}/texts",
            json={"changes": [{"path": other, "da": "Hvad skal jeg udvikle?"}]})
    url = f"/hr/framework/versions/{draft}/sections/{SECTION}"
    saved = hr.post(url, data={**form_fields(form, "texts"), DA: "Hvor er mine største styrker?",
                               EN: "Where do my greatest strengths lie?"})
    assert saved.status_code == 303
    assert "Gemt: 1 tekst ændret." in hr.get(saved.headers["Location"]).get_data(as_text=True)
    assert text_of(content, draft) == {"path": QUESTION, "da": "Hvor er mine største styrker?",
                                       "en": "Where do my greatest strengths lie?"}
    assert text_of(content, draft, other)["da"] == "Hvad skal jeg udvikle?"  # left as it was


def test_a_form_sent_unchanged_saves_nothing(hr, content):
    draft = start_draft(hr)
    saved = edit(hr, draft)
    assert saved.status_code == 303
    page = hr.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Intet blev ændret, så intet blev gemt." in page
    assert content("GET", "/diff", params={"from": 1, "to": draft})["changes"] == []


def test_an_empty_text_is_refused_at_its_field_and_what_was_typed_is_kept(hr, content):
    draft = start_draft(hr)
    refused = edit(hr, draft, **{DA: "  ", EN: "Where do my real strengths lie?"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="{DA}-error"' in html and "Skriv teksten; den kan ikke være tom." in html
    assert "Where do my real strengths lie?" in html
    assert text_of(content, draft)["en"] == "Where do my strengths lie?"  # all or nothing


def test_the_api_refusal_of_a_text_too_long_shows_at_its_field(hr):
    draft = start_draft(hr)
    refused = edit(hr, draft, **{EN: "strength " * 600})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="{EN}-error"' in html and "Length must be between 1 and 5000." in html
    assert f'<a href="#{EN}">Spørgsmål 2 (Engelsk)' in html  # the summary leads to it


def test_the_diff_marks_the_changed_words_against_the_current_version(hr):
    draft = start_draft(hr)
    edit(hr, draft, **{DA: "Hvad er mine styrker?"})  # was "Hvor er ..."
    page = hr.get(f"/hr/framework/versions/{draft}/diff")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Den enkelte leder" in html and "Spørgsmål 2" in html
    assert ('<del class="word-removed"><span class="diff-mark">−</span>'
            '<span class="sr-only">fjernet: </span>Hvor </del><ins class="word-added">'
            '<span class="diff-mark">+</span><span class="sr-only">tilføjet: </span>'
            'Hvad </ins>er mine styrker?') in html
    assert "Uændret." in html  # the English text was not touched
    assert "Fjernede ord er streget over og mærket" in html  # the legend: not colour alone


def test_publishing_says_who_will_hear_of_it_and_leaves_the_version_read_only(hr, content):
    draft = start_draft(hr)
    edit(hr, draft, **{EN: "Where do my greatest strengths lie?"})
    confirm = hr.get(f"/hr/framework/versions/{draft}/publish")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    # The small organisation: three units, each with a leader of its own.
    assert "3 ledere af 3 enheder får en e-mail om de ændrede tekster." in html
    assert "1 tekst er anderledes end i den gældende version." in html
    published = hr.post(f"/hr/framework/versions/{draft}/publish",
                        data=form_fields(html, "publish"))
    assert published.status_code == 303
    page = hr.get(published.headers["Location"]).get_data(as_text=True)
    assert f"Version {draft} er udgivet og er nu den gældende version." in page
    assert "<textarea" not in page and "/sections/" not in page and "/publish" not in page
    assert "Where do my greatest strengths lie?" in page
    assert content("GET", "/versions")[-1]["published_by"] == "hr-1"
    for path in (f"/sections/{SECTION}", "/publish"):  # nothing here changes it any more
        answer = hr.get(f"/hr/framework/versions/{draft}{path}")
        assert answer.status_code == 303
        assert answer.headers["Location"].endswith(f"/hr/framework/versions/{draft}")
    sent = hr.post(f"/hr/framework/versions/{draft}/sections/{SECTION}",
                   data={"csrf_token": csrf_token(page), EN: "Changed?"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/{draft}")
    assert text_of(content, draft)["en"] == "Where do my greatest strengths lie?"


def test_a_draft_that_changes_nothing_tells_nobody(hr):
    draft = start_draft(hr)
    html = hr.get(f"/hr/framework/versions/{draft}/publish").get_data(as_text=True)
    assert "Ingen tekst er anderledes end i den gældende version, så ingen får en e-mail." in html


def test_a_draft_is_deleted_after_a_confirmation_and_a_new_one_can_start(hr, content):
    draft = start_draft(hr)
    edit(hr, draft, **{DA: "Hvad er mine styrker?"})
    version_page = hr.get(f"/hr/framework/versions/{draft}").get_data(as_text=True)
    assert f'href="/hr/framework/versions/{draft}/delete">Slet kladden…</a>' in version_page
    confirm = hr.get(f"/hr/framework/versions/{draft}/delete").get_data(as_text=True)
    assert f"<h1>Slet kladden (version {draft})</h1>" in confirm
    deleted = hr.post(f"/hr/framework/versions/{draft}/delete",
                      data=form_fields(confirm, "delete-draft"))
    assert deleted.status_code == 303
    listing = hr.get(deleted.headers["Location"]).get_data(as_text=True)
    assert f"Kladden (version {draft}) er slettet." in listing
    assert [v for v in content("GET", "/versions") if v["status"] == "draft"] == []
    fresh = start_draft(hr)  # a new copy of the current version: the deleted edit is gone
    assert text_of(content, fresh)["da"] == text_of(content, 1)["da"] != "Hvad er mine styrker?"
    # A published version has nothing to delete: its page stays as it is.
    published = hr.get("/hr/framework/versions/1/delete")
    assert published.status_code == 303
    assert published.headers["Location"].endswith("/hr/framework/versions/1")


def test_a_second_draft_is_refused_while_one_is_open(hr):
    draft = start_draft(hr)
    listing = hr.get("/hr/framework").get_data(as_text=True)
    assert f"Fortsæt med kladden (version {draft})" in listing
    again = hr.post("/hr/framework/drafts", data={"csrf_token": csrf_token(listing)})
    assert again.status_code == 409
    assert "En kladde er allerede åben" in again.get_data(as_text=True)


def test_an_unknown_version_or_section_is_the_page_of_nothing(hr):
    draft = start_draft(hr)
    assert hr.get("/hr/framework/versions/999").status_code == 404
    assert hr.get(f"/hr/framework/versions/{draft}/sections/nothing").status_code == 404


@pytest.mark.parametrize("sub", ["leader", "emp1", "tr"])
def test_the_pages_do_not_exist_for_anyone_but_hr(hr_web_app, org, content, sub):
    client = hr_web_app.test_client()
    sign_in(client, sub)
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Siden findes ikke" in answer.get_data(as_text=True)
    token = csrf_token(client.get("/framework").get_data(as_text=True))
    for path in ("/hr/framework/drafts", "/hr/framework/versions/1/publish",
                 "/hr/framework/versions/1/delete"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    assert "Ledelsesgrundlagets versioner" not in client.get("/framework").get_data(as_text=True)


def test_signed_out_the_pages_ask_to_sign_in(hr_web_app, content):
    answer = hr_web_app.test_client().get("/hr/framework")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]
