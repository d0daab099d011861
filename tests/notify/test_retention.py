"""Notify's retention: old records that are over go, everything still waiting or recent stays,
and the event stream loses old entries but never one the consumer group still needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.notify import runtime as runtime_module
from services.notify import tasks
from services.notify.celery_app import make_celery
from services.notify.config import load_notify_settings
from services.notify.consumer import GROUP
from services.notify.models import (
    CANCELLED,
    DEAD,
    DONE,
    ENQUEUED,
    FAILED,
    OPEN,
    PENDING,
    REPLAYED,
    SENDING,
    SENT,
    WAITING,
    DeadEvent,
    DeadLetter,
    Delivery,
    ProcessedEvent,
    QueuedJob,
    Reminder,
)
from services.notify.retention import apply_retention
from shared.events import trim_stream
from shared.outbox import utcnow
from shared.retention import Retention
from tests.notify.test_people_api import make_app

NOW = utcnow()
DEFAULT = Retention()  # the email log for 365 days, the stream for 30
NOTHING = dict.fromkeys(("stream_entries", "processed_events", "deliveries", "jobs",
                         "reminders", "dead_letters", "dead_events"), 0)


def days_ago(days: int):
    return NOW - timedelta(days=days)


def delivery(key: str, state: str, days: int) -> Delivery:
    return Delivery(key=key, message_id=f"<{key}@x>", kind="action_due", person_id="emp1",
                    state=state, updated_at=days_ago(days))


def job(key: str, status: str, days: int) -> QueuedJob:
    return QueuedJob(id=key, job={"kind": "action_due"}, status=status, queued_at=days_ago(days),
                     finished_at=days_ago(days) if status == DONE else None)


def reminder(key: str, status: str, days: int) -> Reminder:
    return Reminder(key=key, kind="action_due", action_id="a-1", dialogue_id="d-1",
                    owner_id="emp1", leader_id="leader", data={}, due_at=days_ago(days),
                    status=status, created_at=days_ago(days + 30), updated_at=days_ago(days))


def letter(key: str, status: str, days: int) -> DeadLetter:
    return DeadLetter(key=key, kind="action_due", person_id="emp1", job={}, error="550",
                      status=status, created_at=days_ago(days + 1), failed_at=days_ago(days + 1),
                      retried_at=days_ago(days) if status != DEAD else None)


def dead_event(key: str, status: str, days: int, event_id: str | None = None) -> DeadEvent:
    return DeadEvent(stream="s", entry_id=key, event_id=event_id or key, type="t", entry={},
                     reason="failed", error="boom", attempts=5, status=status,
                     created_at=days_ago(days + 1), failed_at=days_ago(days + 1),
                     replayed_at=days_ago(days) if status == REPLAYED else None)


def handled(event_id: str, days: int) -> ProcessedEvent:
    return ProcessedEvent(event_id=event_id, type="t", processed_at=days_ago(days))


def keys(notify_sessions) -> dict[str, set[str]]:
    """What is left of each table, by key."""
    with notify_sessions() as session:
        return {
            "deliveries": set(session.scalars(select(Delivery.key))),
            "jobs": set(session.scalars(select(QueuedJob.id))),
            "reminders": set(session.scalars(select(Reminder.key))),
            "dead_letters": set(session.scalars(select(DeadLetter.key))),
            "dead_events": set(session.scalars(select(DeadEvent.entry_id))),
            "processed_events": set(session.scalars(select(ProcessedEvent.event_id))),
        }


def add(notify_sessions, *rows) -> None:
    with notify_sessions() as session:
        session.add_all(rows)
        session.commit()


def run(notify_sessions, raw_redis, stream, periods: Retention = DEFAULT) -> dict[str, int]:
    return apply_retention(notify_sessions, periods, NOW, redis=raw_redis, stream=stream)


@pytest.fixture
def old_and_recent(notify_sessions):
    """Rows of every kind: over and 400 days old, still waiting and 400 days old, and over
    but 100 days old."""
    add(notify_sessions,
        delivery("old-sent", SENT, 400), delivery("old-dead", DEAD, 400),
        delivery("old-sending", SENDING, 400), delivery("old-failed", FAILED, 400),
        delivery("recent-sent", SENT, 100),
        job("old-done", DONE, 400), job("old-open", OPEN, 400), job("recent-done", DONE, 100),
        reminder("old-cancelled", CANCELLED, 400), reminder("old-enqueued", ENQUEUED, 400),
        reminder("old-pending", PENDING, 400), reminder("recent-enqueued", ENQUEUED, 100),
        letter("old-delivered", "delivered", 400), letter("old-dead", DEAD, 400),
        letter("old-retrying", "retrying", 400), letter("recent-delivered", "delivered", 100),
        dead_event("old-replayed", REPLAYED, 400), dead_event("old-dead", WAITING, 400),
        dead_event("recent-replayed", REPLAYED, 100),
        handled("old-event", 400), handled("recent-event", 100))


def test_only_what_is_old_and_over_is_deleted_and_again_nothing(
    notify_sessions, raw_redis, stream, old_and_recent
):
    assert run(notify_sessions, raw_redis, stream) == {
        **NOTHING, "processed_events": 1, "deliveries": 2, "jobs": 1, "reminders": 2,
        "dead_letters": 1, "dead_events": 1,
    }
    assert keys(notify_sessions) == {
        "deliveries": {"old-sending", "old-failed", "recent-sent"},
        "jobs": {"old-open", "recent-done"},
        "reminders": {"old-pending", "recent-enqueued"},
        "dead_letters": {"old-dead", "old-retrying", "recent-delivered"},
        "dead_events": {"old-dead", "recent-replayed"},
        "processed_events": {"recent-event"},
    }
    assert run(notify_sessions, raw_redis, stream) == NOTHING


def test_periods_of_0_keep_everything(notify_sessions, raw_redis, stream, old_and_recent):
    before = keys(notify_sessions)
    assert run(notify_sessions, raw_redis, stream, Retention(email_log_days=0)) == NOTHING
    assert run(notify_sessions, raw_redis, stream, Retention(stream_days=0)) == {
        **NOTHING, "deliveries": 2, "jobs": 1, "reminders": 2, "dead_letters": 1,
        "dead_events": 1}
    assert keys(notify_sessions)["processed_events"] == before["processed_events"], (
        "with the stream kept for good, any event could arrive again")


def entry_id(days: int, seq: int = 0) -> str:
    return f"{int(days_ago(days).timestamp() * 1000)}-{seq}"


def test_handled_events_are_kept_while_they_could_arrive_again(
    notify_sessions, raw_redis, stream
):
    add(notify_sessions,
        delivery("20-days", SENT, 20),
        handled("20-days", 20),  # the email log goes after 10 days, the stream after 30
        handled("40-days", 40),
        handled("set-aside-copy", 400), dead_event("waiting", WAITING, 400, "set-aside-copy"))
    periods = Retention(email_log_days=10, stream_days=30)
    assert run(notify_sessions, raw_redis, stream, periods)["processed_events"] == 1
    assert keys(notify_sessions)["processed_events"] == {"20-days", "set-aside-copy"}
    assert keys(notify_sessions)["deliveries"] == set()

    # An entry 60 days old the consumer took and died before acknowledging: it stays on
    # the stream, and so do the events handled since it was added.
    add(notify_sessions, handled("50-days", 50), handled("70-days", 70))
    raw_redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
    raw_redis.xadd(stream, {"id": "50-days"}, id=entry_id(60))
    raw_redis.xreadgroup(GROUP, "c1", {stream: ">"})
    assert run(notify_sessions, raw_redis, stream, periods)["processed_events"] == 1
    assert keys(notify_sessions)["processed_events"] == {"20-days", "50-days", "set-aside-copy"}
    assert raw_redis.xlen(stream) == 1


def ids(raw_redis, stream) -> list[str]:
    return [entry.decode() for entry, _fields in raw_redis.xrange(stream)]


def test_the_stream_loses_old_entries_the_group_acknowledged_and_nothing_else(
    notify_sessions, raw_redis, stream
):
    raw_redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
    acked_1, acked_2, pending, unread = (entry_id(40, seq) for seq in range(4))
    for entry in (acked_1, acked_2, pending, unread):
        raw_redis.xadd(stream, {"n": entry}, id=entry)
    recent = raw_redis.xadd(stream, {"n": "recent"}).decode()
    raw_redis.xreadgroup(GROUP, "c1", {stream: ">"}, count=3)
    raw_redis.xack(stream, GROUP, acked_1, acked_2)

    assert run(notify_sessions, raw_redis, stream)["stream_entries"] == 2
    assert ids(raw_redis, stream) == [pending, unread, recent]
    assert run(notify_sessions, raw_redis, stream)["stream_entries"] == 0

    raw_redis.xack(stream, GROUP, pending)
    assert run(notify_sessions, raw_redis, stream)["stream_entries"] == 1
    assert ids(raw_redis, stream) == [unread, recent], "never an entry not delivered yet"
    # The consumer goes on where it was.
    [[_stream, entries]] = raw_redis.xreadgroup(GROUP, "c1", {stream: ">"})
    assert [entry.decode() for entry, _fields in entries] == [unread, recent]
    raw_redis.xack(stream, GROUP, unread, recent)
    assert run(notify_sessions, raw_redis, stream)["stream_entries"] == 1
    assert ids(raw_redis, stream) == [recent], "a recent entry stays"


def test_without_the_group_or_with_the_stream_kept_nothing_is_trimmed(
    notify_sessions, raw_redis, stream
):
    raw_redis.xadd(stream, {"n": "old"}, id=entry_id(40))
    assert run(notify_sessions, raw_redis, stream)["stream_entries"] == 0, (
        "no consumer has read it yet")
    raw_redis.xgroup_create(stream, GROUP, id="$")  # it has read everything
    assert run(notify_sessions, raw_redis, stream, Retention(stream_days=0)) == NOTHING
    assert raw_redis.xlen(stream) == 1
    assert run(notify_sessions, raw_redis, stream)["stream_entries"] == 1


def test_a_long_stream_is_trimmed_in_batches(raw_redis, stream):
    raw_redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
    with raw_redis.pipeline() as pipe:
        for seq in range(2_500):
            pipe.xadd(stream, {"n": seq}, id=entry_id(40, seq + 1))
        pipe.execute()
    raw_redis.xreadgroup(GROUP, "c1", {stream: ">"}, count=2_000)
    raw_redis.xack(stream, GROUP, *(entry_id(40, seq + 1) for seq in range(2_000)))
    assert trim_stream(raw_redis, stream, before=days_ago(30), group=GROUP, batch=300) == 2_000
    assert ids(raw_redis, stream)[0] == entry_id(40, 2_001)


def test_the_command_applies_retention(
    notify_database_url, notify_sessions, redis_url, stream, jwt_settings, monkeypatch,
    old_and_recent,
):
    monkeypatch.setenv("RETENTION_EMAIL_LOG_DAYS", "50")
    app = make_app(notify_database_url, redis_url, stream, jwt_settings)
    try:
        result = app.test_cli_runner().invoke(args=["retention"])
    finally:
        app.extensions["lederdialog.deps"].close()
    assert result.exit_code == 0, result.output
    assert "deliveries: 3 removed" in result.output
    assert keys(notify_sessions)["deliveries"] == {"old-sending", "old-failed"}


def test_beat_runs_retention_every_day(
    notify_database_url, notify_sessions, redis_url, stream, monkeypatch, old_and_recent
):
    schedule = make_celery(load_notify_settings(environ={})).conf.beat_schedule["retention"]
    assert schedule["task"] == tasks.apply_retention.name
    assert (schedule["schedule"].hour, schedule["schedule"].day_of_week) == ({3}, set(range(7)))

    for name, value in {"DATABASE_URL": notify_database_url, "REDIS_URL": redis_url,
                        "EVENT_STREAM": stream}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(runtime_module, "_current", None)
    try:
        removed = tasks.apply_retention()
    finally:
        runtime_module.runtime().engine.dispose()
    assert removed["deliveries"] == 2
    assert "old-sent" not in keys(notify_sessions)["deliveries"]
