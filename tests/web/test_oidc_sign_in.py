"""Signing in with OpenID Connect, end to end, against a real local provider.

The stack is production-shaped: a provider (oidc-provider-mock, tests/support/oidc_provider.py)
issuing RS256 access tokens for the APIs' audience, content and assessment services that
verify them through its JWKS, and the web app served over HTTP with OIDC sign-in (no
development sign-in). A `requests.Session` is the browser: it keeps cookies, and every
redirect is followed by hand so each hop can be checked.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from redis import Redis

from services.web.app import create_app as create_web_app
from services.web.settings import load_web_settings
from shared.config import JWTSettings, load_settings
from tests.assessment.conftest import add_small_org
from tests.support.oidc_provider import serving_oidc_provider
from tests.support.servers import assessment_server, content_server, serving
from tests.web.conftest import csrf_token

CLIENT_ID = "lederdialog-web"
SESSION_PREFIX = "lederdialog:web:session:"
LEADER_CLAIMS = {"roles": ["leader"], "name": "Lars Leder"}

# oidc-provider-mock 0.3.4 signs ID tokens through Authlib's get_jwt_config, which Authlib
# 1.9 deprecates (warning on every token issued, in the provider's thread): theirs, not ours.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")


@pytest.fixture(scope="module")
def provider_url() -> str:
    with serving_oidc_provider() as url:
        yield url


@pytest.fixture(scope="module")
def rs256(provider_url) -> JWTSettings:
    """What the services verify in production: the provider's RS256 tokens, through its JWKS."""
    return JWTSettings(algorithm="RS256", jwks_url=f"{provider_url}/jwks", issuer=provider_url,
                       audience="lederdialog")


@pytest.fixture(scope="module")
def oidc_content_url(tmp_path_factory, redis_url, rs256) -> str:
    yield from content_server(tmp_path_factory, name="web-oidc-content", redis_url=redis_url,
                              jwt_settings=rs256)


@pytest.fixture(scope="module")
def oidc_assessment_url(tmp_path_factory, redis_url, rs256, oidc_content_url) -> str:
    """An assessment service on the small organisation, verifying the provider's tokens."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web-oidc-assessment') / 'assessment.db'}"
    with assessment_server(load_settings(
        "assessment", environ={}, database_url=url, redis_url=redis_url,
        event_stream="test.web-oidc.events", jwt=rs256, content_url=oidc_content_url,
    ), seed=add_small_org) as base_url:
        yield base_url


class _Later:
    """A WSGI app served before it exists: the web app's settings need the address it is
    served on (PUBLIC_BASE_URL, the redirect URI's base)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def oidc_web(provider_url, redis_url, rs256, oidc_content_url, oidc_assessment_url):
    """The web app signing people in through the provider, served over HTTP: (app, URL)."""
    later = _Later()
    with serving(later) as url:
        settings = load_web_settings(
            {"OIDC_ISSUER": provider_url, "OIDC_CLIENT_ID": CLIENT_ID,
             "OIDC_CLIENT_SECRET": "test-secret", "WEB_SECRET_KEY": "x" * 32,
             "PUBLIC_BASE_URL": url},
            redis_url=redis_url, jwt=rs256, content_url=oidc_content_url,
            assessment_url=oidc_assessment_url,
        )
        assert not settings.sign_in.dev
        later.app = create_web_app(settings)
        yield later.app, url


@pytest.fixture
def web_url(oidc_web) -> str:
    """This module's web app's URL (not the conftest's, which signs in for development)."""
    return oidc_web[1]


@pytest.fixture
def browser():
    with requests.Session() as session:
        yield session


def hop(browser: requests.Session, url: str, method: str = "GET", **kwargs) -> requests.Response:
    """One request, no redirects followed."""
    return browser.request(method, url, allow_redirects=False, timeout=10, **kwargs)


def set_user(provider_url: str, sub: str, claims: dict) -> None:
    answer = requests.put(f"{provider_url}/users/{sub}", json=claims, timeout=10)
    assert answer.status_code == 204, answer.text


def to_provider(browser, web_url, provider_url, next_path="/overview") -> str:
    """Start signing in; the provider's authorize URL the web app sends the browser to."""
    answer = hop(browser, f"{web_url}/sign-in?next={next_path}")
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(f"{provider_url}/oauth2/authorize?")
    return location


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_a_leader_signs_in_through_the_provider_and_the_apis_accept_its_token(
    browser, web_url, provider_url, redis_url
):
    seen: list[requests.Response] = []  # every answer of the web app the browser got

    def web(url: str, method: str = "GET", **kwargs) -> requests.Response:
        seen.append(hop(browser, urljoin(web_url, url), method, **kwargs))
        return seen[-1]

    answer = web("/overview")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/sign-in?next=/overview"

    answer = web(answer.headers["Location"])
    assert answer.status_code == 302
    authorize_url = answer.headers["Location"]
    assert authorize_url.startswith(f"{provider_url}/oauth2/authorize?")
    asked = query(authorize_url)
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT_ID
    assert asked["redirect_uri"] == f"{web_url}/sign-in/callback"
    assert set(asked["scope"].split()) >= {"openid", "profile", "email"}
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) == 43  # base64url of a SHA-256 digest, unpadded
    assert asked["state"] and asked["nonce"]
    session_before = browser.cookies.get("lederdialog", domain="127.0.0.1")
    assert session_before  # the state and code verifier wait on the server

    set_user(provider_url, "leader", LEADER_CLAIMS)
    form = hop(browser, authorize_url)
    assert form.status_code == 200 and 'name="sub"' in form.text  # the provider's sign-in form
    answer = hop(browser, authorize_url, "POST", data={"sub": "leader"})
    assert answer.status_code == 302
    callback_url = answer.headers["Location"]
    assert callback_url.startswith(f"{web_url}/sign-in/callback?")
    back = query(callback_url)
    assert back["state"] == asked["state"] and back["code"]

    answer = web(callback_url)  # the web app exchanges the code (with its PKCE verifier)
    assert answer.status_code == 302, answer.text[:500]
    assert answer.headers["Location"] == "/overview"  # `next` survived the round trip

    answer = web("/overview")
    assert answer.status_code == 200
    assert "Skovgårdsskolen" in answer.text  # the leader's unit: the assessment API let them in
    assert "Lars Leder" in answer.text

    cookie = next(c for c in browser.cookies if c.name == "lederdialog")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.value != session_before  # a fresh session id once signed in (no fixation)
    for web_answer in seen:  # the browser never sees a token
        assert "eyJ" not in web_answer.text
        assert all("eyJ" not in value for value in web_answer.headers.values())
    assert all("eyJ" not in (c.value or "") for c in browser.cookies)

    # What the server keeps and sends to the APIs is the provider's token for their audience.
    with Redis.from_url(redis_url) as redis:
        assert redis.get(SESSION_PREFIX + session_before) is None
        kept = redis.get(SESSION_PREFIX + cookie.value)
    assert kept is not None
    token = json.loads(kept)["token"]  # SESSION_SERIALIZATION_FORMAT="json"
    header = jwt.get_unverified_header(token)
    keys = requests.get(f"{provider_url}/jwks", timeout=10).json()["keys"]
    assert header["alg"] == "RS256" and header["kid"] in {key["kid"] for key in keys}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "leader" and claims["roles"] == ["leader"]
    assert claims["aud"] == "lederdialog" and claims["iss"] == provider_url


def sign_in(browser, web_url, provider_url) -> None:
    """Sign in as the leader through the provider, following every hop."""
    set_user(provider_url, "leader", LEADER_CLAIMS)
    authorize_url = to_provider(browser, web_url, provider_url)
    answer = hop(browser, authorize_url, "POST", data={"sub": "leader"})
    answer = hop(browser, answer.headers["Location"])
    assert answer.status_code == 302 and answer.headers["Location"] == "/overview"


def test_a_callback_with_a_wrong_state_is_refused(browser, web_url, provider_url):
    authorize_url = to_provider(browser, web_url, provider_url)
    set_user(provider_url, "leader", LEADER_CLAIMS)
    code = query(hop(browser, authorize_url, "POST", data={"sub": "leader"}).headers["Location"])
    answer = hop(browser, f"{web_url}/sign-in/callback?code={code['code']}&state=forged")
    assert answer.status_code == 400
    assert "· Lederdialog</title>" in answer.text  # the app's own error page
    assert "eyJ" not in answer.text
    overview = hop(browser, f"{web_url}/overview")
    assert overview.status_code == 302
    assert overview.headers["Location"].startswith("/sign-in")


def test_a_refusal_at_the_provider_signs_no_one_in(browser, web_url, provider_url):
    authorize_url = to_provider(browser, web_url, provider_url)
    answer = hop(browser, authorize_url, "POST", data={"action": "deny"})
    back = query(answer.headers["Location"])
    assert back["error"] == "access_denied"
    assert hop(browser, answer.headers["Location"]).status_code == 400
    assert hop(browser, f"{web_url}/overview").status_code == 302


def test_a_code_exchanged_without_its_verifier_is_refused_by_the_provider(
    browser, web_url, provider_url
):
    """The provider checks PKCE (S256): the code alone, intercepted, is worth nothing."""
    authorize_url = to_provider(browser, web_url, provider_url)
    set_user(provider_url, "leader", LEADER_CLAIMS)
    code = query(hop(browser, authorize_url, "POST", data={"sub": "leader"}).headers["Location"])
    asked = query(authorize_url)
    exchange = {"grant_type": "authorization_code", "code": code["code"],
                "redirect_uri": asked["redirect_uri"], "code_verifier": "not-the-verifier"}
    answer = requests.post(f"{provider_url}/oauth2/token", data=exchange,
                           auth=(CLIENT_ID, "test-secret"), timeout=10)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant",
                             "error_description": "PKCE verification failed"}


def test_sign_out_ends_the_session(browser, web_url, provider_url, redis_url):
    sign_in(browser, web_url, provider_url)
    page = hop(browser, f"{web_url}/overview")
    assert page.status_code == 200
    sid = browser.cookies.get("lederdialog", domain="127.0.0.1")
    answer = hop(browser, f"{web_url}/sign-out", "POST", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302
    assert hop(browser, f"{web_url}/overview").status_code == 302
    with Redis.from_url(redis_url) as redis:
        assert b"eyJ" not in (redis.get(SESSION_PREFIX + sid) or b"")  # the token is gone


def test_the_redirect_uri_is_the_public_address_behind_a_proxy(oidc_web):
    """Behind a reverse proxy the request arrives on an inner address over http; the provider
    must still be given the registered, public callback (PUBLIC_BASE_URL)."""
    app, url = oidc_web
    answer = app.test_client().get("/sign-in", base_url="http://web:8000")
    assert answer.status_code == 302
    assert query(answer.headers["Location"])["redirect_uri"] == f"{url}/sign-in/callback"
