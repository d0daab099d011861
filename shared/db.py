"""SQLAlchemy engine, session factory and multi-table inserts for a service's own database."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Table,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.compiler import IdentifierPreparer
from sqlalchemy.types import TypeDecorator


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (the form most platforms hand out)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def ping(engine: Engine) -> None:
    """Raise unless the database answers (a readiness check)."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def insert_rows(connection: Connection, writes: Sequence[tuple[Table, list[dict]]]) -> None:
    """Insert rows into tables, table after table and each table's rows in order.

    Every row of a table names the same columns, and every column to fill: the others are
    left NULL, without their Python-side defaults. On PostgreSQL all the rows go in one
    statement (see `_insert_from_json`); elsewhere with one statement per table.
    """
    writes = [(table, rows) for table, rows in writes if rows]
    if not writes:
        return
    if connection.dialect.name != "postgresql":
        for table, rows in writes:
            connection.execute(insert(table), rows)
        return
    statement = _insert_from_json(
        connection.dialect.identifier_preparer,
        tuple((table, tuple(rows[0])) for table, rows in writes),
    )
    # Plain SQL for the driver: nothing for SQLAlchemy to compile or bind on every call.
    connection.exec_driver_sql(statement, {
        "rows": json.dumps([rows for _table, rows in writes], default=_json_value),
    })


@contextmanager
def connection_for_one_write(engine: Engine) -> Iterator[Connection]:
    """A connection of its own for work that reads, then writes once with `insert_rows`.

    On PostgreSQL that write is one statement, atomic by itself, so the connection is in
    autocommit: no BEGIN and no COMMIT, two round trips fewer. Elsewhere `insert_rows`
    writes table by table, in a transaction committed when the block ends well. Write only
    once in the block: on PostgreSQL every statement commits on its own.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            yield connection.execution_options(isolation_level="AUTOCOMMIT")
    else:
        with engine.begin() as connection:
            yield connection


@functools.lru_cache(maxsize=64)
def _insert_from_json(
    quote: IdentifierPreparer, shape: tuple[tuple[Table, tuple[str, ...]], ...]
) -> str:
    """One INSERT per (table, columns) of shape, all in one statement, rows from JSON.

    Why one statement: every statement is a round trip to the database, and under load a
    worker spends more CPU on a round trip (its wait, its wake-up) than on the insert.
    Recording a dialogue writes six tables: one statement instead of six took about a
    third off a worker's CPU per recording (bench/assessment.py).

    The rows travel as one JSON array of row lists, the i-th for the i-th table, so the
    statement is the same for every request of the same shape and PostgreSQL prepares it
    once. The inserts are data-modifying CTEs: foreign keys are checked at the end of the
    statement, so rows may refer to rows inserted beside them, and an error undoes all of
    them. WITH ORDINALITY keeps each table's rows in the order given, as serial ids do.
    """
    inserts = [
        _insert_select(quote, table, columns,
                       f"(SELECT row_list FROM given WHERE number = {index})")  # noqa: S608
        for index, (table, columns) in enumerate(shape)
    ]
    *first, last = inserts
    ctes = "".join(f", insert_{index} AS ({sql})" for index, sql in enumerate(first))
    # The array is parsed once, into its row lists numbered from 0: `json -> n` on the
    # whole array would parse it again for every table.
    given = ("given AS (SELECT row_list, number - 1 AS number FROM json_array_elements("
             "CAST(%(rows)s AS json)) WITH ORDINALITY AS part(row_list, number))")
    return f"WITH {given}{ctes} {last}"


def _insert_select(
    quote: IdentifierPreparer, table: Table, columns: tuple[str, ...], rows_json: str
) -> str:
    """INSERT INTO table (columns) the rows of the JSON array `rows_json`, in order."""
    name = quote.format_table(table)
    # table.c[...] refuses anything but the table's own columns.
    names = ", ".join(quote.format_column(table.c[column]) for column in columns)
    return (
        f"INSERT INTO {name} ({names}) SELECT {names} "  # noqa: S608 - quoted model names
        f"FROM json_populate_recordset(CAST(NULL AS {name}), {rows_json}) "
        "WITH ORDINALITY AS item ORDER BY item.ordinality"
    )


def insert_new_rows(connection: Connection, table: Table, rows: list[dict], *, key: str) -> set:
    """Insert the rows whose `key` (a unique column) is not taken yet; the keys inserted.

    Rows as for `insert_rows`. On PostgreSQL the rows travel as one JSON parameter, so the
    statement reads the same for any number of rows: the driver parses it and PostgreSQL
    plans it once, where a VALUES list per row made the driver parse a new, long statement
    on every call. On SQLite, INSERT ... ON CONFLICT DO NOTHING with the rows as parameters.
    """
    if not rows:
        return set()
    if connection.dialect.name != "postgresql":
        statement = (conflict_insert(connection, table)
                     .on_conflict_do_nothing(index_elements=[key]).returning(table.c[key]))
        return set(connection.execute(statement, rows).scalars())
    statement = _insert_new_from_json(connection.dialect.identifier_preparer, table,
                                      tuple(rows[0]), key)
    return set(connection.exec_driver_sql(
        statement, {"rows": json.dumps(rows, default=_json_value)}).scalars())


@functools.lru_cache(maxsize=64)
def _insert_new_from_json(
    quote: IdentifierPreparer, table: Table, columns: tuple[str, ...], key: str
) -> str:
    column = quote.format_column(table.c[key])
    return (f"{_insert_select(quote, table, columns, 'CAST(%(rows)s AS json)')} "
            f"ON CONFLICT ({column}) DO NOTHING RETURNING {column}")


def _json_value(value: object) -> str:
    """Dates and timestamps in ISO 8601, which PostgreSQL reads from JSON."""
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("naive datetime given; use an aware UTC datetime")  # as UTCDateTime
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value insert_rows knows")


def conflict_insert(bind: Session | Connection, table: Table):
    """INSERT into table that can say ON CONFLICT (PostgreSQL and SQLite, the two we run on)."""
    dialect = (bind.dialect if isinstance(bind, Connection) else bind.get_bind().dialect).name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
