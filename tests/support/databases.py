"""Fresh databases for tests: SQLite files, and PostgreSQL ones when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.db import normalise_url
from shared.migrations import upgrade


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def _admin_url() -> str:
    return normalise_url(os.environ["TEST_DATABASE_URL"])


def create_database(backend: str, name: str, tmp_dir) -> str:
    """A new, empty database for one service in this test run; returns its URL."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / f'{name}.db'}"
    database = f"ld_test_{name}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    except Exception as exc:
        pytest.fail(
            f"TEST_DATABASE_URL is set but PostgreSQL cannot create a test database: {exc}",
            pytrace=False,
        )
    finally:
        engine.dispose()
    return make_url(_admin_url()).set(database=database).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    engine.dispose()


def empty_tables(session, *tables: str) -> None:
    """Delete every row and restart the ids, so each test sees a fresh database."""
    if session.bind.dialect.name == "postgresql":
        session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names
    session.commit()


def migrated_database(request, tmp_path_factory, *, service: str, migrations: str):
    """Body of a session fixture parametrised by backends(): a migrated database, then dropped."""
    url = create_database(request.param, service, tmp_path_factory.mktemp(request.param))
    upgrade(migrations, url)
    yield url
    drop_database(url)
