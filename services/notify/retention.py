"""Notify's retention: its records of sent emails are deleted after RETENTION_EMAIL_LOG_DAYS,
the event stream's entries after RETENTION_STREAM_DAYS (shared/retention.py).

Only what is over is deleted: emails sent or given up (never one being handed to the SMTP
server), jobs finished, reminders sent or called off, dead letters delivered since and dead
events replayed. What still waits (a dead letter or dead event for HR, a pending reminder,
an open job, a retry) stays however old it is.

`processed_events` is what keeps an event that arrives twice from being handled twice, so
an event's id is kept as long as the event could arrive again: for the longer of the two
periods, never while an entry as old is still on the stream (the stream keeps what the
consumer group has not acknowledged, whatever its age), and never while a dead event of it
waits for a replay.

Run by beat every day (tasks.apply_retention) and by hand with
`flask --app services.notify.app retention`. Deletes in batches and may run any time, as
often as wanted.
"""

from __future__ import annotations

from datetime import datetime

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.notify.consumer import GROUP
from services.notify.models import (
    CANCELLED,
    DEAD,
    DONE,
    ENQUEUED,
    REPLAYED,
    SENT,
    WAITING,
    DeadEvent,
    DeadLetter,
    Delivery,
    ProcessedEvent,
    QueuedJob,
    Reminder,
)
from shared.events import oldest_entry_at, trim_stream
from shared.retention import Retention, cutoff, delete_in_batches


def apply_retention(
    sessions: sessionmaker, periods: Retention, now: datetime, *, redis: Redis, stream: str
) -> dict[str, int]:
    """Delete what is past its period as of `now` and trim the stream; how many of each
    kind went."""
    removed = {"stream_entries": 0}
    stream_before = cutoff(now, periods.stream_days)
    if stream_before is not None:
        removed["stream_entries"] = trim_stream(redis, stream, before=stream_before, group=GROUP)
    removed["processed_events"] = _forget_handled_events(sessions, periods, now, redis=redis,
                                                         stream=stream)
    removed.update(_delete_email_log(sessions, cutoff(now, periods.email_log_days)))
    return removed


def _delete_email_log(sessions: sessionmaker, before: datetime | None) -> dict[str, int]:
    if before is None:
        return dict.fromkeys(("deliveries", "jobs", "reminders", "dead_letters", "dead_events"), 0)
    return {
        "deliveries": delete_in_batches(
            sessions, Delivery.key, Delivery.state.in_((SENT, DEAD)), Delivery.updated_at < before),
        "jobs": delete_in_batches(
            sessions, QueuedJob.id, QueuedJob.status == DONE, QueuedJob.finished_at < before),
        "reminders": delete_in_batches(
            sessions, Reminder.id, Reminder.status.in_((ENQUEUED, CANCELLED)),
            Reminder.updated_at < before),
        # A letter is delivered by a retry, so its retry is when it last changed.
        "dead_letters": delete_in_batches(
            sessions, DeadLetter.id, DeadLetter.status == "delivered",
            DeadLetter.retried_at < before),
        "dead_events": delete_in_batches(
            sessions, DeadEvent.id, DeadEvent.status == REPLAYED, DeadEvent.replayed_at < before),
    }


def _forget_handled_events(
    sessions: sessionmaker, periods: Retention, now: datetime, *, redis: Redis, stream: str
) -> int:
    """Delete the ids of events handled long enough ago that they cannot arrive again."""
    if not (periods.email_log_days and periods.stream_days):
        return 0  # one of the two is kept for good
    before = cutoff(now, max(periods.email_log_days, periods.stream_days))
    # An entry is added before its event is handled: one still on the stream was handled
    # after the oldest entry there was added, if at all.
    oldest = oldest_entry_at(redis, stream)
    if oldest is not None:
        before = min(before, oldest)
    waiting = select(DeadEvent.event_id).where(DeadEvent.status == WAITING,
                                               DeadEvent.event_id.is_not(None))
    return delete_in_batches(sessions, ProcessedEvent.event_id,
                             ProcessedEvent.processed_at < before,
                             ProcessedEvent.event_id.not_in(waiting))
