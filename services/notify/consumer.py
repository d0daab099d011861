"""The stream consumer: events in, Celery jobs and reminder rows out.

An entry is acknowledged only after its jobs are on the queue and its rows
committed. Jobs go to the queue before the commit: a crash in between sends
the jobs again, and their idempotency keys keep that from sending twice.
Entries a dead consumer left pending are claimed once idle long enough.

Run: python -m services.notify.consumer
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import structlog
from redis import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.notify import ledger
from services.notify.celery_app import make_celery
from services.notify.config import Policy, load_notify_settings
from services.notify.handling import handle_event
from services.notify.metrics import EVENTS_CONSUMED
from services.notify.models import ProcessedEvent
from shared.db import make_engine, make_session_factory
from shared.healthcheck import heartbeat_from_env
from shared.logs import configure_logging
from shared.outbox import utcnow

log = structlog.get_logger(__name__)

GROUP = "notify"
RETRY_SECONDS = 1.0


class Consumer:
    def __init__(
        self, *, redis: Redis, stream: str, name: str, session_factory: sessionmaker,
        enqueue: Callable[[list[dict]], None], policy: Policy, batch: int = 100,
        block_ms: int = 2000, claim_idle_ms: int = 60_000,
        clock: Callable[[], datetime] = utcnow,
    ):
        self._redis = redis
        self._stream = stream
        self._name = name
        self._sessions = session_factory
        self._enqueue = enqueue
        self._policy = policy
        self._batch = batch
        self._block_ms = block_ms
        self._claim_idle_ms = claim_idle_ms
        self._clock = clock
        self._claim_cursor = "0-0"
        self._own_pending = True  # first (and after a failure) re-read what we hold unacked

    def ensure_group(self) -> None:
        """Create the group at the stream's start, so no event published before it is lost."""
        try:
            self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def run_once(self) -> int:
        """Handle one batch: claimed entries of dead consumers first, else new ones."""
        entries = self._claim() or self._read()
        if entries:
            try:
                self.handle(entries)
            except Exception:
                self._own_pending = True  # read them again next time, not after claim_idle
                raise
        return len(entries)

    def _claim(self) -> list:
        reply = self._redis.xautoclaim(
            self._stream, GROUP, self._name, min_idle_time=self._claim_idle_ms,
            start_id=self._claim_cursor, count=self._batch,
        )
        self._claim_cursor, entries = reply[0], reply[1]
        if entries:
            log.info("claimed entries of a dead consumer", count=len(entries))
        return [(entry_id, fields) for entry_id, fields in entries if fields]

    def _read(self) -> list:
        if self._own_pending:  # "0": the entries delivered to us and not acknowledged yet
            entries = self._read_from("0", block=None)
            if entries:
                return entries
            self._own_pending = False
        return self._read_from(">", block=self._block_ms)

    def _read_from(self, start: str, *, block: int | None) -> list:
        reply = self._redis.xreadgroup(
            GROUP, self._name, {self._stream: start}, count=self._batch, block=block
        )
        return reply[0][1] if reply else []

    def handle(self, entries: list) -> None:
        """Turn entries into jobs and rows, hand them on, then acknowledge the entries."""
        events = {}
        for entry_id, fields in entries:
            event = _parse(fields)
            if event is None:
                log.error("unreadable stream entry acknowledged", entry_id=entry_id)
                EVENTS_CONSUMED.labels("unreadable", "dropped").inc()
            else:
                events.setdefault(event["id"], event)
        jobs: list[dict] = []
        with self._sessions() as session:
            done = set(session.scalars(
                select(ProcessedEvent.event_id).where(ProcessedEvent.event_id.in_(events))
            ))
            for event_id, event in events.items():
                if event_id in done:
                    log.info("event seen before", event_id=event_id, type=event["type"])
                    EVENTS_CONSUMED.labels(event["type"], "duplicate").inc()
                    continue
                jobs += handle_event(session, event, policy=self._policy, now=self._clock())
                session.add(ProcessedEvent(event_id=event_id, type=event["type"]))
                EVENTS_CONSUMED.labels(event["type"], "handled").inc()
            if jobs:
                self._enqueue(ledger.write_down(session, jobs, now=self._clock()))
            session.commit()
        self._redis.xack(self._stream, GROUP, *[entry_id for entry_id, _ in entries])

    def run_forever(self, stop: threading.Event, heartbeat: Path | None = None) -> None:
        """Consume until stopped; a failing Redis, queue or database is logged and retried."""
        log.info("consumer started", stream=self._stream, group=GROUP, consumer=self._name)
        while not stop.is_set():
            try:
                self.ensure_group()
                while not stop.is_set():
                    self.run_once()
                    if heartbeat is not None:
                        heartbeat.touch()
            except (RedisError, OSError) as exc:
                log.warning("redis unavailable; retrying", error=str(exc))
                self._own_pending = True
                stop.wait(RETRY_SECONDS)
            except Exception:
                log.exception("consumer failed; retrying", retry_in_seconds=RETRY_SECONDS)
                stop.wait(RETRY_SECONDS)
        log.info("consumer stopped")


def _parse(fields: dict) -> dict | None:
    try:
        event = json.loads(fields[b"event"] if b"event" in fields else fields["event"])
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(event, dict) or not {"id", "type", "data"} <= event.keys():
        return None
    return event


def main() -> None:
    """Run the consumer with settings from the environment until SIGINT or SIGTERM."""
    settings = load_notify_settings()
    configure_logging("notify", settings.base.log_level)
    celery = make_celery(settings)

    def enqueue(jobs: list[dict]) -> None:
        with celery.producer_or_acquire() as producer:
            for job in jobs:
                celery.send_task("notify.deliver", args=[job], producer=producer)

    consumer = Consumer(
        redis=Redis.from_url(settings.base.redis_url, socket_timeout=10,
                             socket_connect_timeout=5),
        stream=settings.base.event_stream, name=settings.consumer_name,
        session_factory=make_session_factory(make_engine(settings.base.database_url)),
        enqueue=enqueue, policy=settings.policy, batch=settings.consumer_batch,
        block_ms=settings.consumer_block_ms, claim_idle_ms=settings.claim_idle_ms,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    consumer.run_forever(stop, heartbeat=heartbeat_from_env())


if __name__ == "__main__":
    main()
