"""Fixtures for fuzzing every service's API: its app on fresh data, per backend and per role."""

from __future__ import annotations

import uuid

import pytest

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.app import create_app as create_assessment_app
from services.content import service as content_service
from services.content.app import MIGRATIONS as CONTENT_MIGRATIONS
from services.content.app import create_app as create_content_app
from services.notify.app import MIGRATIONS as NOTIFY_MIGRATIONS
from services.notify.app import create_app as create_notify_app
from services.notify.config import load_notify_settings
from services.notify.models import DeadLetter
from shared.config import load_settings
from tests.assessment.conftest import ASSESSMENT_TABLES, PEOPLE, UNITS, add_small_org
from tests.fuzz.contract import load_schema
from tests.notify.conftest import NOTIFY_TABLES
from tests.support.databases import backends, empty_tables, migrated_database
from tests.support.dialogues import FOCUS_AREAS, dialogue_body, record
from tests.support.servers import content_server, notify_server

# Who calls for each role: the leader leads skole, the employee and the TRIO member work
# there, so the records they may see exist; "none" sends no token at all.
SUBJECTS = {"hr_admin": "hr", "leader": "leader", "employee": "emp1", "trio": "tr",
            "service": "notify", "none": None}
# Each role has a seed of its own: the roles together try six times as many inputs of
# every operation as one would, and every run tries the same ones.
SEEDS = {role: 20260917 + n for n, role in enumerate(SUBJECTS)}
# Fuzzed cases per operation and role, on top of Schemathesis's examples and coverage
# cases (boundaries, wrong types, missing fields): about two minutes per backend on 2 cores.
MAX_EXAMPLES = 20
# Thousands of requests: only what went wrong is worth showing next to a failure.
LOG_LEVEL = "WARNING"
# Thousands of requests a minute from one person: the apps run without rate limits
# (tests/test_http_edge.py tests those).


@pytest.fixture(params=list(SUBJECTS))
def role(request) -> str:
    """The role whose token every request of the test carries."""
    return request.param


@pytest.fixture
def fuzz(role, token) -> dict:
    """How the role's requests are made: its bearer header (none for "none") and seed."""
    subject = SUBJECTS[role]
    headers = {} if subject is None else token(subject, role)
    return {"headers": headers, "seed": SEEDS[role], "max_examples": MAX_EXAMPLES}


def _deps(app):
    return app.extensions["lederdialog.deps"]


@pytest.fixture(scope="session", params=backends())
def fuzz_content_database_url(request, tmp_path_factory) -> str:
    """A content database migrated to head, once per backend."""
    yield from migrated_database(request, tmp_path_factory, service="fuzz_content",
                                 migrations=CONTENT_MIGRATIONS)


@pytest.fixture
def content_app(fuzz_content_database_url, redis_url, stream, jwt_settings):
    """The content app holding published version 1 and an open draft, version 2."""
    settings = load_settings("content", environ={}, database_url=fuzz_content_database_url,
                             redis_url=redis_url, event_stream=stream, jwt=jwt_settings,
                             log_level=LOG_LEVEL, rate_limits=None)
    app = create_content_app(settings)
    with _deps(app).session_factory() as session:
        empty_tables(session, "outbox", "framework_versions")
        content_service.seed_if_empty(session)
        content_service.create_draft(session, by="hr")
    yield app
    _deps(app).close()


@pytest.fixture(scope="session")
def fuzz_content_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """Base URL of a real content service (framework version 1) for assessment."""
    yield from content_server(tmp_path_factory, name="fuzz-content", redis_url=redis_url,
                              jwt_settings=jwt_settings)


@pytest.fixture(scope="session")
def fuzz_notify_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """Base URL of a real notify API, which a person's export asks for their emails."""
    yield from notify_server(tmp_path_factory, name="fuzz-notify", redis_url=redis_url,
                             jwt_settings=jwt_settings)


@pytest.fixture(scope="session", params=backends())
def fuzz_assessment_database_url(request, tmp_path_factory) -> str:
    """An assessment database migrated to head, once per backend."""
    yield from migrated_database(request, tmp_path_factory, service="fuzz_assessment",
                                 migrations=ASSESSMENT_MIGRATIONS)


@pytest.fixture
def assessment_app(fuzz_assessment_database_url, redis_url, stream, jwt_settings,
                   fuzz_content_url, fuzz_notify_url):
    """The assessment app holding the small org (see `Org`)."""
    settings = load_settings(
        "assessment", environ={}, database_url=fuzz_assessment_database_url,
        redis_url=redis_url, event_stream=stream, jwt=jwt_settings, content_url=fuzz_content_url,
        notify_url=fuzz_notify_url, log_level=LOG_LEVEL, rate_limits=None,
    )
    app = create_assessment_app(settings)
    with _deps(app).session_factory() as session:
        empty_tables(session, *ASSESSMENT_TABLES)
        add_small_org(session)
    yield app
    _deps(app).close()


@pytest.fixture
def dialogue(assessment_app, token) -> dict:
    """A shared dialogue of skole with one action, recorded by its leader."""
    return record(assessment_app.test_client(), token("leader", "leader"), dialogue_body())


@pytest.fixture(scope="session", params=backends())
def fuzz_notify_database_url(request, tmp_path_factory) -> str:
    """A notify database migrated to head, once per backend."""
    yield from migrated_database(request, tmp_path_factory, service="fuzz_notify",
                                 migrations=NOTIFY_MIGRATIONS)


@pytest.fixture
def notify_app(fuzz_notify_database_url, redis_url, redis, stream, jwt_settings):
    """notify's API holding two dead letters; what a retry queues lands on a queue of its own."""
    queue = f"test.fuzz.notify.{uuid.uuid4().hex}"
    settings = load_notify_settings(environ={
        "DATABASE_URL": fuzz_notify_database_url, "REDIS_URL": redis_url, "EVENT_STREAM": stream,
        "NOTIFY_QUEUE": queue, "JWT_SECRET": jwt_settings.secret,
        "JWT_ISSUER": jwt_settings.issuer, "LOG_LEVEL": LOG_LEVEL, "RATE_LIMITS": "off",
    })
    app = create_notify_app(settings)
    with _deps(app).session_factory() as session:
        empty_tables(session, *NOTIFY_TABLES)
        session.add_all(DeadLetter(
            key=f"dialogue_summary:{n}:leader", kind="dialogue_summary", person_id="leader",
            job={"kind": "dialogue_summary", "source": f"event-{n}", "data": {}},
            error="550 mailbox unavailable", smtp_code=550,
        ) for n in (1, 2))
        session.commit()
    yield app
    _deps(app).close()
    _deps(app).celery.close()
    for key in redis.scan_iter(match=f"*{queue}*"):  # the queue and kombu's bindings of it
        redis.delete(key)


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """Schemathesis 4.32's `from_fixture` reads and renames the test's `_nodeid`, which
    pytest 9.2 no longer has; without it every fuzz test fails with an AttributeError."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def content_schema(content_app, fuzz):
    """content's OpenAPI, calling the app with the role's token."""
    return load_schema(content_app, **fuzz,
                       known_ids={"version_id": [1, 2], "version": [1, 2], "key": FOCUS_AREAS})


@pytest.fixture
def assessment_schema(assessment_app, dialogue, fuzz):
    """assessment's OpenAPI, calling the app with the role's token."""
    units = [unit[0] for unit in UNITS]
    people = [person[0] for person in PEOPLE]
    return load_schema(assessment_app, **fuzz, known_ids={
        "unit_id": units, "parent_id": units,
        **dict.fromkeys(("person_id", "leader_id", "tr_id", "amr_id", "owner_id"), people),
        "dialogue_id": [dialogue["id"]], "action_id": [a["id"] for a in dialogue["actions"]],
    })


@pytest.fixture
def notify_schema(notify_app, fuzz):
    """notify's OpenAPI, calling the app with the role's token."""
    return load_schema(notify_app, **fuzz, known_ids={"dead_letter_id": [1, 2]})

