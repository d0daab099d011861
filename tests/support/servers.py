"""Run a Flask app for real over HTTP on a free local port, in a thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.app import create_app as create_assessment_app
from services.content import service as content_service
from services.content.app import MIGRATIONS, create_app
from services.notify.app import MIGRATIONS as NOTIFY_MIGRATIONS
from services.notify.app import create_app as create_notify_app
from services.notify.config import load_notify_settings
from shared.config import Settings, load_settings
from shared.db import make_engine, make_session_factory
from shared.migrations import upgrade

# Nothing listens here: a call to it fails as with the service down.
UNREACHABLE = "http://127.0.0.1:9"


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve app on 127.0.0.1 until the block ends; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def content_server(tmp_path_factory, *, name: str, redis_url: str, jwt_settings) -> Iterator[str]:
    """A real content service holding framework version 1, over HTTP: yields its base URL.

    Each test package that needs one starts its own (`name` keeps their databases and
    streams apart), so what one package publishes never shows in another's. It serves a
    whole package's tests as the same few people, so it runs without rate limits."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'content.db'}"
    upgrade(MIGRATIONS, url)
    settings = load_settings("content", environ={}, database_url=url, redis_url=redis_url,
                             event_stream=f"test.{name}", jwt=jwt_settings, rate_limits=None)
    app = create_app(settings)
    with app.extensions["lederdialog.deps"].session_factory() as session:
        content_service.seed_if_empty(session)
    with serving(app) as base_url:
        yield base_url


@contextmanager
def assessment_server(settings: Settings, *, seed: Callable) -> Iterator[str]:
    """A real assessment service on settings (its database migrated here, then given to
    seed in a session, e.g. tests.assessment.conftest.add_small_org), over HTTP: yields its
    base URL."""
    upgrade(ASSESSMENT_MIGRATIONS, settings.database_url)
    app = create_assessment_app(settings)
    deps = app.extensions["lederdialog.deps"]
    with deps.session_factory() as session:
        seed(session)
    try:
        with serving(app) as base_url:
            yield base_url
    finally:
        deps.close()


def notify_server(
    tmp_path_factory, *, name: str, redis_url: str, jwt_settings,
    seed: Callable | None = None,
) -> Iterator[str]:
    """A real notify API over HTTP on a database of its own, given to seed in a session
    first if given (the emails a test's person was sent): yields its base URL. The
    assessment service asks it for a person's emails when it exports their data."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'notify.db'}"
    upgrade(NOTIFY_MIGRATIONS, url)
    if seed is not None:
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            seed(session)
            session.commit()
        engine.dispose()
    base = load_settings("notify", environ={}, database_url=url, redis_url=redis_url,
                         event_stream=f"test.{name}", jwt=jwt_settings, rate_limits=None)
    app = create_notify_app(load_notify_settings(environ={}, base=base))
    try:
        with serving(app) as base_url:
            yield base_url
    finally:
        app.extensions["lederdialog.deps"].close()
