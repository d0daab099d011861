"""The notify service's API (dead letters and dead events for HR, a person's emails): app
factory and composition root.

gunicorn 'services.notify.app:create_app()'; flask --app services.notify.app migrate;
flask --app services.notify.app retention
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from celery import Celery
from flask import Flask

from services.notify.api import dead_events, dead_letters, people
from services.notify.celery_app import make_celery
from services.notify.config import NotifySettings, Policy, load_notify_settings
from services.notify.retention import apply_retention
from shared.web.cli import register_service_commands
from shared.web.service import Resources, create_service_app, open_resources

MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class Deps(Resources):
    celery: Celery
    policy: Policy  # a replayed event is handled as the consumer would


def create_app(settings: NotifySettings | None = None) -> Flask:
    settings = settings or load_notify_settings()
    deps = Deps(**open_resources(settings.base), celery=make_celery(settings),
                policy=settings.policy)
    app, api = create_service_app(__name__, name="notify", title="Lederdialog notify", deps=deps)
    api.register_blueprint(dead_letters.blp)
    api.register_blueprint(dead_events.blp)
    api.register_blueprint(people.blp)
    register_service_commands(app, migrations=MIGRATIONS, retention=partial(
        apply_retention, redis=deps.redis, stream=settings.base.event_stream))
    return app
