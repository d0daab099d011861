"""An amendment that changes nothing makes no revision and puts nothing on the event stream,
so notify sends nobody the dialogue again."""

import json

import pytest
from redis import Redis

from services.assessment.models import Outbox
from shared.outbox import OutboxRelay
from tests.support.dialogues import PARTICIPANTS, action, dialogue_body, ratings, record

AMENDED = "lederdialog.dialogue.amended.v1"


@pytest.fixture
def stream_types(assessment_sessions, assessment_settings, redis, stream):
    """Relay the outbox onto the test's stream; the types of the events it got since last."""
    client = Redis.from_url(assessment_settings.redis_url)
    relay = OutboxRelay(session_factory=assessment_sessions, model=Outbox, redis=client,
                        stream=stream, service="assessment")
    seen = 0

    def relayed() -> list[str]:
        nonlocal seen
        while relay.run_once():
            pass
        entries = redis.xrange(stream)
        fresh, seen = entries[seen:], len(entries)
        return [json.loads(fields["event"])["type"] for _id, fields in fresh]

    yield relayed
    client.close()


def test_an_amendment_that_changes_nothing_makes_no_revision_and_no_event(
    client, org, token, stream_types
):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    path = f"/api/v1/dialogues/{dialogue['id']}"
    assert stream_types(), "the recording is on the stream"
    # The same content without new actions; people and ratings in another order.
    same = dialogue_body(actions=[], participants=list(reversed(PARTICIPANTS)),
                         focus_areas=list(reversed(ratings())),
                         follow_up_on=dialogue["follow_up_on"])

    response = client.put(path, json=same, headers=leader)

    assert response.status_code == 200, response.get_json()
    unchanged = response.get_json()
    assert (unchanged["revision"], unchanged["amended_at"]) == (1, None)
    assert unchanged == dialogue
    assert stream_types() == [], "nothing to tell anyone"
    revisions = client.get(f"{path}/revisions", headers=leader).get_json()
    assert [r["revision"] for r in revisions] == [1]

    # What does change something is still a revision, announced once.
    changed = client.put(path, json={**same, "visibility": "private"}, headers=leader)
    assert changed.get_json()["revision"] == 2
    assert stream_types() == [AMENDED]


def test_an_amendment_adding_an_action_is_a_revision_though_the_rest_is_the_same(
    client, org, token, stream_types
):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    stream_types()

    response = client.put(f"/api/v1/dialogues/{dialogue['id']}",
                          json=dialogue_body(actions=[action(title="Ny aftale")]),
                          headers=leader)

    assert response.get_json()["revision"] == 2
    assert stream_types() == [AMENDED, "lederdialog.action.agreed.v1"]
