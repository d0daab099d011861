"""Publishing a version puts lederdialog.framework.published.v1 on the Redis stream."""

import json
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import select

from services.content.models import Outbox
from shared.events import CloudEventSchema
from shared.outbox import OutboxRelay
from tests.support.waiting import wait_until

QUESTION = "settings.individual_leader.questions.individual_strengths.text"


@pytest.fixture
def relay(content_sessions, content_settings):
    """An outbox relay of the content service onto the test's stream."""
    from redis import Redis

    client = Redis.from_url(content_settings.redis_url)
    yield OutboxRelay(
        session_factory=content_sessions, model=Outbox, redis=client,
        stream=content_settings.event_stream, service="content",
    )
    client.close()


def publish_new_version(client, token, request_id="req-publish-1") -> int:
    hr = token("hr-1", "hr_admin")
    draft_id = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    client.patch(f"/api/v1/framework/versions/{draft_id}/texts", headers=hr,
                 json={"changes": [{"path": QUESTION, "en": "What are my strengths?"}]})
    response = client.post(f"/api/v1/framework/versions/{draft_id}/publish",
                           headers={**hr, "X-Request-ID": request_id})
    assert response.status_code == 200
    return draft_id


def stream_events(redis, stream) -> list[dict]:
    return [json.loads(fields["event"]) for _id, fields in redis.xrange(stream)]


def test_publish_reaches_the_stream_once(client, token, relay, redis, stream):
    version_id = publish_new_version(client, token)
    assert redis.xlen(stream) == 0, "nothing leaves before the relay runs"
    assert relay.run_once() == 1
    assert relay.run_once() == 0
    [event] = stream_events(redis, stream)
    CloudEventSchema().load(event)
    assert event["type"] == "lederdialog.framework.published.v1"
    assert event["source"] == "/lederdialog/content"
    assert event["requestid"] == "req-publish-1"
    assert event["data"]["version_id"] == version_id
    assert event["data"]["previous_version_id"] == 1
    assert event["data"]["changed_paths"] == [QUESTION]


def test_draft_edits_emit_nothing(client, token, relay, redis, stream):
    hr = token("hr-1", "hr_admin")
    draft_id = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    client.delete(f"/api/v1/framework/versions/{draft_id}", headers=hr)
    assert relay.run_once() == 0
    assert redis.xlen(stream) == 0


def test_relay_killed_between_publishing_and_marking_publishes_again_with_same_id(
    client, token, relay, redis, stream, content_settings, content_sessions
):
    publish_new_version(client, token)
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.support.crashing_relay", content_settings.database_url,
         content_settings.redis_url, stream],
        capture_output=True, timeout=60,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()
    assert redis.xlen(stream) == 1
    with content_sessions() as session:
        assert session.scalars(select(Outbox.published_at)).all() == [None]

    assert relay.run_once() == 1
    first, second = stream_events(redis, stream)
    assert first["id"] == second["id"], "consumers dedupe by the event id"
    with content_sessions() as session:
        assert session.scalars(select(Outbox.published_at)).one() is not None
    assert relay.run_once() == 0


def test_relay_command_publishes_until_stopped(client, token, redis, stream, content_settings):
    publish_new_version(client, token)
    env = {**os.environ, "DATABASE_URL": content_settings.database_url,
           "REDIS_URL": content_settings.redis_url, "EVENT_STREAM": stream,
           "RELAY_POLL_SECONDS": "0.1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "services.content.app", "relay"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: redis.xlen(stream), timeout=20,
                   message="the relay put nothing on the stream")
        assert redis.xlen(stream) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode()
    assert process.returncode == 0, output
    assert "relay stopped" in output
