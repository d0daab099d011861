"""shared.db on both backends: the connection for one write, and new rows by key."""

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from shared.db import connection_for_one_write, insert_new_rows, make_engine
from tests.support.databases import backends, create_database, drop_database

metadata = MetaData()
things = Table("things", metadata, Column("key", String(20), primary_key=True),
               Column("size", Integer, nullable=False))


@pytest.fixture(params=backends())
def engine(request, tmp_path):
    url = create_database(request.param, "shared_db", tmp_path)
    engine = make_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()
    drop_database(url)


def test_new_rows_are_inserted_once_by_key(engine):
    with engine.begin() as connection:
        first = [{"key": "a", "size": 1}, {"key": "b", "size": 2}]
        assert insert_new_rows(connection, things, first, key="key") == {"a", "b"}
        again = [{"key": "b", "size": 9}, {"key": "c", "size": 3}]
        assert insert_new_rows(connection, things, again, key="key") == {"c"}
        assert insert_new_rows(connection, things, [], key="key") == set()
        assert dict(connection.execute(select(things.c.key, things.c.size)).all()) == {
            "a": 1, "b": 2, "c": 3}


def test_the_connection_for_one_write_commits_and_goes_back_to_transactions(engine):
    with engine.connect() as connection:
        default_isolation = connection.get_isolation_level()
    with connection_for_one_write(engine) as connection:
        insert_new_rows(connection, things, [{"key": "a", "size": 1}], key="key")
    # The pool hands the same connection out again, no longer in autocommit.
    with engine.connect() as connection:
        assert connection.get_isolation_level() == default_isolation
        assert connection.scalar(select(func.count()).select_from(things)) == 1
