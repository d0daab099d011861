"""Notify's own tables: events handled or set aside, reminders, jobs, deliveries, dead letters,
erasures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.outbox import utcnow

# Reminder states: waiting for its time, handed to the queue, or called off.
PENDING, ENQUEUED, CANCELLED = "pending", "enqueued", "cancelled"
# Job states: handed to the queue (or to be retried), or finished.
OPEN, DONE = "open", "done"
# Dead event states: set aside (waiting for HR), or handled since through a replay.
WAITING, REPLAYED = "dead", "replayed"
# Delivery states: being handed to SMTP, accepted by it, not taken yet (4xx; retried),
# or given up (a dead letter).
SENDING, SENT, FAILED, DEAD = "sending", "sent", "failed", "dead"


class Base(DeclarativeBase):
    pass


class ProcessedEvent(Base):
    """An event whose work is handed on; a second copy of it (same id) is skipped."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(200))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeadEvent(Base):
    """A stream entry set aside: it does not fit its schema, or its handling kept failing.

    reason: unfit (retrying cannot help) or failed (it failed on every attempt).
    """

    __tablename__ = "dead_events"
    __table_args__ = (
        UniqueConstraint("stream", "entry_id", name="uq_dead_events_stream_entry_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(200))
    entry_id: Mapped[str] = mapped_column(String(64))  # the stream entry's id
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)
    type: Mapped[str | None] = mapped_column(String(200))
    entry: Mapped[dict] = mapped_column(JSON)  # the whole entry: what a replay handles again
    reason: Mapped[str] = mapped_column(String(12))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=WAITING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reminder(Base):
    """An email job due at a time: beat hands due rows to the queue."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # What it is about and for which date, e.g. action:<id>:action_due:2027-01-15.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    action_id: Mapped[str | None] = mapped_column(String(64), index=True)
    dialogue_id: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    leader_id: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QueuedJob(Base):
    """A job handed to the Celery queue, crossed off when its task is over (see ledger.py)."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), index=True)
    # When it was last handed to the queue, or when its retry is due.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One email, by idempotency key: recorded before and after the SMTP hand-off."""

    __tablename__ = "deliveries"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeadLetter(Base):
    """An email the SMTP server refused for good (or that ran out of retries), or a whole
    job that failed for a reason retrying cannot fix (person_id is None then).

    status: dead (waiting for HR), retrying (sent to the queue again), delivered.
    """

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[str | None] = mapped_column(String(64), index=True)
    job: Mapped[dict] = mapped_column(JSON)  # what the retry sends again
    error: Mapped[str] = mapped_column(Text)
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="dead", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ErasedPerson(Base):
    """Someone erased from the organisation, known by the digest of their former id: never
    mailed again, whatever is in flight; an old event naming them is taken as naming the
    pseudonym that replaced the id (null for erasures recorded before it was kept)."""

    __tablename__ = "erased_people"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    pseudonym: Mapped[str | None] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
