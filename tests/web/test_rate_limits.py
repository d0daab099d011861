"""The pages' rate limits, per person and per address, and the APIs' behind them."""

from __future__ import annotations

import time

import pytest

from services.web.app import create_app as create_web_app
from services.web.settings import load_web_settings
from shared.config import load_settings
from tests.assessment.conftest import add_small_org
from tests.support.servers import assessment_server
from tests.web.conftest import sign_in

TOO_MANY = "For mange forespørgsler"


@pytest.fixture
def web_on(redis_url, stream, jwt_settings, content_url):
    """A web app of this test on an assessment URL, its limits from an environment."""

    def make(assessment_url: str, **env: str):
        settings = load_web_settings(
            {"WEB_DEV_SIGN_IN": "true", **env}, redis_url=redis_url, event_stream=stream,
            jwt=jwt_settings, content_url=content_url, assessment_url=assessment_url,
        )
        return create_web_app(settings)

    return make


def client_at(app, address: str):
    """A browser at a client address of its own."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_person_over_the_limit_gets_a_page_saying_so_and_others_go_on(
        web_on, assessment_url, org):
    app = web_on(assessment_url, RATE_LIMIT_PER_PERSON="3/minute",
                 RATE_LIMIT_PER_ADDRESS="100/minute")
    leader, employee = client_at(app, "198.51.100.1"), client_at(app, "198.51.100.1")
    sign_in(leader, "leader")  # not signed in yet: counts against the address alone
    assert [leader.get("/framework").status_code for _ in range(3)] == [200] * 3
    refused = leader.get("/framework")
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    sign_in(employee, "emp1")
    assert employee.get("/framework").status_code == 200


@pytest.fixture
def proxied_assessment_url(tmp_path, redis_url, stream, jwt_settings, content_url):
    """An assessment service trusting one proxy (the web), allowing 12 requests a minute
    per client address; it holds the small organisation."""
    settings = load_settings("assessment", {
        "TRUSTED_PROXIES": "1", "RATE_LIMIT_PER_ADDRESS": "12/minute",
    }, database_url=f"sqlite:///{tmp_path / 'assessment.db'}", redis_url=redis_url,
        event_stream=stream, jwt=jwt_settings, content_url=content_url)
    with assessment_server(settings, seed=add_small_org) as base_url:
        yield base_url


def test_the_apis_count_each_person_at_their_own_address(web_on, proxied_assessment_url):
    app = web_on(proxied_assessment_url)
    leader, tr = client_at(app, "198.51.100.1"), client_at(app, "198.51.100.2")
    sign_in(leader, "leader")  # the sign-in's own calls come from the web's address
    sign_in(tr, "tr")
    pages = 0
    while (answer := leader.get("/overview")).status_code == 200 and pages < 20:
        pages += 1
    started = time.monotonic()
    assert leader.get("/overview").status_code == 429, "the leader's address was never limited"
    assert time.monotonic() - started < 5  # the page does not wait out the API's Retry-After
    assert TOO_MANY in answer.get_data(as_text=True)
    assert pages >= 5  # the leader's address has a budget of its own
    assert tr.get("/overview").status_code == 200  # and so has the TR's
