"""Counting what a piece of code asks the database: the statements an engine executes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    """The statements engine executes inside the block, as a list filled as they run."""
    executed: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        executed.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield executed
    finally:
        event.remove(engine, "before_cursor_execute", count)
