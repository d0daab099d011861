"""One database session per request, closed when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

EXTENSION = "lederdialog.db"


def init_db(app: Flask, session_factory: sessionmaker) -> None:
    app.extensions[EXTENSION] = session_factory

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION]()
    return g.db_session


def db_engine() -> Engine:
    """The engine behind the sessions, for work on a connection of its own."""
    return current_app.extensions[EXTENSION].kw["bind"]
