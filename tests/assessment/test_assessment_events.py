"""Every recorded change reaches the event stream exactly once, with ids and facts only."""

import json
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import timedelta

import pytest
import requests
from redis import Redis
from sqlalchemy import func, select

from services.assessment.models import (
    Action,
    Dialogue,
    DialogueRevision,
    FocusRating,
    Outbox,
    Participant,
)
from shared.config import REPO_ROOT
from shared.events import CloudEventSchema
from shared.outbox import OutboxRelay
from tests.assessment.conftest import PEOPLE
from tests.support.dialogues import HELD_ON, action, dialogue_body, participants_with, record
from tests.support.waiting import wait_until

RECORDED = "lederdialog.dialogue.recorded.v1"
AMENDED = "lederdialog.dialogue.amended.v1"
AGREED = "lederdialog.action.agreed.v1"
UPDATED = "lederdialog.action.updated.v1"
COMPLETED = "lederdialog.action.completed.v1"


@pytest.fixture
def relay(assessment_sessions, assessment_settings):
    """An outbox relay of the assessment service onto the test's stream."""
    client = Redis.from_url(assessment_settings.redis_url)
    yield OutboxRelay(session_factory=assessment_sessions, model=Outbox, redis=client,
                      stream=assessment_settings.event_stream, service="assessment")
    client.close()


@pytest.fixture
def published(relay, redis, stream):
    """Relay what the outbox holds and return the events that reached the stream since last."""
    seen = 0

    def publish() -> list[dict]:
        nonlocal seen
        while relay.run_once():
            pass
        entries = [json.loads(fields["event"]) for _id, fields in redis.xrange(stream)]
        fresh, seen = entries[seen:], len(entries)
        return fresh

    return publish


def types(events: list[dict]) -> list[str]:
    return [event["type"] for event in events]


def test_recording_publishes_the_dialogue_and_each_agreed_action_once(
    client, org, token, published
):
    body = dialogue_body(actions=[action(), action(owner_id="tr", due_on="2029-01-01")])
    response = client.post("/api/v1/dialogues", json=body,
                           headers={**token("leader", "leader"), "X-Request-ID": "req-rec-1"})
    dialogue = response.get_json()

    events = published()

    assert types(events) == [RECORDED, AGREED, AGREED]
    assert published() == [], "each event reaches the stream once"
    for event in events:
        CloudEventSchema().load(event)
        assert event["source"] == "/lederdialog/assessment"
        assert event["requestid"] == "req-rec-1"
    recorded, *agreed = events
    assert recorded["subject"] == f"dialogues/{dialogue['id']}"
    data = dict(recorded["data"])
    assert sorted(data.pop("action_ids")) == sorted(a["id"] for a in dialogue["actions"])
    assert data == {
        "dialogue_id": dialogue["id"], "revision": 1, "unit_id": "skole", "leader_id": "leader",
        "setting": "work_community", "held_on": HELD_ON.isoformat(), "framework_version": 1,
        "visibility": "shared", "follow_up_on": dialogue["follow_up_on"],
        "participant_ids": ["leader", "emp1", "tr"],
        "focus_weights": {"competent_communities": 40, "innovative_communities": 30,
                          "meaningful_communities": 20, "reliable_communities": 10},
    }
    by_owner = {event["data"]["owner_id"]: event for event in agreed}
    tr_action = next(a for a in dialogue["actions"] if a["owner_id"] == "tr")
    assert by_owner["tr"]["subject"] == f"actions/{tr_action['id']}"
    assert by_owner["tr"]["data"] == {
        "action_id": tr_action["id"], "dialogue_id": dialogue["id"], "unit_id": "skole",
        "leader_id": "leader", "owner_id": "tr", "due_on": "2029-01-01",
        "focus_area": "reliable_communities", "commitment": "proactive_management",
        "status": "open",
    }


def test_amendment_publishes_one_amended_event_and_only_the_new_actions(
    client, org, token, published
):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    published()
    body = dialogue_body(visibility="private", participants=[],
                         actions=[action(title="Nyt", owner_id="leader")])

    amended = client.put(f"/api/v1/dialogues/{dialogue['id']}", json=body,
                         headers=leader).get_json()
    events = published()

    assert types(events) == [AMENDED, AGREED]
    data = events[0]["data"]
    assert (data["revision"], data["visibility"], data["participant_ids"]) == (2, "private", [])
    assert sorted(data["action_ids"]) == sorted(a["id"] for a in amended["actions"])
    assert events[1]["data"]["owner_id"] == "leader"


def test_each_action_change_publishes_one_event(client, token, org, published):
    dialogue = record(client, token("leader", "leader"), dialogue_body())
    action_id = dialogue["actions"][0]["id"]
    owner = token("emp1", "employee")
    url = f"/api/v1/actions/{action_id}"
    published()
    later = (HELD_ON + timedelta(days=45)).isoformat()

    client.patch(url, json={"status": "in_progress"}, headers=owner)
    [started] = published()
    client.patch(url, json={"status": "in_progress"}, headers=owner)
    assert published() == [], "a change to the same state is no change"
    client.patch(url, json={"due_on": later, "reason": "Travl periode"}, headers=owner)
    [moved] = published()
    client.post(f"{url}/complete", json={"reflection": "Det virkede."}, headers=owner)
    [completed] = published()

    common = {"action_id": action_id, "dialogue_id": dialogue["id"], "unit_id": "skole",
              "leader_id": "leader", "owner_id": "emp1"}
    due = dialogue["actions"][0]["due_on"]
    assert started["type"] == UPDATED
    assert started["data"] == {**common, "status": "in_progress", "previous_status": "open",
                               "due_on": due, "previous_due_on": due, "previous_owner_id": "emp1"}
    assert moved["type"] == UPDATED
    assert moved["data"] == {**common, "status": "in_progress", "previous_status": "in_progress",
                             "due_on": later, "previous_due_on": due, "previous_owner_id": "emp1"}
    assert completed["type"] == COMPLETED
    assert set(completed["data"]) == {*common, "completed_at"}
    assert completed["data"]["completed_at"].startswith(
        client.get(url, headers=owner).get_json()["completed_at"][:19])


def test_dropping_an_action_publishes_an_update(client, token, org, published):
    dialogue = record(client, token("leader", "leader"), dialogue_body())
    published()
    client.patch(f"/api/v1/actions/{dialogue['actions'][0]['id']}", json={"status": "dropped"},
                 headers=token("leader", "leader"))
    [dropped] = published()
    assert dropped["type"] == UPDATED
    assert (dropped["data"]["status"], dropped["data"]["previous_status"]) == ("dropped", "open")


def test_refused_requests_publish_nothing(client, token, org, published):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    action_url = f"/api/v1/actions/{dialogue['actions'][0]['id']}"
    published()

    refused = [
        client.post("/api/v1/dialogues", json=dialogue_body(focus_areas=[]), headers=leader),
        client.post("/api/v1/dialogues", json=dialogue_body(), headers=token("tr", "leader")),
        client.put(f"/api/v1/dialogues/{dialogue['id']}", headers=leader,
                   json=dialogue_body(setting="leader_group")),
        client.patch(action_url, json={"status": "done"}, headers=token("tr", "trio")),
    ]
    client.patch(action_url, json={"status": "dropped"}, headers=leader)
    published()
    refused.append(client.post(f"{action_url}/complete", json={"reflection": "x"},
                               headers=leader))

    assert [r.status_code for r in refused] == [422, 403, 422, 403, 409]
    assert published() == []


def test_events_carry_no_names_emails_or_free_text(client, token, org, published):
    leader = token("leader", "leader")
    body = dialogue_body(setting="specific_task", task_description="Hemmelig omstrukturering",
                         answers={"task_focus_areas": "Fortroligt svar"})
    dialogue = record(client, leader, body)
    action_url = f"/api/v1/actions/{dialogue['actions'][0]['id']}"
    client.patch(action_url, json={"due_on": "2029-02-02", "reason": "Privat grund"},
                 headers=leader)
    client.post(f"{action_url}/complete", json={"reflection": "Personlig refleksion"},
                headers=leader)

    wire = json.dumps(published(), ensure_ascii=False)

    texts = ["Hemmelig omstrukturering", "Fortroligt svar", "Privat grund", "Personlig refleksion",
             body["actions"][0]["title"], body["strengths"][0]["text"],
             body["development_areas"][0]["text"]]
    texts += [name for _id, name, _unit, _lang in PEOPLE] + ["@gentofte.test"]
    for text in texts:
        assert text not in wire, text


def _count(session, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return session.scalar(query)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def api_process(assessment_settings, jwt_settings, tmp_path):
    """The assessment API under gunicorn (2 workers, 4 threads each): (kill, base URL)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": assessment_settings.database_url,
        "REDIS_URL": assessment_settings.redis_url,
        "EVENT_STREAM": assessment_settings.event_stream,
        "CONTENT_URL": assessment_settings.content_url,
        "JWT_SECRET": jwt_settings.secret, "JWT_ISSUER": jwt_settings.issuer,
        "LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "4", "--worker-class", "gthread",
             "services.assessment.app:create_app()"],
            cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            # Its own process group, so one SIGKILL takes master and workers down at once.
            start_new_session=True,
        )

    def kill() -> None:
        with suppress(ProcessLookupError):  # the group may be gone already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    base_url = f"http://127.0.0.1:{port}"

    def started() -> bool:
        assert process.poll() is None, f"gunicorn ended:\n{log.read_text()}"
        return _healthy(base_url)

    wait_until(started, message=lambda: f"gunicorn did not start:\n{log.read_text()}")
    yield kill, base_url
    kill()


def _healthy(base_url: str) -> bool:
    try:
        return requests.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False  # bound, but no worker accepting yet


@pytest.mark.slow  # starts the API under gunicorn
def test_killing_the_api_mid_burst_leaves_whole_dialogues_or_nothing(
    org, token, assessment_sessions, api_process
):
    kill, base_url = api_process
    body = dialogue_body(participants=participants_with("emp2"),
                         actions=[action(), action(owner_id="emp2")])
    headers = token("leader", "leader")
    wanted_before_kill = 20

    def post() -> str | None:
        try:
            response = requests.post(f"{base_url}/api/v1/dialogues", json=body,
                                     headers=headers, timeout=30)
        except requests.RequestException:
            return None  # refused, reset or cut off by the kill: no answer
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def stored() -> int:
        with assessment_sessions() as session:
            return _count(session, Dialogue)

    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(post) for _ in range(400)]
        wait_until(lambda: stored() >= wanted_before_kill, timeout=60, interval=0.02,
                   message=lambda: f"{stored()} of {wanted_before_kill} dialogues stored")
        kill()
        answered = [future.result() for future in futures]

    confirmed = {dialogue_id for dialogue_id in answered if dialogue_id is not None}
    assert None in answered, "the process died while requests were still coming"
    with assessment_sessions() as session:
        ids = set(session.scalars(select(Dialogue.id)))
        assert len(ids) >= wanted_before_kill
        assert confirmed <= ids, "every dialogue answered with 201 was kept"
        for dialogue_id in ids:
            assert _count(session, DialogueRevision, dialogue_id=dialogue_id) == 1
            assert _count(session, FocusRating, dialogue_id=dialogue_id) == 4
            assert _count(session, Participant,
                          dialogue_id=dialogue_id) == len(body["participants"])
            assert _count(session, Action, dialogue_id=dialogue_id) == 2
        for model in (DialogueRevision, FocusRating, Participant, Action):
            assert session.scalar(select(func.count()).select_from(model)
                                  .where(model.dialogue_id.not_in(ids))) == 0, model
        events = Counter((row.type, row.envelope["data"]["dialogue_id"])
                         for row in session.scalars(select(Outbox)))
    assert events == Counter({**{(RECORDED, i): 1 for i in ids}, **{(AGREED, i): 2 for i in ids}})
