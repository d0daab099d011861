"""A real notify API for the web's tests of a person's data: the export in the assessment
service asks notify for the emails, and answers 503 when notify cannot be reached.

    @pytest.fixture
    def web_with_notify(web, assessment_app, notify_url, monkeypatch):
        use_notify(assessment_app, notify_url, monkeypatch)
"""

from __future__ import annotations

import dataclasses

import pytest

from services.notify.app import MIGRATIONS
from services.notify.app import create_app as create_notify_app
from services.notify.config import load_notify_settings
from shared.config import load_settings
from shared.migrations import upgrade
from tests.support.servers import serving

# Nothing listens here: the export's call to notify fails as with notify down.
UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture(scope="session")
def notify_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """notify's API on a database of its own (no emails yet), over HTTP."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web-notify') / 'notify.db'}"
    upgrade(MIGRATIONS, url)
    base = load_settings("notify", environ={}, database_url=url, redis_url=redis_url,
                         event_stream="test.web.events", jwt=jwt_settings, rate_limits=None)
    app = create_notify_app(load_notify_settings(environ={}, base=base))
    with serving(app) as base_url:
        yield base_url
    app.extensions["lederdialog.deps"].close()


def use_notify(assessment_app, notify_url: str, monkeypatch) -> None:
    """Have the assessment service ask notify at notify_url for this test."""
    settings = assessment_app.config["SETTINGS"]
    monkeypatch.setitem(assessment_app.config, "SETTINGS",
                        dataclasses.replace(settings, notify_url=notify_url))
