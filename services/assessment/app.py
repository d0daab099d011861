"""The assessment service's app factory and composition root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from services.assessment.api import actions, dialogues, insights, org
from services.assessment.framework import FrameworkClient
from services.assessment.models import Outbox
from shared.auth import TokenVerifier
from shared.config import Settings, load_settings
from shared.db import make_engine, make_session_factory, ping
from shared.http import http_session
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
    framework: FrameworkClient


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("assessment")
    configure_logging("assessment", settings.log_level)
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    engine = make_engine(settings.database_url)
    deps = Deps(
        settings=settings, engine=engine, session_factory=make_session_factory(engine),
        redis=Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5),
        framework=FrameworkClient(settings.content_url, http_session()),
    )
    app.extensions["lederdialog.deps"] = deps
    init_db(app, deps.session_factory)
    init_auth(app, TokenVerifier(settings.jwt))
    install_observability(app, service="assessment", ready_checks={
        "database": lambda: ping(engine),
        "redis": deps.redis.ping,
    })
    api = make_api(app, title="Lederdialog assessment")
    for module in (org, dialogues, actions, insights):
        api.register_blueprint(module.blp)
    register_service_commands(app, migrations=MIGRATIONS, outbox_model=Outbox)
    return app

