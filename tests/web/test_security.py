"""What keeps the pages safe: CSRF, cookie flags, redirects, headers, sessions, static files."""

from __future__ import annotations

import pytest

from services.web.session import safe_next
from tests.web.conftest import csrf_token, sign_in


def test_a_post_without_a_csrf_token_is_refused(web):
    sign_in(web, "leader")
    answer = web.post("/sign-out")
    assert answer.status_code == 400
    assert web.get("/overview").status_code == 200  # still signed in


def test_the_session_cookie_is_http_only_and_same_site_lax(web):
    sign_in(web, "leader")
    cookie = web.get_cookie("lederdialog")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # served over http here; PUBLIC_BASE_URL https makes it Secure


def test_the_cookie_holds_no_token_only_a_session_id(web):
    sign_in(web, "leader")
    value = web.get_cookie("lederdialog").value
    assert "." not in value.split(".", 1)[-1] or len(value) < 100  # no JWT (three dotted parts)
    assert "eyJ" not in value


def test_signing_in_gives_a_new_session_id(web):
    web.get("/language/en")  # a session before signing in, as a fixation attack would plant
    before = web.get_cookie("lederdialog").value
    sign_in(web, "leader")
    assert web.get_cookie("lederdialog").value != before


def test_sign_out_ends_the_session(web):
    sign_in(web, "leader")
    page = web.get("/overview").get_data(as_text=True)
    assert web.post("/sign-out", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert web.get("/overview").status_code == 302


def test_a_tampered_session_cookie_signs_no_one_in(web):
    sign_in(web, "leader")
    cookie = web.get_cookie("lederdialog")
    web.set_cookie("lederdialog", cookie.value[:-4] + "AAAA")
    answer = web.get("/overview")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "", None, "overview", "/\t/evil.example",
])
def test_next_never_leads_off_the_site(target):
    assert safe_next(target) == "/"


def test_next_keeps_a_path_on_the_site():
    assert safe_next("/dialogues/abc?tab=1") == "/dialogues/abc?tab=1"


def test_sign_in_sends_a_person_back_only_within_the_site(web):
    page = web.get("/sign-in").get_data(as_text=True)
    answer = web.post("/sign-in/dev", data={
        "csrf_token": csrf_token(page), "sub": "leader", "next": "https://evil.example/",
    })
    assert answer.headers["Location"] == "/"


def test_every_page_forbids_framing_and_other_hosts(web):
    for path in ("/framework", "/sign-in", "/does-not-exist"):
        headers = web.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_with_personal_data_are_not_cached(web):
    sign_in(web, "leader")
    assert web.get("/overview").headers["Cache-Control"] == "no-store"


def test_a_stranger_to_the_organisation_cannot_sign_in(web):
    page = web.get("/sign-in").get_data(as_text=True)
    answer = web.post("/sign-in/dev", data={"csrf_token": csrf_token(page), "sub": "mallory"})
    assert answer.status_code == 400


def test_static_files_are_cached_for_a_year_and_compressed(web):
    page = web.get("/framework").get_data(as_text=True)
    assert "/static/dkfds/11.2.0/css/dkfds.min.css" in page
    with web.get("/static/dkfds/11.2.0/css/dkfds.min.css",
                 headers={"Accept-Encoding": "gzip"}) as css:
        assert css.status_code == 200
        assert "max-age=31536000" in css.headers["Cache-Control"]
        assert css.headers["Content-Encoding"] == "gzip"
