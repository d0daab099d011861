"""Personal data end to end (issue 14's "must show"): erasure, leaving, retention and the read
log, each as the people concerned meet it, through the HTTP APIs, with the real assessment
service, its relay and the stream, notify's consumer, Celery worker and beat, and the SMTP
server.

Reminders are made due as test_downtime.py does: their rows in notify's database are set to
have fallen due; the real beat then polls for them.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import update
from sqlalchemy.engine import make_url

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.app import create_app as create_assessment_app
from services.assessment.dialogue_rules import local_today
from services.notify.app import create_app as create_notify_app
from services.notify.models import Reminder
from shared.ids import new_uuid
from shared.migrations import upgrade
from shared.outbox import stream_fields, utcnow
from tests.notify.mail import by_recipient, html, subject, text
from tests.support.databases import create_database, drop_database
from tests.support.dialogues import HELD_ON, action, dialogue_body, participants_with, record
from tests.support.servers import serving
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # notify's processes run in most of them

BASE = "https://lederdialog.example"  # notify's PUBLIC_BASE_URL in the tests
RECORDED = "lederdialog.dialogue.recorded.v1"
WEB = {"X-Lederdialog-Channel": "web"}
# What emp1 is known by: the id, the name and the address the erasure removes.
EMP1 = ("emp1", "Eva Ansat", "emp1@gentofte.test")


@pytest.fixture(scope="module")
def assessment_database_url(notify_database_url, tmp_path_factory) -> str:
    """The assessment service's database on the backend notify's is on: these scenarios
    cross both services, so each runs on SQLite and on PostgreSQL alike."""
    backend = make_url(notify_database_url).get_backend_name()
    url = create_database(backend, "assessment_e2e", tmp_path_factory.mktemp(backend))
    upgrade(ASSESSMENT_MIGRATIONS, url)
    yield url
    drop_database(url)


@pytest.fixture
def notify_url(stack, assessment, monkeypatch) -> str:
    """notify's API over HTTP, which the assessment service asks for a person's emails."""
    app = create_notify_app(stack.settings)
    assessment_app = assessment.client.application
    with serving(app) as url:
        monkeypatch.setitem(assessment_app.config, "SETTINGS", dataclasses.replace(
            assessment_app.config["SETTINGS"], notify_url=url))
        yield url
    app.extensions["lederdialog.deps"].close()


@pytest.fixture
def hr(token) -> dict:
    return token("hr", "hr_admin")


@pytest.fixture
def leader(token) -> dict:
    return token("leader", "leader")


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    return response.get_json()


def fall_due(notify_sessions, *where) -> None:
    """Make the reminders `where` picks due an hour ago (their status stays as it is)."""
    with notify_sessions() as session:
        session.execute(update(Reminder).where(*where)
                        .values(due_at=utcnow() - timedelta(hours=1)))
        session.commit()


def emails_at_notify(notify_url: str, headers: dict, person_id: str) -> dict:
    answer = requests.get(f"{notify_url}/api/v1/emails/{person_id}", headers=headers,
                          timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def no_trace_of_emp1(written: str) -> bool:
    found = [trace for trace in EMP1 if trace in written]
    assert not found, f"{found} in {written[:2000]}"
    return True


def balance(client, headers, **query) -> dict:
    return ok(client.get("/api/v1/insights/balance", query_string=query, headers=headers))


def record_more_for_the_insight(client, token, *, held_on: date) -> None:
    """Four shared dialogues besides one of the leader's in skole: with it, five dialogues
    of three leaders and more than five people, so the year's figures are published."""
    skole = [{"person_id": "emp2", "role": "employee"}]
    sfo = [{"person_id": "sfo-emp", "role": "employee"}]
    for recorder, unit, participants in (("leader", "skole", skole),
                                         ("director", "skole", skole),
                                         ("sfo-leader", "sfo", sfo), ("sfo-leader", "sfo", sfo)):
        record(client, token(recorder, "leader"), dialogue_body(
            unit_id=unit, held_on=held_on.isoformat(), participants=participants, actions=[]))


# --- erasure ------------------------------------------------------------------------------

def test_an_erased_person_is_mailed_nothing_more_exported_without_trace_and_counted_the_same(
    stack, assessment, sink, token, hr, leader, notify_sessions, notify_url, raw_redis, stream
):
    stack.start()
    stack.start_beat()  # nothing falls due on its own here: every date is weeks ahead
    dialogue = record(assessment.client, leader, dialogue_body(
        participants=participants_with("emp2"),
        actions=[action(title="Fælles planlægningsmøde hver fredag"),  # emp1's
                 action(title="Ny vikarplan for indskolingen", owner_id="emp2")]))
    record_more_for_the_insight(assessment.client, token, held_on=HELD_ON)
    assessment.publish()
    wait_until(lambda: "emp1@gentofte.test" in by_recipient(
        [m for m in sink.received if dialogue["id"] in text(m.message)]),
        message="emp1's summary did not arrive", timeout=60)
    sink.settle()
    sink.clear()
    year = {"unit_id": "kommune", "period": str(HELD_ON.year)}
    insight_before = balance(assessment.client, hr, **year)
    assert insight_before["suppressed"] is False
    planned = emails_at_notify(notify_url, hr, "emp1")["planned"]
    assert {p["kind"] for p in planned} == {"action_reminder", "action_due", "action_overdue"}

    pseudonym = ok(assessment.client.delete("/api/v1/people/emp1", headers=hr))["id"]
    assessment.publish()
    # Notify has handled the erasure once nothing it keeps names emp1.
    wait_until(lambda: emails_at_notify(notify_url, hr, "emp1") == {
        "person_id": "emp1", "deliveries": [], "planned": [], "dead_letters": [],
        "truncated": []}, message=stack.logs, timeout=30)
    assert emails_at_notify(notify_url, hr, pseudonym)["deliveries"], "the summary, renamed"
    # Erased, emp1 has left: the leader hears that their action needs a new owner.
    [told] = sink.wait_for(1, timeout=30)
    assert len(sink.settle()) == 1
    assert told.rcpt_tos == ["leader@gentofte.test"]
    assert "Fælles planlægningsmøde hver fredag" in text(told.message)
    assert no_trace_of_emp1(" ".join((subject(told.message), text(told.message),
                                      html(told.message))))
    assert subject(told.message).startswith("En medarbejder er fratrådt"), "not the pseudonym"
    [orphan] = ok(assessment.client.get("/api/v1/actions", headers=leader,
                                        query_string={"owner_left": "true"}))
    assert (orphan["title"], orphan["owner_id"]) == ("Fælles planlægningsmøde hver fredag",
                                                     pseudonym)
    sink.clear()

    # Every reminder and the follow-up fall due: those about emp1's action stay called off.
    fall_due(notify_sessions, Reminder.dialogue_id == dialogue["id"])
    received = sink.wait_for(10, timeout=60)
    stack.wait_for_polls(2)
    received = sink.settle(quiet=2)
    assert Counter(r for mail in received for r in mail.rcpt_tos) == {
        "emp2@gentofte.test": 3,  # the reminder, the due date, overdue
        "leader@gentofte.test": 2,  # overdue, the follow-up
        "tr@gentofte.test": 2, "amr@gentofte.test": 2,  # the escalation, the follow-up
        "director@gentofte.test": 1,  # the escalation
    }
    assert not any("Fælles planlægningsmøde" in subject(m.message) for m in received)

    exported = assessment.client.get(f"/api/v1/people/{pseudonym}/export", headers=hr)
    ok(exported)
    document = exported.get_data(as_text=True)
    assert pseudonym in document
    assert no_trace_of_emp1(document)
    assert json.loads(document)["emails"]["deliveries"], "notify's part is in it"
    assert assessment.client.get("/api/v1/people/emp1/export", headers=hr).status_code == 404
    assert balance(assessment.client, hr, **year) == insight_before

    # An old event naming emp1, consumed after the erasure (a copy with a new id).
    sink.clear()
    [old] = [json.loads(fields[b"event"]) for _id, fields in raw_redis.xrange(stream)
             if fields[b"type"].decode() == RECORDED
             and json.loads(fields[b"event"])["data"]["dialogue_id"] == dialogue["id"]]
    assert "emp1" in old["data"]["participant_ids"]
    raw_redis.xadd(stream, stream_fields({**old, "id": str(new_uuid())}))
    summaries = by_recipient(sink.wait_for(4, timeout=30))
    assert len(sink.settle()) == 4
    assert set(summaries) == {"leader@gentofte.test", "tr@gentofte.test",
                              "amr@gentofte.test", "emp2@gentofte.test"}
    letters = requests.get(f"{notify_url}/api/v1/dead-letters", headers=hr, timeout=10)
    assert letters.status_code == 200 and letters.json() == []


# --- leaving ------------------------------------------------------------------------------

def test_the_leader_hands_on_the_action_of_someone_who_left_and_its_reminders_follow(
    stack, assessment, sink, hr, leader, token, notify_sessions, notify_url
):
    stack.start()
    stack.start_beat()
    dialogue = record(assessment.client, leader, dialogue_body(
        participants=participants_with("emp2"),
        actions=[action(title="Fælles planlægningsmøde hver fredag"),  # emp1's
                 action(title="Ny vikarplan for indskolingen", owner_id="emp2")]))
    ids = {a["owner_id"]: a["id"] for a in dialogue["actions"]}
    assessment.publish()
    sink.wait_for(5, timeout=30)  # the summaries: leader, tr, amr, emp1, emp2
    assert len(sink.settle()) == 5
    sink.clear()

    today = local_today().isoformat()
    ok(assessment.client.patch("/api/v1/people/emp2", json={"left_on": today}, headers=hr))
    assessment.publish()

    [told] = sink.wait_for(1, timeout=30)
    assert len(sink.settle()) == 1
    assert told.rcpt_tos == ["leader@gentofte.test"]
    assert subject(told.message) == \
        "Emil Ansat er fratrådt: handlinger skal have en ny ansvarlig"
    for body in (text(told.message), html(told.message)):
        assert "Ny vikarplan for indskolingen" in body
        assert f"{BASE}/actions/{ids['emp2']}" in body
        assert f"{BASE}/actions?owner_left=true" in body
        assert "Fælles planlægningsmøde" not in body, "emp1 is still here"
    orphans = ok(assessment.client.get("/api/v1/actions", query_string={"owner_left": "true"},
                                       headers=leader))
    assert [(a["id"], a["owner_id"], a["owner_left_on"]) for a in orphans] == [
        (ids["emp2"], "emp2", today)]

    # A week before the due date: emp1 is reminded of theirs, emp2 of nothing.
    sink.clear()
    fall_due(notify_sessions, Reminder.kind == "action_reminder")
    [reminded] = sink.wait_for(1, timeout=30)
    stack.wait_for_polls(2)
    assert len(sink.settle(quiet=2)) == 1
    assert reminded.rcpt_tos == ["emp1@gentofte.test"]
    assert "Fælles planlægningsmøde" in subject(reminded.message)

    ok(assessment.client.patch(f"/api/v1/actions/{ids['emp2']}", headers=leader,
                               json={"owner_id": "emp1", "reason": "Emil er fratrådt"}))
    assessment.publish()
    assert ok(assessment.client.get("/api/v1/actions", query_string={"owner_left": "true"},
                                    headers=leader)) == []
    wait_until(lambda: {(p["action_id"], p["kind"]) for p in emails_at_notify(
        notify_url, token("emp1", "employee"), "emp1")["planned"]} >= {
        (ids["emp2"], "action_due")}, message=stack.logs, timeout=30)

    # The due date: the new owner hears of it.
    sink.clear()
    fall_due(notify_sessions, Reminder.action_id == ids["emp2"], Reminder.kind == "action_due")
    [due] = sink.wait_for(1, timeout=30)
    stack.wait_for_polls(2)
    assert len(sink.settle(quiet=2)) == 1
    assert due.rcpt_tos == ["emp1@gentofte.test"]
    assert subject(due.message) == "Frist i dag: Ny vikarplan for indskolingen"


# --- retention ----------------------------------------------------------------------------

def test_retention_removes_old_texts_and_the_insight_stays(
    assessment, token, hr, leader, monkeypatch
):
    held = date(local_today().year - 2, 5, 15)  # a whole quarter two years back
    dialogue = record(assessment.client, leader, dialogue_body(
        held_on=held.isoformat(),
        actions=[action(due_on=(held + timedelta(days=30)).isoformat())]))
    record_more_for_the_insight(assessment.client, token, held_on=held)
    year = {"unit_id": "kommune", "period": str(held.year)}
    insight_before = balance(assessment.client, hr, **year)
    assert insight_before["suppressed"] is False
    path = f"/api/v1/dialogues/{dialogue['id']}"
    before = ok(assessment.client.get(path, headers=leader))
    assert before["texts_removed_at"] is None

    # The organisation keeps dialogues' texts a year; the command runs as the operator's does.
    monkeypatch.setenv("RETENTION_DIALOGUE_TEXT_DAYS", "365")
    app = create_assessment_app(assessment.client.application.config["SETTINGS"])
    try:
        result = app.test_cli_runner().invoke(args=["retention"])
    finally:
        app.extensions["lederdialog.deps"].close()
    assert result.exit_code == 0, result.output
    assert "dialogue_texts: 5 removed" in result.output.splitlines()

    after = ok(assessment.client.get(path, headers=leader))
    assert after["texts_removed_at"] is not None
    assert set(after["answers"].values()) == {""}
    assert [s["text"] for s in after["strengths"] + after["development_areas"]] == ["", ""]
    assert [a["title"] for a in after["actions"]] == ["—"]
    for kept in ("held_on", "participants", "focus_areas", "leader_id", "people"):
        assert after[kept] == before[kept], kept
    [revision] = ok(assessment.client.get(f"{path}/revisions", headers=leader))
    assert set(revision["content"]["answers"].values()) == {""}
    assert balance(assessment.client, hr, **year) == insight_before


# --- the read log -------------------------------------------------------------------------

def test_the_leader_sees_who_read_the_dialogue_and_through_which_channel(
    stack, assessment, sink, token, hr, leader
):
    stack.start()
    dialogue = record(assessment.client, leader, dialogue_body())
    assessment.publish()
    sink.wait_for(4, timeout=30)  # the summaries: notify read the dialogue to write them
    path = f"/api/v1/dialogues/{dialogue['id']}"
    participant, tr = token("emp1", "employee"), token("tr", "trio")
    ok(assessment.client.get(path, headers=participant))
    ok(assessment.client.get(path, headers={**tr, **WEB}))

    reads = ok(assessment.client.get(f"{path}/reads", headers=leader))
    seen = [(r["reader_id"], r["reader_name"], r["channel"]) for r in reads]
    assert seen[:2] == [("tr", "Tina Tillid", "web"), ("emp1", "Eva Ansat", "api")], \
        "newest first"
    assert set(seen[2:]) == {("notify", None, "email")}, "notify's reads to send the summaries"
    assert all(r["read_at"] for r in reads)
    for other in (participant, tr, hr):
        assert assessment.client.get(f"{path}/reads", headers=other).status_code == 403
    assert assessment.client.get(f"{path}/reads",
                                 headers=token("sfo-emp", "employee")).status_code == 404
