"""A real notify API for the web's tests of a person's data: the export in the assessment
service asks notify for the emails, and answers 503 when notify cannot be reached.

    @pytest.fixture
    def web_with_notify(web, assessment_app, notify_url, monkeypatch):
        use_notify(assessment_app, notify_url, monkeypatch)
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.support.servers import UNREACHABLE, notify_server  # noqa: F401 - for the tests


@pytest.fixture(scope="session")
def notify_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """notify's API on a database of its own (no emails yet), over HTTP."""
    yield from notify_server(tmp_path_factory, name="web-notify", redis_url=redis_url,
                             jwt_settings=jwt_settings)


def use_notify(assessment_app, notify_url: str, monkeypatch) -> None:
    """Have the assessment service ask notify at notify_url for this test."""
    settings = assessment_app.config["SETTINGS"]
    monkeypatch.setitem(assessment_app.config, "SETTINGS",
                        dataclasses.replace(settings, notify_url=notify_url))
