"""The content service's app factory and composition root."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import sessionmaker

from services.content import service
from services.content.api import admin, current, reading
from services.content.models import Outbox
from services.content.rendering import PublishedCache
from shared.config import Settings, load_settings
from shared.web.cli import register_service_commands
from shared.web.service import Resources, create_service_app, open_resources

MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class Deps(Resources):
    cache: PublishedCache


def create_app(
    settings: Settings | None = None, *, framework_max_age: int = 30, fast_path: bool = True
) -> Flask:
    """The content app; without `fast_path`, Flask answers GET /api/v1/framework alone."""
    settings = settings or load_settings("content")
    deps = Deps(**open_resources(settings), cache=PublishedCache(current_ttl=framework_max_age))
    app, api = create_service_app(
        __name__, name="content", title="Lederdialog content", deps=deps,
        inner_wsgi=partial(current.CurrentFramework, cache=deps.cache,
                           max_age=framework_max_age) if fast_path else None,
    )
    app.config["FRAMEWORK_MAX_AGE"] = framework_max_age
    api.register_blueprint(reading.blp)
    api.register_blueprint(admin.blp)
    register_service_commands(
        app, migrations=MIGRATIONS, outbox_model=Outbox,
        after_migrate=lambda: _seed(deps.session_factory),
    )
    return app


def _seed(session_factory: sessionmaker) -> None:
    with session_factory() as session:
        service.seed_if_empty(session)
