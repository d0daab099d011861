"""The assessment service's app factory and composition root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from services.assessment import retention
from services.assessment.api import (
    actions,
    dialogues,
    insights,
    me,
    org,
    overview,
    people_data,
    reads,
)
from services.assessment.framework import FrameworkClient
from services.assessment.models import Outbox
from shared.config import Settings, load_settings
from shared.http import http_session
from shared.web.cli import register_service_commands
from shared.web.service import Resources, create_service_app, open_resources

MIGRATIONS = str(Path(__file__).parent / "migrations")


@dataclass
class Deps(Resources):
    framework: FrameworkClient


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("assessment")
    deps = Deps(**open_resources(settings),
                framework=FrameworkClient(settings.content_url, http_session()))
    app, api = create_service_app(
        __name__, name="assessment", title="Lederdialog assessment", deps=deps
    )
    for module in (me, overview, org, people_data, dialogues, reads, actions, insights):
        api.register_blueprint(module.blp)
    register_service_commands(app, migrations=MIGRATIONS, outbox_model=Outbox,
                              retention=retention.remove_expired)
    return app
