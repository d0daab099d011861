"""Fixtures for the content service: a migrated database per backend, an app, a client."""

from __future__ import annotations

import pytest

from services.content import service
from services.content.app import MIGRATIONS, create_app
from shared.config import load_settings
from shared.db import make_engine, make_session_factory
from tests.support.databases import (
    backends,
    empty_tables,
    migrated_database,
)


@pytest.fixture(scope="session", params=backends())
def content_database_url(request, tmp_path_factory) -> str:
    """A content database migrated to head, once per backend."""
    yield from migrated_database(request, tmp_path_factory, service="content",
                                 migrations=MIGRATIONS)


@pytest.fixture
def content_settings(content_database_url, redis_url, stream, jwt_settings):
    """Settings of a content service on the test database, Redis and stream."""
    return load_settings(
        "content", environ={}, database_url=content_database_url, redis_url=redis_url,
        event_stream=stream, jwt=jwt_settings,
    )


@pytest.fixture
def content_sessions(content_settings):
    """A session factory on the content database, emptied and seeded with version 1."""
    engine = make_engine(content_settings.database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        empty_tables(session, "outbox", "framework_versions")
        service.seed_if_empty(session)
    yield factory
    engine.dispose()


@pytest.fixture
def content_app(content_settings, content_sessions):
    """The content app on a freshly seeded database."""
    app = create_app(content_settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["lederdialog.deps"].close()


@pytest.fixture
def client(content_app):
    """A test client of the content app."""
    return content_app.test_client()
