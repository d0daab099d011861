"""HR admins send every dead letter again with one request: each is queued once, oldest
failure first, a bounded batch at a time; asking again sends nothing twice."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import pytest
from flask import Flask

from services.notify.api import dead_letters
from services.notify.app import create_app
from services.notify.config import load_notify_settings
from services.notify.models import DeadLetter
from shared.config import load_settings
from shared.outbox import utcnow
from tests.support.servers import UNREACHABLE

NOW = utcnow()


def make_app(redis_url: str, database_url: str, stream: str, jwt_settings, queue: str) -> Flask:
    """notify's API on the test's database, its jobs queued on a queue of the test's own."""
    base = load_settings("notify", environ={}, database_url=database_url, redis_url=redis_url,
                         event_stream=stream, jwt=jwt_settings)
    app = create_app(load_notify_settings(environ={"NOTIFY_QUEUE": queue}, base=base))
    app.config["TESTING"] = True
    return app


@pytest.fixture
def queue(raw_redis):
    name = f"test.notify.{uuid.uuid4().hex}"
    yield name
    raw_redis.delete(name)


@pytest.fixture
def client(notify_database_url, notify_sessions, redis_url, stream, jwt_settings, queue):
    app = make_app(redis_url, notify_database_url, stream, jwt_settings, queue)
    yield app.test_client()
    app.extensions["lederdialog.deps"].close()


def letter(name: str, *, status: str = "dead", hours_ago: int = 1) -> DeadLetter:
    return DeadLetter(key=f"evt-{name}|action_due|{name}", kind="action_due", person_id=name,
                      job={"kind": "action_due", "source": f"evt-{name}"},
                      error="550 mailbox unavailable", smtp_code=550, status=status,
                      failed_at=NOW - timedelta(hours=hours_ago))


@pytest.fixture
def letters(notify_sessions):
    """Three dead letters (emp1's the oldest), one already retrying and one delivered."""
    with notify_sessions() as session:
        session.add_all([
            letter("emp1", hours_ago=3), letter("emp2", hours_ago=2), letter("leader"),
            letter("tr", status="retrying"), letter("amr", status="delivered"),
        ])
        session.commit()


def queued_letters(raw_redis, queue: str) -> list[str]:
    """The dead-letter keys of the jobs on the queue (kombu's messages: base64 JSON bodies)."""
    keys = []
    for message in raw_redis.lrange(queue, 0, -1):
        args, _kwargs, _embed = json.loads(base64.b64decode(json.loads(message)["body"]))
        keys.append(args[0]["dead_letter"])
    return sorted(keys)


def statuses(client, hr) -> dict[str, tuple[str, bool]]:
    """Each letter's person: its status and whether it has been sent again."""
    return {row["person_id"]: (row["status"], row["retried_at"] is not None)
            for row in client.get("/api/v1/dead-letters", headers=hr).get_json()}


def test_retry_all_sends_every_dead_letter_once(client, token, letters, raw_redis, queue):
    hr = token("hr-1", "hr_admin")
    answer = client.post("/api/v1/dead-letters/retry", headers=hr)
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json() == {"retried": 3, "remaining": 0}
    assert queued_letters(raw_redis, queue) == [
        "evt-emp1|action_due|emp1", "evt-emp2|action_due|emp2", "evt-leader|action_due|leader"]
    assert statuses(client, hr) == {
        "emp1": ("retrying", True), "emp2": ("retrying", True), "leader": ("retrying", True),
        "tr": ("retrying", False), "amr": ("delivered", False),
    }

    again = client.post("/api/v1/dead-letters/retry", headers=hr)
    assert again.status_code == 202
    assert again.get_json() == {"retried": 0, "remaining": 0}
    assert len(queued_letters(raw_redis, queue)) == 3, "nothing is queued twice"


def test_retry_all_takes_a_bounded_batch_oldest_first(
        client, token, letters, raw_redis, queue, monkeypatch):
    monkeypatch.setattr(dead_letters, "RETRY_ALL_BATCH", 2)
    hr = token("hr-1", "hr_admin")
    first = client.post("/api/v1/dead-letters/retry", headers=hr).get_json()
    assert first == {"retried": 2, "remaining": 1}
    assert queued_letters(raw_redis, queue) == [
        "evt-emp1|action_due|emp1", "evt-emp2|action_due|emp2"]
    assert client.post("/api/v1/dead-letters/retry", headers=hr).get_json() == {
        "retried": 1, "remaining": 0}
    assert len(queued_letters(raw_redis, queue)) == 3


def test_retry_all_with_nothing_dead(client, token, notify_sessions):
    answer = client.post("/api/v1/dead-letters/retry", headers=token("hr-1", "hr_admin"))
    assert answer.status_code == 202
    assert answer.get_json() == {"retried": 0, "remaining": 0}


def test_only_hr_admins_retry_all(client, token, letters, raw_redis, queue):
    assert client.post("/api/v1/dead-letters/retry").status_code == 401
    assert client.post("/api/v1/dead-letters/retry",
                       headers=token("leader", "leader")).status_code == 403
    assert queued_letters(raw_redis, queue) == []


def test_a_queue_out_of_reach_changes_nothing(
        notify_database_url, letters, stream, jwt_settings, token):
    app = make_app(UNREACHABLE.replace("http", "redis"), notify_database_url, stream,
                   jwt_settings, "test.notify.unreachable")
    client, hr = app.test_client(), token("hr-1", "hr_admin")
    before = statuses(client, hr)
    [newest] = client.get("/api/v1/dead-letters?page_size=1", headers=hr).get_json()
    try:
        for path in ("/api/v1/dead-letters/retry", f"/api/v1/dead-letters/{newest['id']}/retry"):
            answer = client.post(path, headers=hr)
            assert answer.status_code == 503, (path, answer.get_json())
            assert answer.headers["Retry-After"] == "5"
            assert "queue cannot be reached" in answer.get_json()["message"]
        assert statuses(client, hr) == before
    finally:
        app.extensions["lederdialog.deps"].close()
