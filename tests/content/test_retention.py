"""Retention in the content service: published outbox rows go after RETENTION_OUTBOX_DAYS;
the framework's versions stay (they are no one's personal data but their authors' ids)."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.content.app import create_app
from services.content.models import FrameworkVersion, Outbox
from shared.outbox import utcnow


def add_outbox_row(session, *, published_days_ago: int | None) -> str:
    event_id = str(uuid.uuid4())
    published = None if published_days_ago is None else utcnow() - timedelta(
        days=published_days_ago)
    session.add(Outbox(event_id=event_id, type="lederdialog.framework.published.v1",
                       envelope={}, created_at=utcnow() - timedelta(days=400),
                       published_at=published))
    return event_id


def test_published_outbox_rows_go_after_their_period(content_app, content_sessions):
    with content_sessions() as session:
        add_outbox_row(session, published_days_ago=31)
        kept = {add_outbox_row(session, published_days_ago=29),
                add_outbox_row(session, published_days_ago=None)}
        session.commit()
        versions = session.scalar(select(func.count()).select_from(FrameworkVersion))

    runner = content_app.test_cli_runner()
    result = runner.invoke(args=["retention"])

    assert result.exit_code == 0, result.output
    assert result.output == "published_outbox_rows: 1 removed\n"
    with content_sessions() as session:
        assert set(session.scalars(select(Outbox.event_id))) == kept
        assert session.scalar(select(func.count()).select_from(FrameworkVersion)) == versions
    assert runner.invoke(args=["retention"]).output == "published_outbox_rows: 0 removed\n"


def test_an_outbox_kept_for_good_is_not_trimmed(content_settings, content_sessions, monkeypatch):
    monkeypatch.setenv("RETENTION_OUTBOX_DAYS", "0")
    app = create_app(content_settings)
    with content_sessions() as session:
        add_outbox_row(session, published_days_ago=3000)
        session.commit()

    result = app.test_cli_runner().invoke(args=["retention"])

    assert (result.exit_code, result.output) == (0, "")
    with content_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 1
    app.extensions["lederdialog.deps"].close()


def test_a_period_not_understood_stops_the_service(content_settings, monkeypatch):
    monkeypatch.setenv("RETENTION_OUTBOX_DAYS", "a month")
    with pytest.raises(ValueError, match="RETENTION_OUTBOX_DAYS"):
        create_app(content_settings)
