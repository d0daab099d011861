"""The transactional outbox: events are rows written with the change they describe.

A relay later copies unpublished rows onto the Redis Stream and marks them. If
the relay dies between the two steps, the rows are published again with the
same event id: delivery is at least once and consumers dedupe by id.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import structlog
from prometheus_client import Counter
from redis import Redis
from sqlalchemy import JSON, Integer, String, Table, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from shared.db import UTCDateTime, insert_rows
from shared.events import new_event
from shared.retention import delete_in_batches

log = structlog.get_logger(__name__)

EVENTS_PUBLISHED = Counter(
    "lederdialog_events_published_total", "Events the outbox relay put on the stream",
    ["service", "type"],
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxMixin:
    """Columns of a service's outbox table; declare `class Outbox(OutboxMixin, Base)`."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(200))
    envelope: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, index=True, default=None
    )


def record_event(
    session: Session, model: type[OutboxMixin], *, type: str, source: str, data: dict,
    subject: str | None = None, request_id: str | None = None,
) -> dict:
    """Add an event to the outbox in the caller's transaction; returns the envelope."""
    envelope = new_event(
        type=type, source=source, data=data, subject=subject, request_id=request_id
    )
    record_envelopes(session, model, [envelope])
    return envelope


def record_envelopes(
    session: Session, model: type[OutboxMixin], envelopes: list[dict]
) -> None:
    """Write envelopes to the outbox, in order, in the caller's transaction."""
    insert_rows(session.connection(), [outbox_rows(model, envelopes)])


def outbox_rows(
    model: type[OutboxMixin], envelopes: list[dict]
) -> tuple[Table, list[dict]]:
    """The outbox rows of envelopes, for shared.db.insert_rows (with other rows, or alone).

    Written with Core rather than session.add: the unit of work would flush them one by
    one, each returning an id nobody reads.
    """
    now = utcnow()
    return model.__table__, [
        {"event_id": envelope["id"], "type": envelope["type"], "envelope": envelope,
         "created_at": now}
        for envelope in envelopes
    ]


def purge_published(sessions: sessionmaker, model: type[OutboxMixin], *, before: datetime) -> int:
    """Delete the rows published before `before`; returns how many.

    A published row has done its work: the event is on the stream. Rows not yet published
    are never removed, however old, or their events would be lost.
    """
    return delete_in_batches(sessions, model.id, model.published_at < before)


def stream_fields(envelope: dict) -> dict[str, str]:
    """How one envelope is laid on the stream: its id and type for cheap filtering."""
    return {"id": envelope["id"], "type": envelope["type"], "event": json.dumps(envelope)}


class OutboxRelay:
    def __init__(
        self, *, session_factory: sessionmaker, model: type[OutboxMixin], redis: Redis,
        stream: str, service: str, batch_size: int = 100,
    ):
        self._session_factory = session_factory
        self._model = model
        self._redis = redis
        self._stream = stream
        self._service = service
        self._batch_size = batch_size

    def run_once(self) -> int:
        """Publish one batch of unpublished events in order; returns how many."""
        model = self._model
        with self._session_factory() as session, session.begin():
            rows = session.scalars(
                select(model)
                .where(model.published_at.is_(None))
                .order_by(model.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            self.publish(rows)
            self.mark(session, rows)
        return len(rows)

    def publish(self, rows: list[OutboxMixin]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for row in rows:
            pipe.xadd(self._stream, stream_fields(row.envelope))
        pipe.execute()
        for row in rows:
            EVENTS_PUBLISHED.labels(self._service, row.type).inc()

    def mark(self, session: Session, rows: list[OutboxMixin]) -> None:
        now = utcnow()
        for row in rows:
            row.published_at = now

    def run_forever(
        self, *, poll_seconds: float, stop: threading.Event, heartbeat: Path | None = None
    ) -> None:
        """Relay until stopped; a failing Redis or database is logged and retried."""
        log.info("relay started", stream=self._stream)
        while not stop.is_set():
            try:
                while self.run_once() == self._batch_size and not stop.is_set():
                    pass
                if heartbeat is not None:
                    heartbeat.touch()
            except Exception:
                log.exception("relay failed; retrying", retry_in_seconds=poll_seconds)
            stop.wait(poll_seconds)
        log.info("relay stopped")
