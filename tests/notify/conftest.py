"""Fixtures for notify: real content and assessment services over HTTP, notify's database,
a real SMTP server, and notify's own processes (consumer, Celery worker, beat).
"""

from __future__ import annotations

import pytest
from redis import Redis

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.app import create_app as create_assessment_app
from services.assessment.models import Outbox
from services.notify.app import MIGRATIONS, create_app
from services.notify.config import EventRetry, Policy
from services.notify.consumer import Consumer
from shared.config import load_settings
from shared.db import make_engine, make_session_factory
from shared.migrations import upgrade
from shared.outbox import OutboxRelay
from tests.assessment.conftest import ASSESSMENT_TABLES, add_small_org
from tests.support.databases import (
    backends,
    empty_tables,
    migrated_database,
)
from tests.support.notify_stack import Assessment, NotifyStack, notify_environment
from tests.support.servers import content_server, serving
from tests.support.smtp_sink import SmtpSink

NOTIFY_TABLES = ("processed_events", "dead_events", "reminders", "jobs", "deliveries",
                 "dead_letters", "erased_people")
# The in-process consumer's policy: dated emails at midnight UTC; its retries quick.
POLICY = Policy(timezone="UTC", send_hour=0)
QUICK_RETRY = EventRetry(max_attempts=3, backoff=0.1, backoff_max=0.2)


@pytest.fixture(scope="session")
def content_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """Base URL of a real content service (framework version 1) over HTTP."""
    yield from content_server(tmp_path_factory, name="notify-content", redis_url=redis_url,
                              jwt_settings=jwt_settings)


@pytest.fixture(scope="session")
def assessment_database_url(tmp_path_factory) -> str:
    """The assessment service's database (SQLite: it is not the database under test here)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('notify-assessment') / 'assessment.db'}"
    upgrade(ASSESSMENT_MIGRATIONS, url)
    return url


@pytest.fixture
def assessment_sessions(assessment_database_url):
    """A session factory on the emptied assessment database, holding the test org."""
    engine = make_engine(assessment_database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        empty_tables(session, *ASSESSMENT_TABLES)
        add_small_org(session)
    yield factory
    engine.dispose()


@pytest.fixture
def assessment(assessment_database_url, assessment_sessions, redis_url, stream, jwt_settings,
               content_url):
    """The real assessment app over HTTP, publishing its events onto the test's stream."""
    settings = load_settings(
        "assessment", environ={}, database_url=assessment_database_url, redis_url=redis_url,
        event_stream=stream, jwt=jwt_settings, content_url=content_url,
    )
    app = create_assessment_app(settings)
    redis = Redis.from_url(redis_url)
    relay = OutboxRelay(session_factory=assessment_sessions, model=Outbox, redis=redis,
                        stream=stream, service="assessment")
    with serving(app) as base_url:
        yield Assessment(url=base_url, app=app, relay=relay)
    redis.close()
    app.extensions["lederdialog.deps"].close()


@pytest.fixture(scope="session", params=backends())
def notify_database_url(request, tmp_path_factory) -> str:
    """A notify database migrated to head, once per backend."""
    yield from migrated_database(request, tmp_path_factory, service="notify",
                                 migrations=MIGRATIONS)


@pytest.fixture
def notify_sessions(notify_database_url):
    """A session factory on the emptied notify database."""
    engine = make_engine(notify_database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        empty_tables(session, *NOTIFY_TABLES)
    yield factory
    engine.dispose()


@pytest.fixture
def raw_redis(redis_url):
    """A Redis client answering bytes, as the consumer's does."""
    client = Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def consumer(raw_redis, stream, notify_sessions):
    """Make an in-process consumer of the test's stream; the jobs it hands on land in its
    `jobs` list."""

    def make(name: str = "c1", **options) -> Consumer:
        jobs: list[dict] = []
        options = {"policy": POLICY, "retry": QUICK_RETRY, **options}
        made = Consumer(redis=raw_redis, stream=stream, name=name,
                        session_factory=notify_sessions, enqueue=jobs.extend, block_ms=100,
                        **options)
        made.jobs = jobs
        made.ensure_group()
        return made

    return make


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) for the whole run."""
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def sink(smtp_server) -> SmtpSink:
    """The SMTP server, emptied and accepting, for this test."""
    smtp_server.clear()
    yield smtp_server
    smtp_server.clear()


@pytest.fixture
def stack(notify_database_url, notify_sessions, redis_url, stream, assessment,
          content_url, sink, jwt_settings, tmp_path):
    """notify's processes (not started) on the test's database, stream, queue and SMTP server."""
    environment = notify_environment(
        database_url=notify_database_url, redis_url=redis_url, stream=stream,
        assessment_url=assessment.url, content_url=content_url, smtp_url=sink.url,
        public_base_url="https://lederdialog.example", jwt_settings=jwt_settings,
        var_dir=tmp_path,
    )
    notify = NotifyStack(env=environment, log_dir=tmp_path)
    yield notify
    notify.stop()
    print(notify.logs())  # pytest shows it only when the test failed


@pytest.fixture
def api(stack):
    """A test client of notify's API (dead letters, dead events), on the test's database
    and queue."""
    app = create_app(stack.settings)
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["lederdialog.deps"].close()
