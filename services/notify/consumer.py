"""The stream consumer: events in, Celery jobs and reminder rows out.

The entries of a batch are taken in one transaction (intake.take, entry after entry),
their jobs put on the queue together and the entries acknowledged together once the rows
are committed. Should one entry fail, nothing of the batch is kept: the entries before
it are taken again, that entry is dealt with on its own, and the entries after it go on
as a batch of their own. An entry that does not fit its schema is
set aside at once as a dead event; one whose handling fails stays unacknowledged and is
tried again after a backoff, counted by the stream's own delivery count (which survives a
restart), and set aside after EventRetry.max_attempts. Either way the entries after it go
on at once. An outage (database, queue, Redis) is no entry's fault: nothing is set aside,
and the entries are tried again once things are back. Entries a dead consumer left
pending are claimed once idle long enough.

Run: python -m services.notify.consumer
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import structlog
from redis import Redis
from redis.exceptions import ResponseError
from sqlalchemy.orm import sessionmaker

from services.notify import dead_events, intake
from services.notify.celery_app import make_celery, send_jobs
from services.notify.config import EventRetry, Policy, load_notify_settings
from services.notify.failures import OUTAGES, describe
from services.notify.handling import HANDLERS, Handler
from services.notify.metrics import (
    DEAD_EVENTS,
    DEAD_EVENTS_WAITING,
    EVENT_FAILURES,
    EVENTS_CONSUMED,
    serve_metrics,
)
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
        enqueue: Callable[[list[dict]], None], policy: Policy,
        retry: EventRetry = EventRetry(), batch: int = 100, block_ms: int = 2000,
        claim_idle_ms: int = 60_000, clock: Callable[[], datetime] = utcnow,
        handlers: dict[str, Handler] = HANDLERS,
    ):
        self._redis = redis
        self._stream = stream
        self._name = name
        self._sessions = session_factory
        self._enqueue = enqueue
        self._policy = policy
        self._retry = retry
        self._batch = batch
        self._block_ms = block_ms
        self._claim_idle_ms = claim_idle_ms
        self._clock = clock
        self._handlers = handlers
        self._claim_cursor = "0-0"

    def ensure_group(self) -> None:
        """Create the group at the stream's start, so no event published before it is lost."""
        try:
            self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def run_once(self) -> int:
        """Take one batch: entries claimed from dead consumers first, then our own whose
        backoff is over, else new ones. An outage is raised."""
        entries = [(_text(entry_id), intake.entry_fields(fields))
                   for entry_id, fields in self._claim() or self._due() or self._read()]
        self._take_all(entries)
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

    def _due(self) -> list:
        """Our own unacknowledged entries idle for the backoff their delivery count earns."""
        first_ms = int(self._retry.delay(1) * 1000)
        held = self._redis.xpending_range(
            self._stream, GROUP, min="-", max="+", count=self._batch,
            consumername=self._name, idle=first_ms,
        )
        due = [entry["message_id"] for entry in held
               if entry["time_since_delivered"] >= self._retry.delay(entry["times_delivered"])
               * 1000]
        if not due:
            return []
        # XCLAIM counts a delivery, as a read does: the count stays the number of attempts.
        entries = self._redis.xclaim(self._stream, GROUP, self._name, min_idle_time=0,
                                     message_ids=due)
        return [(entry_id, fields) for entry_id, fields in entries if fields]

    def _read(self) -> list:
        reply = self._redis.xreadgroup(
            GROUP, self._name, {self._stream: ">"}, count=self._batch, block=self._block_ms
        )
        return reply[0][1] if reply else []

    def _take_all(self, entries: list[tuple[str, dict[str, str]]]) -> None:
        """Take the entries in order, all together unless one fails: then those before it
        are taken (together) again, it is dealt with alone and those after it go on."""
        while entries:
            failed = self._take_together(entries)
            if failed is None:
                return
            index, exc = failed
            self._take_all(entries[:index])
            self._not_taken(*entries[index], exc)
            entries = entries[index + 1:]

    def _take_together(
        self, entries: list[tuple[str, dict[str, str]]]
    ) -> tuple[int, Exception] | None:
        """The entries in one transaction, their jobs queued and the entries acknowledged
        together: None. If one fails, its index and what it raised, and nothing of the
        entries was written, queued or acknowledged. An outage is raised."""
        jobs: list[dict] = []
        outcomes = []
        with self._sessions() as session:
            for index, (_entry_id, fields) in enumerate(entries):
                try:
                    outcomes.append(intake.take(
                        session, fields, policy=self._policy, now=self._clock(),
                        enqueue=jobs.extend, handlers=self._handlers))
                    session.flush()  # a row the database refuses is this entry's fault
                except OUTAGES:
                    raise
                except Exception as exc:
                    return index, exc
            if jobs:
                self._enqueue(jobs)
            session.commit()
        self._redis.xack(self._stream, GROUP, *(entry_id for entry_id, _fields in entries))
        for (entry_id, fields), outcome in zip(entries, outcomes, strict=True):
            EVENTS_CONSUMED.labels(intake.event_type(fields, self._handlers), outcome).inc()
            if outcome == intake.DUPLICATE:
                log.info("event seen before", entry_id=entry_id)
        return None

    def _not_taken(self, entry_id: str, fields: dict[str, str], exc: Exception) -> None:
        """An unfit entry is set aside at once, a failed one once out of attempts. Should
        that fail too (not for an outage), the entry waits for its next attempt and the
        entries after it go on."""
        try:
            attempts = self._attempts(entry_id)
            if isinstance(exc, intake.Unfit):
                self._set_aside(entry_id, fields, reason=dead_events.UNFIT, error=str(exc),
                                attempts=attempts)
            else:
                self._failed(entry_id, fields, describe(exc), attempts)
        except OUTAGES:
            raise
        except Exception as failure:
            log.error("could not set the entry aside; trying it again later",
                      entry_id=entry_id, error=describe(failure))

    def _attempts(self, entry_id: str) -> int:
        """How often the group has delivered the entry: the attempts at it so far."""
        [entry] = self._redis.xpending_range(self._stream, GROUP, min=entry_id, max=entry_id,
                                             count=1) or [{"times_delivered": 1}]
        return entry["times_delivered"]

    def _failed(self, entry_id: str, fields: dict[str, str], error: str, attempts: int) -> None:
        EVENT_FAILURES.labels(intake.event_type(fields, self._handlers)).inc()
        if attempts >= self._retry.max_attempts:
            self._set_aside(entry_id, fields, reason=dead_events.FAILED, error=error,
                            attempts=attempts)
            return
        log.warning("event failed; retrying later", entry_id=entry_id,
                    type=intake.event_type(fields, self._handlers), attempt=attempts,
                    max_attempts=self._retry.max_attempts,
                    retry_in_seconds=self._retry.delay(attempts), error=error)

    def _set_aside(
        self, entry_id: str, fields: dict[str, str], *, reason: str, error: str, attempts: int
    ) -> None:
        with self._sessions() as session:
            dead_events.set_aside(session, stream=self._stream, entry_id=entry_id,
                                  fields=fields, reason=reason, error=error,
                                  attempts=attempts, now=self._clock())
            session.commit()
            DEAD_EVENTS_WAITING.set(dead_events.waiting(session))
        self._redis.xack(self._stream, GROUP, entry_id)
        kind = intake.event_type(fields, self._handlers)
        DEAD_EVENTS.labels(kind, reason).inc()
        EVENTS_CONSUMED.labels(kind, "set_aside").inc()
        log.error("event set aside", entry_id=entry_id, type=kind, reason=reason,
                  attempts=attempts, error=error)

    def run_forever(self, stop: threading.Event, heartbeat: Path | None = None) -> None:
        """Consume until stopped; an outage or a failure of the consumer itself is logged
        (one line) and retried."""
        log.info("consumer started", stream=self._stream, group=GROUP, consumer=self._name)
        while not stop.is_set():
            try:
                self.ensure_group()
                with self._sessions() as session:
                    DEAD_EVENTS_WAITING.set(dead_events.waiting(session))
                while not stop.is_set():
                    self.run_once()
                    if heartbeat is not None:
                        heartbeat.touch()
            except OUTAGES as exc:
                log.warning("database, queue or Redis unavailable; retrying",
                            error=describe(exc), retry_in_seconds=RETRY_SECONDS)
                stop.wait(RETRY_SECONDS)
            except Exception as exc:
                log.error("consumer failed; retrying", error=describe(exc),
                          retry_in_seconds=RETRY_SECONDS)
                stop.wait(RETRY_SECONDS)
        log.info("consumer stopped")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def main() -> None:
    """Run the consumer with settings from the environment until SIGINT or SIGTERM."""
    settings = load_notify_settings()
    configure_logging("notify", settings.base.log_level)
    serve_metrics(settings.metrics_port)
    celery = make_celery(settings)
    consumer = Consumer(
        redis=Redis.from_url(settings.base.redis_url, socket_timeout=10,
                             socket_connect_timeout=5),
        stream=settings.base.event_stream, name=settings.consumer_name,
        session_factory=make_session_factory(make_engine(settings.base.database_url)),
        enqueue=lambda jobs: send_jobs(celery, jobs), policy=settings.policy,
        retry=settings.event_retry, batch=settings.consumer_batch,
        block_ms=settings.consumer_block_ms, claim_idle_ms=settings.claim_idle_ms,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    consumer.run_forever(stop, heartbeat=heartbeat_from_env())


if __name__ == "__main__":
    main()
