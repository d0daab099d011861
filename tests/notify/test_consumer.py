"""The stream consumer: a batch in one transaction, handed on before acknowledged, deduped
by event id, claims the entries of a dead consumer; person.erased calls everything off for
that person."""

import time

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from services.notify.handling import HANDLERS
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
from tests.notify.stream import agreed, pending, published, put

AGREED = "lederdialog.action.agreed.v1"


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


def test_a_batch_is_committed_once_and_acknowledged_together(
    consumer, raw_redis, stream, notify_sessions
):
    put(raw_redis, stream, *(agreed(f"a{number}") for number in range(5)), published(2))
    commits = []

    def committed(connection):
        commits.append(connection)

    engine = notify_sessions.kw["bind"]
    sqlalchemy_event.listen(engine, "commit", committed)
    try:
        assert consumer().run_once() == 6
    finally:
        sqlalchemy_event.remove(engine, "commit", committed)
    assert len(commits) == 1
    assert pending(raw_redis, stream) == 0
    assert count(notify_sessions, Reminder) == 5 * 4
    assert count(notify_sessions, ProcessedEvent) == 6


def test_an_entry_failing_mid_batch_costs_the_others_nothing(
    consumer, raw_redis, stream, notify_sessions
):
    tried = []

    def agreed_unless_a1(ctx, data):
        tried.append(data["action_id"])
        if data["action_id"] == "a1":
            raise RuntimeError("a1 cannot be planned")
        return HANDLERS[AGREED](ctx, data)

    put(raw_redis, stream, agreed("a0"), agreed("a1"), agreed("a2"), published(2))
    made = consumer(handlers={**HANDLERS, AGREED: agreed_unless_a1})
    assert made.run_once() == 4
    # a0 went through in the batch that a1 spoilt and again before a1 was dealt with
    # alone; a2 and the notice went on together. a1 was tried once, this attempt.
    assert tried == ["a0", "a1", "a0", "a2"]
    assert [job["kind"] for job in made.jobs] == ["framework_changed"]
    with notify_sessions() as session:
        planned = session.execute(select(Reminder.action_id, func.count())
                                  .group_by(Reminder.action_id)).all()
    assert dict(planned) == {"a0": 4, "a2": 4}
    assert count(notify_sessions, ProcessedEvent) == 3
    assert pending(raw_redis, stream) == 1, "a1 waits for its next attempt"


def test_a_batch_the_queue_refuses_keeps_nothing_and_comes_again_whole(
    consumer, raw_redis, stream, notify_sessions
):
    put(raw_redis, stream, agreed("a0"), published(2), agreed("a1"))
    made = consumer()
    made._enqueue = lambda _jobs: (_ for _ in ()).throw(ConnectionError("broker down"))
    with pytest.raises(ConnectionError):
        made.run_once()
    assert count(notify_sessions, Reminder) == 0
    assert count(notify_sessions, ProcessedEvent) == 0
    assert pending(raw_redis, stream) == 3

    made._enqueue = made.jobs.extend
    time.sleep(0.2)  # past the (tests': short) backoff: the wait is what is under test
    assert made.run_once() == 3
    assert [job["kind"] for job in made.jobs] == ["framework_changed"]
    assert count(notify_sessions, Reminder) == 2 * 4
    assert pending(raw_redis, stream) == 0
