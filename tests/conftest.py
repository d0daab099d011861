"""Fixtures shared by every test: Redis, a unique event stream, development tokens; and the
directories whose tests are all slow."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from redis import Redis

from shared.auth import mint_token
from shared.config import JWTSettings

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Directories whose every test is slow; elsewhere a module or a test carries the mark.
SLOW_DIRECTORIES = {Path(__file__).parent / "fuzz"}


@pytest.hookimpl(tryfirst=True)  # before -m picks the tests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark slow every test of a slow directory (docs/testing.md)."""
    for item in items:
        if SLOW_DIRECTORIES.intersection(item.path.parents):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the real Redis the tests use; a missing Redis fails the run, it never skips."""
    client = Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:
        pytest.fail(f"Redis is needed at {TEST_REDIS_URL} (TEST_REDIS_URL): {exc}", pytrace=False)
    finally:
        client.close()
    return TEST_REDIS_URL


@pytest.fixture
def redis(redis_url):
    """A Redis client for the test."""
    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def stream(redis) -> str:
    """A stream name of this test's own, deleted afterwards."""
    name = f"test.lederdialog.events.{uuid.uuid4().hex}"
    yield name
    redis.delete(name)


@pytest.fixture(scope="session")
def jwt_settings() -> JWTSettings:
    """The JWT settings every test app verifies with."""
    return JWTSettings(secret="test-secret-" + "x" * 32, issuer="lederdialog-test")


@pytest.fixture(scope="session")
def token(jwt_settings):
    """Mint a bearer header for a subject with roles: token('hr-1', 'hr_admin')."""

    def make(sub: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(jwt_settings, sub=sub, roles=list(roles))}"}

    return make
