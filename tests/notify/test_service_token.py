"""Notify's token for the assessment API stays valid while a worker runs for weeks, and a
refused token keeps the job for a later try instead of dead-lettering it."""

from __future__ import annotations

import time
from types import SimpleNamespace

import jwt
import pytest
import requests

import shared.auth
from services.notify.config import load_notify_settings
from services.notify.directory import Directory, Unavailable
from services.notify.runtime import bootstrap
from shared.auth import RenewedToken
from shared.config import JWTSettings, load_settings
from shared.http import http_session
from tests.assessment.conftest import Org

HOUR = 3600


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_renewed_token_is_minted_again_once_half_its_life_has_passed(jwt_settings):
    now = [1_800_000_000.0]
    token = RenewedToken(jwt_settings, sub="notify", roles=["service"], ttl_seconds=HOUR,
                         clock=lambda: now[0])
    first = token()
    now[0] += HOUR / 2 - 1
    assert token() == first
    now[0] += 1
    renewed = token()
    assert renewed != first
    assert _claims(renewed)["exp"] == int(now[0]) + HOUR
    assert _claims(renewed)["roles"] == ["service"] and _claims(renewed)["sub"] == "notify"


def test_the_token_notify_sends_two_hours_after_it_started_is_a_fresh_one(
    jwt_settings, monkeypatch, tmp_path
):
    """Before, the worker minted its token once at start: an hour later the assessment API
    answered 401 and every email job was dead-lettered."""
    base = load_settings("notify", environ={}, jwt=jwt_settings,
                         database_url=f"sqlite:///{tmp_path / 'notify.db'}",
                         assessment_url="http://assessment.invalid")
    runtime = bootstrap(load_notify_settings({}, base=base))
    session = runtime.directory._session

    def sent_token() -> str:
        prepared = session.prepare_request(requests.Request("GET", "http://assessment.invalid/"))
        return prepared.headers["Authorization"].removeprefix("Bearer ")

    started = sent_token()
    later = time.time() + 2 * HOUR
    monkeypatch.setattr(shared.auth, "time", SimpleNamespace(time=lambda: later))
    fresh = sent_token()
    assert _claims(fresh)["exp"] > _claims(started)["exp"] + HOUR
    signed = jwt.decode(fresh, jwt_settings.secret, algorithms=["HS256"],  # the APIs' key
                        audience=jwt_settings.audience, issuer=jwt_settings.issuer,
                        options={"verify_iat": False, "verify_exp": False})
    assert signed["roles"] == ["service"]


def test_service_token_from_the_environment_is_sent_as_given(jwt_settings, tmp_path):
    base = load_settings("notify", environ={}, jwt=jwt_settings,
                         database_url=f"sqlite:///{tmp_path / 'notify.db'}")
    settings = load_notify_settings({"SERVICE_TOKEN": "from-the-identity-provider"}, base=base)
    session = http_session(token=settings.token())
    prepared = session.prepare_request(requests.Request("GET", "http://assessment.invalid/"))
    assert prepared.headers["Authorization"] == "Bearer from-the-identity-provider"


def test_a_refused_token_leaves_the_job_for_a_later_try(assessment, jwt_settings):
    """401 is the operator's to fix (SERVICE_TOKEN expired, keys rotated): the job is retried
    with backoff, not dead-lettered on its first try as if its data were wrong."""
    other_key = JWTSettings(secret="not-the-assessment-key-" + "y" * 32,
                            issuer=jwt_settings.issuer, audience=jwt_settings.audience)
    refused = RenewedToken(other_key, sub="notify", roles=["service"])
    directory = Directory(assessment.url, http_session(token=refused))
    with pytest.raises(Unavailable, match="401"):
        directory.unit(Org.skole)
    accepted = Directory(assessment.url,
                         http_session(token=RenewedToken(jwt_settings, sub="notify",
                                                         roles=["service"])))
    assert accepted.unit(Org.skole)["id"] == Org.skole
