"""The stream consumer: handed on before acknowledged, deduped by event id, claims the
entries of a dead consumer; person.erased calls everything off for that person."""

import time

import pytest
from sqlalchemy import func, select

from services.notify.models import (
    CANCELLED,
    PENDING,
    ErasedPerson,
    ProcessedEvent,
    Reminder,
)
from shared.events import new_event
from shared.ids import person_digest
from shared.outbox import stream_fields
from tests.notify.stream import agreed, pending, published


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_an_event_published_twice_is_handled_once(consumer, raw_redis, stream, notify_sessions):
    event = published(2)
    raw_redis.xadd(stream, stream_fields(event))
    raw_redis.xadd(stream, stream_fields(event))
    first = consumer()
    assert first.run_once() == 2
    raw_redis.xadd(stream, stream_fields(event))  # and once more, later
    assert first.run_once() == 1
    assert [job["source"] for job in first.jobs] == [event["id"]]
    assert count(notify_sessions, ProcessedEvent) == 1
    assert pending(raw_redis, stream) == 0


def test_nothing_is_acknowledged_when_the_queue_refuses(
    consumer, raw_redis, stream, notify_sessions
):
    raw_redis.xadd(stream, stream_fields(published(2)))
    broken = consumer()

    def refuse(_jobs):
        raise ConnectionError("broker down")

    broken._enqueue = refuse
    with pytest.raises(ConnectionError):
        broken.run_once()
    assert pending(raw_redis, stream) == 1
    assert count(notify_sessions, ProcessedEvent) == 0

    broken._enqueue = broken.jobs.extend  # the queue is back: the entry is tried again
    time.sleep(0.2)  # past its (tests': short) backoff: the wait is what is under test
    assert broken.run_once() == 1
    assert len(broken.jobs) == 1
    assert pending(raw_redis, stream) == 0


def test_entries_of_a_dead_consumer_are_claimed(consumer, raw_redis, stream, notify_sessions):
    for number in range(3):
        raw_redis.xadd(stream, stream_fields(agreed(f"a{number}")))
    dead = consumer("dead")
    assert len(dead._read()) == 3  # read, then "died" before handing anything on
    assert pending(raw_redis, stream) == 3
    survivor = consumer("survivor", claim_idle_ms=200)
    assert survivor.run_once() == 0
    time.sleep(0.3)  # past claim_idle_ms: the idle time is what is under test
    assert survivor.run_once() == 3
    assert pending(raw_redis, stream) == 0
    assert count(notify_sessions, Reminder) == 3 * 4


def test_person_erased_cancels_their_reminders_and_remembers_them(
    consumer, raw_redis, stream, notify_sessions
):
    raw_redis.xadd(stream, stream_fields(agreed("mine", owner_id="emp1")))
    raw_redis.xadd(stream, stream_fields(agreed("theirs", owner_id="emp2")))
    raw_redis.xadd(stream, stream_fields(new_event(
        type="lederdialog.person.erased.v1", source="/lederdialog/assessment",
        data={"person_id": "emp1", "pseudonym": "erased-0001"})))
    assert consumer().run_once() == 3
    with notify_sessions() as session:
        statuses = dict(session.execute(
            select(Reminder.action_id, Reminder.status).distinct()).all())
        assert statuses == {"mine": CANCELLED, "theirs": PENDING}
        assert session.get(ErasedPerson, person_digest("emp1")).pseudonym == "erased-0001"
