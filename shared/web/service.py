"""What every Flask service's composition root starts with: resources and a wired app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from flask import Flask
from flask_smorest import Api
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import sessionmaker

from shared.auth import TokenVerifier
from shared.config import Settings
from shared.db import make_engine, make_session_factory, ping
from shared.logs import configure_logging
from shared.web.api import make_api
from shared.web.auth import init_auth
from shared.web.db import init_db
from shared.web.observability import install_observability
from shared.web.rate_limits import internal_service, limit_requests, token_person
from shared.web.security import install_security

log = structlog.get_logger(__name__)

EXTENSION = "lederdialog.deps"
DATABASE_RETRY_AFTER_SECONDS = 5


@dataclass
class Resources:
    """The clients a service holds for its lifetime; services extend it with their own."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker
    redis: Redis

    def close(self) -> None:
        self.engine.dispose()
        self.redis.close()


def open_resources(settings: Settings) -> dict:
    """Keyword arguments for a Resources (sub)class: database engine, sessions, Redis."""
    engine = make_engine(settings.database_url)
    return {
        "settings": settings, "engine": engine, "session_factory": make_session_factory(engine),
        "redis": Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5),
    }


def create_service_app(
    import_name: str, *, name: str, title: str, deps: Resources,
    inner_wsgi: Callable | None = None,
) -> tuple[Flask, Api]:
    """A Flask app with JSON logs, bearer auth, a session per request, observability, rate
    limits, security headers, OpenAPI.

    `inner_wsgi` wraps Flask inside the request observer (content's fast path).
    """
    settings = deps.settings
    configure_logging(name, settings.log_level)
    app = Flask(import_name)
    app.config["SETTINGS"] = settings
    app.extensions[EXTENSION] = deps
    init_db(app, deps.session_factory)
    init_auth(app, TokenVerifier(settings.jwt))
    if inner_wsgi is not None:
        app.wsgi_app = inner_wsgi(app.wsgi_app)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    install_observability(app, service=name, ready_checks={
        "database": lambda: ping(deps.engine),
        "redis": deps.redis.ping,
    })
    limit_requests(app, settings, person=token_person, exempt=internal_service)
    install_security(app, trusted_proxies=settings.trusted_proxies)
    return app, make_api(app, title=title)


def _database_unavailable(exc: Exception):
    """503 with Retry-After when the database cannot answer (down, locked, timed out)."""
    log.error("database unavailable", error=str(exc).splitlines()[0])
    return {
        "code": 503, "status": "Service Unavailable",
        "message": "the database cannot be reached right now; try again",
    }, 503, {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
