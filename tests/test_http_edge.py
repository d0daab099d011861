"""The HTTP edge of every service: security headers, /docs without other hosts, rate limits.

Each test builds its apps from an environment, as a deployment does, on real Redis (one
stream of its own, so its counts are its own) and SQLite.
"""

from __future__ import annotations

import re
from contextlib import ExitStack

import pytest
import requests
from playwright.sync_api import sync_playwright

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.app import create_app as create_assessment_app
from services.content import service as content_service
from services.content.app import MIGRATIONS as CONTENT_MIGRATIONS
from services.content.app import create_app as create_content_app
from services.notify.app import create_app as create_notify_app
from services.notify.config import load_notify_settings
from services.web.app import create_app as create_web_app
from services.web.security import PAGE_CONTENT_SECURITY_POLICY
from services.web.settings import load_web_settings
from services.web.static_files import static_url
from shared.config import load_settings
from shared.db import make_engine, make_session_factory
from shared.migrations import upgrade
from shared.web.security import API_CONTENT_SECURITY_POLICY
from tests.support.processes import gunicorn
from tests.support.servers import serving
from tests.support.smtp_sink import free_port
from tests.web.browser import foreign_hosts, launch_chromium, record_requests

API_SERVICES = ("content", "assessment", "notify")
ASSETS = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"')
# Reports every Content-Security-Policy violation of the page to the console.
REPORT_VIOLATIONS = ("document.addEventListener('securitypolicyviolation', e => "
                     "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))")


@pytest.fixture(scope="module")
def databases(tmp_path_factory) -> dict[str, str]:
    """A migrated SQLite database per API service; content's holds framework version 1."""
    folder = tmp_path_factory.mktemp("http-edge")
    urls = {service: f"sqlite:///{folder / f'{service}.db'}" for service in API_SERVICES}
    upgrade(CONTENT_MIGRATIONS, urls["content"])
    upgrade(ASSESSMENT_MIGRATIONS, urls["assessment"])
    engine = make_engine(urls["content"])
    with make_session_factory(engine)() as session:
        content_service.seed_if_empty(session)
    engine.dispose()
    return urls


@pytest.fixture
def environment(databases, redis_url, stream, jwt_settings):
    """The environment of a service of this test: environment("content", RATE_LIMIT_...=...)."""

    def make(service: str, **env: str) -> dict[str, str]:
        return {
            "DATABASE_URL": databases.get(service, ""), "REDIS_URL": redis_url,
            "EVENT_STREAM": stream, "JWT_SECRET": jwt_settings.secret,
            "JWT_ISSUER": jwt_settings.issuer, **env,
        }

    return make


@pytest.fixture
def app_of(environment):
    """A service's app on an environment: app_of("web", TRUSTED_PROXIES="1")."""
    with ExitStack() as closing:

        def make(service: str, **env: str):
            environ = environment(service, **env)
            if service == "web":
                return create_web_app(load_web_settings({"WEB_DEV_SIGN_IN": "true", **environ}))
            if service == "notify":
                app = create_notify_app(load_notify_settings(environ))
                closing.callback(app.extensions["lederdialog.deps"].celery.close)
            else:
                create = {"content": create_content_app, "assessment": create_assessment_app}
                app = create[service](load_settings(service, environ))
            closing.callback(app.extensions["lederdialog.deps"].close)
            return app

        yield make


def get(client, path: str, **kwargs):
    """A GET whose answer is read whole and closed (files are streamed)."""
    with client.get(path, **kwargs) as answer:
        answer.get_data()
        return answer


def paths_of(service: str) -> list[str]:
    """An answer of every kind: a probe, a document or page, an error, a file."""
    if service == "web":
        return ["/healthz", "/does-not-exist", static_url("dkfds/css/dkfds.min.css")]
    return ["/healthz", "/openapi.json", "/docs", "/api/v1/does-not-exist",
            "/docs/static/swagger-ui-bundle.js"]


# Security headers


@pytest.mark.parametrize("service", [*API_SERVICES, "web"])
def test_every_answer_of_every_service_carries_the_security_headers(app_of, service):
    client = app_of(service).test_client()
    policy = PAGE_CONTENT_SECURITY_POLICY if service == "web" else API_CONTENT_SECURITY_POLICY
    for path in paths_of(service):
        headers = get(client, path).headers
        assert headers["Content-Security-Policy"] == policy, path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert "Strict-Transport-Security" not in headers, path  # plain http


def test_the_framework_read_before_flask_carries_them_too(app_of):
    client = app_of("content").test_client()
    for _ in range(2):  # the first fills the cache, the second is answered from it
        answer = get(client, "/api/v1/framework")
        assert answer.status_code == 200
        assert answer.headers["Content-Security-Policy"] == API_CONTENT_SECURITY_POLICY
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_web_s_pages_are_never_cached(app_of):
    page = get(app_of("web").test_client(), "/does-not-exist")
    assert page.headers["Cache-Control"] == "no-store"
    docs = get(app_of("content").test_client(), "/docs")
    assert "no-store" not in docs.headers.get("Cache-Control", "")


@pytest.mark.parametrize("service", ["content", "web"])
def test_https_from_a_trusted_proxy_turns_hsts_on(app_of, service):
    client = app_of(service, TRUSTED_PROXIES="1").test_client()
    over_https = get(client, "/healthz", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in get(client, "/healthz").headers


def test_a_client_cannot_claim_https_when_no_proxy_is_trusted(app_of):
    client = app_of("content").test_client()
    answer = get(client, "/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in answer.headers


def test_the_session_cookie_is_secure_over_https_from_the_proxy(app_of):
    client = app_of("web", TRUSTED_PROXIES="1").test_client()
    get(client, "/language/en", headers={"X-Forwarded-Proto": "https"})
    assert client.get_cookie("lederdialog").secure
    plain = app_of("web", TRUSTED_PROXIES="1").test_client()
    get(plain, "/language/en")
    assert not plain.get_cookie("lederdialog").secure


# /docs


@pytest.mark.parametrize("service", API_SERVICES)
def test_docs_load_only_files_of_the_service_itself(app_of, service):
    client = app_of(service).test_client()
    page = get(client, "/docs")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == API_CONTENT_SECURITY_POLICY
    assets = ASSETS.findall(page.get_data(as_text=True))
    assert len(assets) == 4  # Swagger UI's stylesheet, icon and script, and docs.js
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert get(client, asset).status_code == 200, asset


def test_docs_serve_nothing_else_of_swagger_ui(app_of):
    client = app_of("content").test_client()
    for name in ("index.html", "swagger-initializer.js", "oauth2-redirect.html", "nothing.js"):
        assert get(client, f"/docs/static/{name}").status_code == 404, name


@pytest.mark.slow  # drives Chromium
def test_swagger_ui_works_in_a_browser_under_the_policy(app_of):
    with serving(app_of("content")) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.add_init_script(REPORT_VIOLATIONS)
            requested = record_requests(page)
            page.goto(f"{url}/docs")
            page.locator(".opblock").first.wait_for(timeout=20_000)
            assert page.locator(".opblock").count() >= 10  # every operation of content's API
            page.locator(".opblock-summary").first.click()
            page.locator(".opblock-body").first.wait_for()
            assert errors == []
            assert foreign_hosts(requested) == []
        finally:
            browser.close()


# Rate limits


def statuses(client, path: str, times: int, **kwargs) -> list[int]:
    return [get(client, path, **kwargs).status_code for _ in range(times)]


def test_a_person_over_the_limit_gets_429_and_others_go_on(app_of, token):
    client = app_of("content", RATE_LIMIT_PER_PERSON="3/minute",
                    RATE_LIMIT_PER_ADDRESS="100/minute").test_client()
    versions = "/api/v1/framework/versions"
    assert statuses(client, versions, 3, headers=token("hr-1", "hr_admin")) == [200] * 3
    refused = get(client, versions, headers=token("hr-1", "hr_admin"))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json["code"] == 429
    assert "at most 3/minute per person" in refused.json["message"]
    assert get(client, versions, headers=token("hr-2", "hr_admin")).status_code == 200
    assert get(client, versions).status_code == 200  # no one signed in: the address alone


def test_an_address_over_the_limit_gets_429_whoever_asks(app_of, token):
    client = app_of("content", RATE_LIMIT_PER_PERSON="100/minute",
                    RATE_LIMIT_PER_ADDRESS="3/minute").test_client()
    assert statuses(client, "/openapi.json", 3) == [200] * 3
    refused = get(client, "/openapi.json", headers=token("hr-1", "hr_admin"))
    assert refused.status_code == 429
    assert "at most 3/minute per client address" in refused.json["message"]
    assert "Retry-After" in refused.headers


def test_probes_and_files_are_not_counted(app_of):
    client = app_of("content", RATE_LIMIT_PER_ADDRESS="2/minute").test_client()
    assert get(client, "/api/v1/framework").status_code == 200  # counted; fills the cache
    assert statuses(client, "/openapi.json", 2) == [200, 429]
    for path in ("/healthz", "/readyz", "/metrics", "/docs/static/swagger-ui-bundle.js",
                 "/docs/static/docs.js"):
        assert get(client, path).status_code == 200, path
    # The framework's plain read is answered from memory before any other work is done.
    assert get(client, "/api/v1/framework").status_code == 200
    assert get(client, "/api/v1/framework?lang=xx").status_code == 429  # Flask answers this


def test_our_own_services_are_not_limited(app_of, token):
    client = app_of("assessment", RATE_LIMIT_PER_PERSON="2/minute",
                    RATE_LIMIT_PER_ADDRESS="2/minute").test_client()
    assert statuses(client, "/api/v1/me", 5, headers=token("notify", "service")) == [200] * 5


def test_a_bad_token_gets_401_and_counts_against_the_address(app_of):
    client = app_of("assessment", RATE_LIMIT_PER_ADDRESS="2/minute").test_client()
    bad = {"Authorization": "Bearer not-a-token"}
    assert statuses(client, "/api/v1/me", 3, headers=bad) == [401, 401, 429]


def test_behind_a_trusted_proxy_each_client_address_counts_apart(app_of):
    client = app_of("content", TRUSTED_PROXIES="1", RATE_LIMIT_PER_ADDRESS="2/minute").test_client()
    first = {"X-Forwarded-For": "203.0.113.1"}
    assert statuses(client, "/openapi.json", 3, headers=first) == [200, 200, 429]
    other = {"X-Forwarded-For": "203.0.113.1, 203.0.113.2"}  # the proxy appends the client
    assert get(client, "/openapi.json", headers=other).status_code == 200


def test_without_a_trusted_proxy_x_forwarded_for_changes_nothing(app_of):
    client = app_of("content", RATE_LIMIT_PER_ADDRESS="2/minute").test_client()
    answers = [get(client, "/openapi.json", headers={"X-Forwarded-For": f"203.0.113.{n}"})
               for n in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]


@pytest.mark.slow  # two gunicorn servers
def test_every_worker_and_replica_shares_the_counts(environment, tmp_path):
    env = environment("content", RATE_LIMIT_PER_ADDRESS="4/minute", LOG_LEVEL="WARNING")
    app_spec = "services.content.app:create_app()"
    with gunicorn(app_spec, env=env, log=tmp_path / "a.log", workers=2) as (_, first), \
            gunicorn(app_spec, env=env, log=tmp_path / "b.log", workers=2) as (_, second):
        answers = [requests.get(f"{url}/openapi.json", timeout=10)
                   for url in (first, second) * 4]
    assert [answer.status_code for answer in answers] == [200] * 4 + [429] * 4
    assert all(1 <= int(answer.headers["Retry-After"]) <= 60 for answer in answers[4:])


def test_without_redis_a_service_goes_on_answering_and_limiting(app_of):
    client = app_of("content", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
                    RATE_LIMIT_PER_ADDRESS="3/minute").test_client()
    assert statuses(client, "/openapi.json", 4) == [200, 200, 200, 429]
    assert get(client, "/healthz").status_code == 200


def test_the_web_answers_429_with_a_page(app_of):
    client = app_of("web", RATE_LIMIT_PER_ADDRESS="2/minute").test_client()
    assert statuses(client, "/does-not-exist", 2) == [404, 404]
    page = get(client, "/does-not-exist")
    assert page.status_code == 429
    assert page.mimetype == "text/html"
    assert "For mange forespørgsler" in page.get_data(as_text=True)
    assert 1 <= int(page.headers["Retry-After"]) <= 60
    assert get(client, static_url("dkfds/css/dkfds.min.css")).status_code == 200
    assert get(client, "/healthz").status_code == 200
