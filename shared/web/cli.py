"""Flask CLI commands every service with a database and an outbox has: migrate, relay."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

import click
from flask import Flask, current_app

from shared.healthcheck import heartbeat_from_env
from shared.migrations import upgrade
from shared.outbox import OutboxMixin, OutboxRelay


def register_service_commands(
    app: Flask, *, migrations: str, outbox_model: type[OutboxMixin] | None = None,
    after_migrate: Callable[[], None] | None = None,
) -> None:
    """`migrate` for every service; `relay` for those with an outbox."""
    @app.cli.command("migrate")
    def migrate_command():
        """Bring the database schema up to date (and seed what a fresh database needs)."""
        upgrade(migrations, current_app.config["SETTINGS"].database_url)
        if after_migrate is not None:
            after_migrate()
        click.echo("database is up to date")

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
