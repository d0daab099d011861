"""Fixtures for the assessment service: its database, a real content service, an org."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from services.assessment.app import MIGRATIONS, create_app
from services.assessment.models import Base, Person, Unit
from shared.config import load_settings
from shared.db import make_engine, make_session_factory
from tests.support.databases import (
    backends,
    empty_tables,
    migrated_database,
)
from tests.support.servers import content_server

# Every table of the service, those that refer to others first.
ASSESSMENT_TABLES = tuple(table.name for table in reversed(Base.metadata.sorted_tables))


@pytest.fixture(scope="session")
def content_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """Base URL of a real content service (framework version 1) over HTTP."""
    yield from content_server(tmp_path_factory, name="content-server", redis_url=redis_url,
                              jwt_settings=jwt_settings)


@pytest.fixture(scope="session", params=backends())
def assessment_database_url(request, tmp_path_factory) -> str:
    """An assessment database migrated to head, once per backend."""
    yield from migrated_database(request, tmp_path_factory, service="assessment",
                                 migrations=MIGRATIONS)


@pytest.fixture
def assessment_settings(assessment_database_url, redis_url, stream, jwt_settings, content_url):
    """Settings of an assessment service on the test database, Redis, stream and content."""
    return load_settings(
        "assessment", environ={}, database_url=assessment_database_url, redis_url=redis_url,
        event_stream=stream, jwt=jwt_settings, content_url=content_url,
    )


@pytest.fixture
def assessment_sessions(assessment_settings):
    """A session factory on the emptied assessment database."""
    engine = make_engine(assessment_settings.database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        empty_tables(session, *ASSESSMENT_TABLES)
    yield factory
    engine.dispose()


@pytest.fixture
def assessment_app(assessment_settings, assessment_sessions):
    """The assessment app on an empty database."""
    app = create_app(assessment_settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["lederdialog.deps"].close()


@pytest.fixture
def client(assessment_app):
    """A test client of the assessment app."""
    return assessment_app.test_client()


@dataclass(frozen=True)
class Org:
    """A small organisation: kommune > skole > sfo, with leaders, TRIOs and employees.

    kommune: leader "director"; skole: leader "leader", TR "tr", AMR "amr",
    employees "emp1", "emp2"; sfo: leader "sfo-leader", TR "sfo-tr", AMR "sfo-amr",
    employee "sfo-emp"; "hr" works in HR (no unit).
    """

    kommune: str = "kommune"
    skole: str = "skole"
    sfo: str = "sfo"


PEOPLE = [
    ("director", "Dorthe Direktør", "kommune", "da"),
    ("leader", "Lars Leder", "skole", "da"),
    ("tr", "Tina Tillid", "skole", "da"),
    ("amr", "Anders Arbejdsmiljø", "skole", "en"),
    ("emp1", "Eva Ansat", "skole", "da"),
    ("emp2", "Emil Ansat", "skole", "en"),
    ("sfo-leader", "Sofie SFO-leder", "sfo", "da"),
    ("sfo-tr", "Svend Tillid", "sfo", "da"),
    ("sfo-amr", "Signe Arbejdsmiljø", "sfo", "da"),
    ("sfo-emp", "Sara Ansat", "sfo", "da"),
    ("hr", "Hanne HR", None, "da"),
]
UNITS = [
    ("kommune", "Gentofte Kommune", None, "director", None, None),
    ("skole", "Skovgårdsskolen", "kommune", "leader", "tr", "amr"),
    ("sfo", "SFO Skovgården", "skole", "sfo-leader", "sfo-tr", "sfo-amr"),
]


def add_small_org(session) -> None:
    """Store the PEOPLE and UNITS of `Org` and commit."""
    for person_id, name, unit_id, language in PEOPLE:
        session.add(Person(id=person_id, name=name, email=f"{person_id}@gentofte.test",
                           language=language, unit_id=unit_id))
    session.flush()
    for unit_id, name, parent_id, leader_id, tr_id, amr_id in UNITS:
        session.add(Unit(id=unit_id, name=name, parent_id=parent_id, leader_id=leader_id,
                         tr_id=tr_id, amr_id=amr_id))
        session.flush()  # a unit's parent must exist before it
    session.commit()


@pytest.fixture
def org(assessment_sessions) -> Org:
    """The small organisation of `Org`, stored in the assessment database."""
    with assessment_sessions() as session:
        add_small_org(session)
    return Org()


@pytest.fixture
def hr(token):
    """Headers of an HR admin."""
    return token("hr", "hr_admin")
