"""The content service's app factory and composition root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from werkzeug.routing import Rule

from services.content import service
from services.content.api import admin, current, reading
from services.content.models import Outbox
from services.content.rendering import PublishedCache
from shared.auth import TokenVerifier
from shared.config import Settings, load_settings
from shared.db import make_engine, make_session_factory, ping
from shared.logs import configure_logging
from shared.web.api import make_api
from shared.web.auth import init_auth
from shared.web.cli import register_service_commands
from shared.web.db import init_db
from shared.web.observability import install_observability

MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker
    redis: Redis
    cache: PublishedCache


def create_app(settings: Settings | None = None, *, framework_max_age: int = 30) -> Flask:
    settings = settings or load_settings("content")
    configure_logging("content", settings.log_level)
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["FRAMEWORK_MAX_AGE"] = framework_max_age
    engine = make_engine(settings.database_url)
    deps = Deps(
        settings=settings, engine=engine, session_factory=make_session_factory(engine),
        redis=Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5),
        cache=PublishedCache(current_ttl=framework_max_age),
    )
    app.extensions["lederdialog.deps"] = deps
    init_db(app, deps.session_factory)
    init_auth(app, TokenVerifier(settings.jwt))
    app.wsgi_app = current.CurrentFramework(
        app.wsgi_app, sessions=deps.session_factory, cache=deps.cache, max_age=framework_max_age
    )
    install_observability(app, service="content", ready_checks={
        "database": lambda: ping(engine),
        "redis": deps.redis.ping,
    })
    api = make_api(app, title="Lederdialog content")
    api.register_blueprint(reading.blp)
    api.register_blueprint(admin.blp)
    api.spec.path(rule=Rule(current.PATH), operations={"get": current.OPENAPI})
    register_service_commands(
        app, migrations=MIGRATIONS, outbox_model=Outbox,
        after_migrate=lambda: _seed(deps.session_factory),
    )
    return app



def _seed(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        service.seed_if_empty(session)
