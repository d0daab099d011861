"""Events the consumer cannot handle are set aside with their error, and never hold up the
events after them: the in-process consumer on real Redis and notify's real database."""

import json
import time

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from services.notify import consumer as consumer_module
from services.notify.config import EventRetry
from services.notify.handling import HANDLERS
from services.notify.models import DeadEvent, ProcessedEvent, Reminder
from tests.notify.stream import agreed, event, lag, pending, published, put

AGREED = "lederdialog.action.agreed.v1"


class FakeLog:
    """The consumer's log as (event, fields) pairs."""

    def __init__(self):
        self.lines: list[tuple[str, dict]] = []

    def __getattr__(self, _level):
        return lambda event, **fields: self.lines.append((event, fields))


@pytest.fixture
def log(monkeypatch) -> FakeLog:
    fake = FakeLog()
    monkeypatch.setattr(consumer_module, "log", fake)
    return fake


def dead_events(sessions) -> list[DeadEvent]:
    with sessions() as session:
        return list(session.scalars(select(DeadEvent).order_by(DeadEvent.id)))


def counted(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_an_action_due_on_the_last_day_of_the_calendar_is_set_aside_and_the_rest_go_on(
    consumer, raw_redis, stream, notify_sessions
):
    [far, _] = put(raw_redis, stream, agreed("far", due_on="9999-12-31"), published(2))
    made = consumer()
    assert made.run_once() == 2
    assert [job["kind"] for job in made.jobs] == ["framework_changed"]
    [dead] = dead_events(notify_sessions)
    assert (dead.entry_id, dead.type, dead.reason, dead.attempts) == (far, AGREED, "unfit", 1)
    assert "data.due_on" in dead.error and "must be from" in dead.error
    assert json.loads(dead.entry["event"])["data"]["due_on"] == "9999-12-31", "the whole entry"
    assert pending(raw_redis, stream) == 0 and lag(raw_redis, stream) == 0


MALFORMED = {
    "dialogue.recorded without follow_up_on": (event("dialogue.recorded.v1", {
        "dialogue_id": "d1", "revision": 1, "unit_id": "skole", "leader_id": "leader",
        "setting": "work_community", "held_on": "2026-11-22", "framework_version": 1,
        "visibility": "shared", "participant_ids": [], "action_ids": [],
        "focus_weights": {}}), "data.follow_up_on"),
    "wrong field types": (agreed(5, due_on=20271231), "data.action_id"),
    "action.updated of an unknown action": (event("action.updated.v1", {
        "action_id": "nobody-knows", "status": "in_progress", "due_on": "2027-01-01"}),
        "data.previous_due_on"),
    "person.erased without a person": (event("person.erased.v1", {}), "data.person_id"),
    "person.erased without its pseudonym": (
        event("person.erased.v1", {"person_id": "emp1"}), "data.pseudonym"),
}


def test_malformed_events_are_set_aside_at_once_and_the_good_ones_between_them_handled(
    consumer, raw_redis, stream, notify_sessions, log
):
    bad_ids = []
    for number, (bad, _field) in enumerate(MALFORMED.values()):
        bad_ids += put(raw_redis, stream, published(number + 2), bad)[1:]
    bad_ids.append(raw_redis.xadd(stream, {"id": "x", "type": "y", "event": "{no json"}).decode())
    put(raw_redis, stream, published(9))
    made = consumer()
    assert made.run_once() == 12
    assert [job["data"]["version_id"] for job in made.jobs] == [2, 3, 4, 5, 6, 9]
    dead = dead_events(notify_sessions)
    assert [d.entry_id for d in dead] == bad_ids
    for row, (_bad, field) in zip(dead, MALFORMED.values(), strict=False):
        assert row.reason == "unfit" and row.attempts == 1
        assert field in json.loads(row.error.removeprefix("does not fit its schema: "))
    assert dead[-1].error.startswith("the field `event` is not JSON")
    assert dead[-1].event_id is None and dead[-1].entry["event"] == "{no json"
    assert pending(raw_redis, stream) == 0
    assert [line for line, _ in log.lines].count("event set aside") == 6, "one line each"


def test_an_entry_of_any_bytes_is_set_aside_as_far_as_a_database_can_keep_it(
    consumer, raw_redis, stream, notify_sessions
):
    erased = event("person.erased.v1", {"person_id": "emp\x00\u2028"})
    entries = [
        {b"event": b"\xff\xfe{not utf-8", b"type": b"lederdialog.person.erased.v1"},
        {"event": json.dumps({**erased, "id": "\ud800"})},  # a lone surrogate, escaped
        {"no-event": "nul\x00"},
        {"event": "[" * 100_000},  # nested deeper than any parser goes
    ]
    for fields in entries:
        raw_redis.xadd(stream, fields)
    assert consumer().run_once() == 4
    dead = dead_events(notify_sessions)
    assert [row.reason for row in dead] == ["unfit"] * 4
    assert dead[0].entry["event"].startswith("\ufffd\ufffd{not")
    assert (dead[1].event_id, dead[1].type) == ("\\ud800", "lederdialog.person.erased.v1")
    assert {"data.person_id", "id"} <= set(json.loads(dead[1].error.split(": ", 1)[1]))
    assert dead[2].entry == {"no-event": "nul\x00"}
    assert "not JSON" in dead[3].error
    assert pending(raw_redis, stream) == 0


def test_a_type_notify_has_no_use_for_is_acknowledged_and_counted(
    consumer, raw_redis, stream, notify_sessions
):
    before = counted("lederdialog_notify_events_consumed_total", type="other",
                     outcome="ignored")
    put(raw_redis, stream, event("round.started.v1", {"round_id": "r1"}))
    assert consumer().run_once() == 1
    assert pending(raw_redis, stream) == 0
    assert dead_events(notify_sessions) == []
    assert counted("lederdialog_notify_events_consumed_total", type="other",
                   outcome="ignored") == before + 1


def failing(times: int):
    """A handler of action.agreed that fails `times` times, then plans as the real one."""
    calls = []

    def handler(ctx, data):
        calls.append(data["action_id"])
        if len(calls) <= times:
            raise RuntimeError(f"planner down, call {len(calls)}")
        return HANDLERS[AGREED](ctx, data)

    return handler, calls


def test_a_failing_entry_is_retried_with_backoff_then_set_aside_without_holding_up_others(
    consumer, raw_redis, stream, notify_sessions, log
):
    handler, calls = failing(times=99)
    made = consumer(handlers={**HANDLERS, AGREED: handler},
                    retry=EventRetry(max_attempts=3, backoff=0.4, backoff_max=1.2))
    [bad, _] = put(raw_redis, stream, agreed("a1"), published(2))
    assert made.run_once() == 2
    assert [job["kind"] for job in made.jobs] == ["framework_changed"], "the next one went on"
    assert made.run_once() == 0, "nothing tried again before its backoff"
    assert calls == ["a1"] and pending(raw_redis, stream) == 1

    # The waits past each backoff are what is under test.
    time.sleep(0.45)
    assert made.run_once() == 1
    assert dead_events(notify_sessions) == [] and pending(raw_redis, stream) == 1
    time.sleep(0.4)
    assert made.run_once() == 0, "the second backoff is twice as long"
    time.sleep(0.5)
    assert made.run_once() == 1
    assert len(calls) == 3

    [dead] = dead_events(notify_sessions)
    assert (dead.entry_id, dead.reason, dead.attempts) == (bad, "failed", 3)
    # The error names where in notify it was raised (here: the handler's caller).
    assert dead.error.startswith("RuntimeError: planner down, call 3 (services/notify/")
    assert pending(raw_redis, stream) == 0
    assert [(line, fields.get("attempt", fields.get("attempts"))) for line, fields in log.lines
            if "event" in line] == [("event failed; retrying later", 1),
                                    ("event failed; retrying later", 2), ("event set aside", 3)]
    assert all("Traceback" not in str(fields) for _, fields in log.lines)


def test_an_entry_that_fails_once_is_handled_on_its_next_attempt(
    consumer, raw_redis, stream, notify_sessions
):
    handler, calls = failing(times=1)
    made = consumer(handlers={**HANDLERS, AGREED: handler})
    put(raw_redis, stream, agreed("a1"))
    made.run_once()
    time.sleep(0.15)  # past the backoff: the wait is what is under test
    assert made.run_once() == 1
    assert calls == ["a1", "a1"]
    assert dead_events(notify_sessions) == [] and pending(raw_redis, stream) == 0
    with notify_sessions() as session:
        assert len(session.scalars(select(Reminder)).all()) == 4
        assert session.get(ProcessedEvent, json.loads(
            raw_redis.xrange(stream)[0][1][b"event"])["id"]) is not None


def test_attempts_are_counted_across_a_restart_of_the_consumer(
    consumer, raw_redis, stream, notify_sessions
):
    handler, calls = failing(times=99)
    retry = EventRetry(max_attempts=2, backoff=30, backoff_max=30)
    put(raw_redis, stream, agreed("a1"))
    consumer("before-restart", handlers={**HANDLERS, AGREED: handler}, retry=retry).run_once()
    assert pending(raw_redis, stream) == 1
    # The consumer restarts under a new name and claims what the old one left pending.
    after = consumer("after-restart", handlers={**HANDLERS, AGREED: handler}, retry=retry,
                     claim_idle_ms=100)
    time.sleep(0.15)  # past claim_idle_ms: the idle time is what is under test
    assert after.run_once() == 1
    [dead] = dead_events(notify_sessions)
    assert (dead.reason, dead.attempts) == ("failed", 2)
    assert calls == ["a1", "a1"] and pending(raw_redis, stream) == 0


def test_an_outage_sets_nothing_aside_however_long_it_lasts(
    consumer, raw_redis, stream, notify_sessions
):
    put(raw_redis, stream, published(2))
    made = consumer()

    def refuse(_jobs):
        raise ConnectionError("broker down")

    made._enqueue = refuse
    for _ in range(5):  # more tries than max_attempts
        with pytest.raises(ConnectionError):
            made.run_once()
        time.sleep(0.25)  # past the backoff, so each is a new try: the wait is under test
    assert dead_events(notify_sessions) == [] and pending(raw_redis, stream) == 1
    made._enqueue = made.jobs.extend
    assert made.run_once() == 1
    assert len(made.jobs) == 1 and pending(raw_redis, stream) == 0


def test_an_entry_set_aside_twice_is_kept_once(consumer, raw_redis, stream, notify_sessions):
    """A consumer that dies between setting an entry aside and acknowledging it sets the
    entry aside again when it is delivered again: one dead event all the same."""
    put(raw_redis, stream, event("person.erased.v1", {}))
    made = consumer()
    [(entry_id, fields)] = made._read()
    for _ in range(2):
        made._set_aside(entry_id.decode(), {k.decode(): v.decode() for k, v in fields.items()},
                        reason="unfit", error="no person", attempts=1)
    assert len(dead_events(notify_sessions)) == 1


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 2), (2, 4), (3, 8), (6, 60), (10**6, 60)])
def test_the_backoff_doubles_up_to_its_ceiling(attempts, seconds):
    assert EventRetry(backoff=2, backoff_max=60).delay(attempts) == seconds
