"""The notify service's dead-letter API: app factory and composition root.

gunicorn 'services.notify.app:create_app()'; flask --app services.notify.app migrate
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from celery import Celery
from flask import Flask, current_app
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from services.notify.api import dead_letters
from services.notify.celery_app import make_celery
from services.notify.config import NotifySettings, load_notify_settings
from shared.auth import TokenVerifier
from shared.db import make_engine, make_session_factory, ping
from shared.logs import configure_logging
from shared.migrations import upgrade
from shared.web.api import make_api
from shared.web.auth import init_auth
from shared.web.db import init_db
from shared.web.observability import install_observability

MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class Deps:
    settings: NotifySettings
    engine: Engine
    session_factory: sessionmaker
    redis: Redis
    celery: Celery


def create_app(settings: NotifySettings | None = None) -> Flask:
    settings = settings or load_notify_settings()
    configure_logging("notify", settings.base.log_level)
    app = Flask(__name__)
    app.config["SETTINGS"] = settings.base
    engine = make_engine(settings.base.database_url)
    deps = Deps(
        settings=settings, engine=engine, session_factory=make_session_factory(engine),
        redis=Redis.from_url(settings.base.redis_url, socket_timeout=5,
                             socket_connect_timeout=5),
        celery=make_celery(settings),
    )
    app.extensions["lederdialog.deps"] = deps
    init_db(app, deps.session_factory)
    init_auth(app, TokenVerifier(settings.base.jwt))
    install_observability(app, service="notify", ready_checks={
        "database": lambda: ping(engine),
        "redis": deps.redis.ping,
    })
    api = make_api(app, title="Lederdialog notify")
    api.register_blueprint(dead_letters.blp)
    app.cli.add_command(migrate_command)
    return app


@click.command("migrate")
def migrate_command():
    """Bring notify's database schema up to date."""
    upgrade(MIGRATIONS, current_app.config["SETTINGS"].database_url)
    click.echo("database is up to date")
