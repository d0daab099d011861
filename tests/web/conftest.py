"""Fixtures for the web: real content and assessment services over HTTP, the web app on them.

The organisation is the assessment tests' small one (tests/assessment/conftest.py); each
test starts from it with no dialogues. The apps live as long as the test run and serve
every test as the same few people, so they run without rate limits
(tests/web/test_rate_limits.py tests those).
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, sync_playwright
from whitenoise import compress

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.app import create_app as create_assessment_app
from services.web.app import create_app as create_web_app
from services.web.settings import load_web_settings
from services.web.static_files import STATIC
from shared.config import load_settings
from shared.migrations import upgrade
from tests.assessment.conftest import ASSESSMENT_TABLES, add_small_org
from tests.support.databases import empty_tables
from tests.support.dialogues import dialogue_body
from tests.support.servers import content_server, serving
from tests.web.browser import foreign_hosts, launch_chromium, record_requests


@pytest.fixture(scope="session")
def content_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """A real content service holding framework version 1."""
    yield from content_server(tmp_path_factory, name="web-content", redis_url=redis_url,
                              jwt_settings=jwt_settings)


@pytest.fixture(scope="session")
def assessment_app(tmp_path_factory, redis_url, jwt_settings, content_url):
    """The assessment app on a database of its own (SQLite: the web owns no data)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web-assessment') / 'assessment.db'}"
    upgrade(ASSESSMENT_MIGRATIONS, url)
    settings = load_settings("assessment", environ={}, database_url=url, redis_url=redis_url,
                             event_stream="test.web.events", jwt=jwt_settings,
                             content_url=content_url, rate_limits=None)
    app = create_assessment_app(settings)
    yield app
    app.extensions["lederdialog.deps"].close()


@pytest.fixture(scope="session")
def assessment_url(assessment_app) -> str:
    with serving(assessment_app) as url:
        yield url


@pytest.fixture
def org(assessment_app):
    """The small organisation, and no dialogues."""
    factory = assessment_app.extensions["lederdialog.deps"].session_factory
    with factory() as session:
        empty_tables(session, *ASSESSMENT_TABLES)
        add_small_org(session)


@pytest.fixture(scope="session")
def web_app(redis_url, jwt_settings, content_url, assessment_url):
    """The web app with the development sign-in, on the real APIs (static files compressed,
    as `make run` and the image build leave them)."""
    compress.main(["-q", str(STATIC)])
    settings = load_web_settings(
        {"WEB_DEV_SIGN_IN": "true"}, redis_url=redis_url, jwt=jwt_settings,
        content_url=content_url, assessment_url=assessment_url, rate_limits=None,
    )
    return create_web_app(settings)


@pytest.fixture
def web(web_app, org):
    """A browser-like client of the web app (cookies kept), with the organisation in place."""
    return web_app.test_client()


@pytest.fixture(scope="session")
def web_url(web_app) -> str:
    with serving(web_app) as url:
        yield url


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(page_html: str) -> str:
    """The CSRF token of a page's form."""
    found = CSRF.search(page_html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client, sub: str, *, next_url: str = "/") -> None:
    """Sign in as `sub` through the development sign-in page, as a person would."""
    page = client.get("/sign-in")
    assert page.status_code == 200, page.status_code
    answer = client.post("/sign-in/dev", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "sub": sub, "next": next_url,
    })
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]


@pytest.fixture
def record(assessment_url, token, org):
    """Record a dialogue through the assessment API: record("leader", **body overrides)."""

    def make(leader: str = "leader", **overrides) -> dict:
        answer = requests.post(
            f"{assessment_url}/api/v1/dialogues", json=dialogue_body(**overrides),
            headers=token(leader, "leader"), timeout=10,
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (one for the whole run)."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, web_url, org) -> Page:
    """A fresh browser tab on the web, with the organisation in place. Afterwards: no script
    error, nothing the CSP refused, and no request to any host but this machine."""
    context = browser.new_context(base_url=web_url)
    page = context.new_page()
    page.requests = record_requests(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: "Content Security Policy" in message.text
            and errors.append(message.text))
    yield page
    assert not errors, errors
    assert not foreign_hosts(page.requests), foreign_hosts(page.requests)
    context.close()
