"""Flask CLI commands every service with a database has: migrate; relay and retention for
those with an outbox or records to remove."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import datetime

import click
import structlog
from flask import Flask, current_app
from sqlalchemy.orm import sessionmaker

from shared.healthcheck import heartbeat_from_env
from shared.migrations import upgrade
from shared.outbox import OutboxMixin, OutboxRelay, purge_published, utcnow
from shared.retention import Retention, cutoff, load_retention

log = structlog.get_logger(__name__)

# A service's own retention: removes what is past its period as of `now`; returns how many
# records of each kind it removed.
RetentionSteps = Callable[[sessionmaker, Retention, datetime], dict[str, int]]


def register_service_commands(
    app: Flask, *, migrations: str, outbox_model: type[OutboxMixin] | None = None,
    after_migrate: Callable[[], None] | None = None, retention: RetentionSteps | None = None,
) -> None:
    """`migrate` for every service; `relay` for those with an outbox; `retention` for those
    with an outbox (its published rows) or steps of their own (`retention`)."""
    @app.cli.command("migrate")
    def migrate_command():
        """Bring the database schema up to date (and seed what a fresh database needs)."""
        upgrade(migrations, current_app.config["SETTINGS"].database_url)
        if after_migrate is not None:
            after_migrate()
        click.echo("database is up to date")

    if outbox_model is not None or retention is not None:
        _register_retention(app, outbox_model=outbox_model, steps=retention)
    if outbox_model is None:
        return

    @app.cli.command("relay")
    def relay_command():
        """Publish the outbox onto the event stream until SIGINT or SIGTERM."""
        deps = current_app.extensions["lederdialog.deps"]
        settings = current_app.config["SETTINGS"]
        relay = OutboxRelay(
            session_factory=deps.session_factory, model=outbox_model, redis=deps.redis,
            stream=settings.event_stream, service=settings.service,
            batch_size=settings.relay_batch_size,
        )
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        relay.run_forever(
            poll_seconds=settings.relay_poll_seconds, stop=stop, heartbeat=heartbeat_from_env()
        )


def _register_retention(
    app: Flask, *, outbox_model: type[OutboxMixin] | None, steps: RetentionSteps | None
) -> None:
    # Read when the app is made, so a period not understood stops the service at its start.
    periods = load_retention()

    @app.cli.command("retention")
    def retention_command():
        """Remove what is past its retention period (docs/privacy.md); run it daily."""
        removed = remove_expired(current_app.extensions["lederdialog.deps"].session_factory,
                                 periods, now=utcnow(), outbox_model=outbox_model, steps=steps)
        log.info("retention done", **removed)
        for kind, count in removed.items():
            click.echo(f"{kind}: {count} removed")


def remove_expired(
    sessions: sessionmaker, periods: Retention, *, now: datetime,
    outbox_model: type[OutboxMixin] | None = None, steps: RetentionSteps | None = None,
) -> dict[str, int]:
    """The service's own steps, then its outbox's published rows; how many of each kind."""
    removed = steps(sessions, periods, now) if steps is not None else {}
    before = cutoff(now, periods.outbox_days)
    if outbox_model is not None and before is not None:
        removed["published_outbox_rows"] = purge_published(sessions, outbox_model,
                                                           before=before)
    return removed
