"""Bad events among good ones, end to end: every good email goes out, each bad event is set
aside with its error, HR admins list and replay them, and the group's backlog returns to 0."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services.notify import dead_events
from services.notify.models import DeadEvent, Reminder
from shared.outbox import utcnow
from tests.notify.stream import agreed, event, lag, pending, put
from tests.support.dialogues import action, dialogue_body, individual_body, record
from tests.support.waiting import wait_until

IN_A_MONTH = (date.today() + timedelta(days=30)).isoformat()


def renegotiated(dialogue: dict, due_on: str) -> dict:
    """The action.updated event the assessment service publishes for a new due date."""
    [agreed_action] = dialogue["actions"]
    return event("action.updated.v1", {
        "action_id": agreed_action["id"], "dialogue_id": dialogue["id"], "unit_id": "skole",
        "leader_id": "leader", "owner_id": agreed_action["owner_id"], "status": "open",
        "previous_status": "open", "due_on": due_on,
        "previous_due_on": agreed_action["due_on"]})


@pytest.mark.slow  # starts notify's processes
def test_bad_events_are_set_aside_and_listed_while_every_good_email_goes_out(
    stack, assessment, sink, token, api, raw_redis, stream, notify_sessions, tmp_path,
    monkeypatch,
):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    stack.env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)  # the API adds up every process
    stack.start()
    leader, hr = token("leader", "leader"), token("hr-1", "hr_admin")

    shared = record(assessment.client, leader,
                    dialogue_body(actions=[action(due_on=IN_A_MONTH)]))
    assessment.publish()  # good: summaries to leader, tr, amr and emp1; the action's dates
    # The leader renegotiates the action to the last day of the calendar.
    moved = assessment.client.patch(f"/api/v1/actions/{shared['actions'][0]['id']}",
                                    headers=leader,
                                    json={"due_on": "9999-12-31", "reason": "Aldrig"})
    if moved.status_code == 200:
        assessment.publish()
    else:  # the API bounds due dates now: the event it published before it did
        assert moved.status_code == 422, moved.get_json()
        put(raw_redis, stream, renegotiated(shared, "9999-12-31"))
    put(raw_redis, stream, event("dialogue.recorded.v1", {
        "dialogue_id": "no-follow-up", "revision": 1, "unit_id": "skole", "leader_id": "leader",
        "setting": "individual_leader", "held_on": "2026-11-22", "framework_version": 1,
        "visibility": "private", "participant_ids": [], "action_ids": [],
        "focus_weights": {}}))
    record(assessment.client, leader, individual_body())
    assessment.publish()  # good: a summary to the leader
    put(raw_redis, stream, agreed(5, due_on=20271231),
        event("action.updated.v1", {"action_id": "unknown", "status": "in_progress",
                                    "due_on": IN_A_MONTH}))
    record(assessment.client, leader, individual_body())
    assessment.publish()  # good
    put(raw_redis, stream, event("person.erased.v1", {}))
    record(assessment.client, leader, individual_body())
    assessment.publish()  # good

    sink.wait_for(7, timeout=60)
    received = sink.settle()
    assert sorted(m.rcpt_tos[0] for m in received) == [
        "amr@gentofte.test", "emp1@gentofte.test", *["leader@gentofte.test"] * 4,
        "tr@gentofte.test"]
    wait_until(lambda: pending(raw_redis, stream) == 0 and lag(raw_redis, stream) == 0,
               message=lambda: f"the group's backlog: {pending(raw_redis, stream)} pending, "
                               f"{lag(raw_redis, stream)} unread")

    listed = api.get("/api/v1/dead-events?status=dead", headers=hr)
    assert listed.status_code == 200
    rows = sorted(listed.get_json(), key=lambda row: [int(n) for n in row["entry_id"].split("-")])
    assert json.loads(listed.headers["X-Pagination"])["total"] == 5
    expected = [("lederdialog.action.updated.v1", "data.due_on"),
                ("lederdialog.dialogue.recorded.v1", "data.follow_up_on"),
                ("lederdialog.action.agreed.v1", "data.action_id"),
                ("lederdialog.action.updated.v1", "data.previous_due_on"),
                ("lederdialog.person.erased.v1", "data.person_id")]
    assert [(row["type"], row["reason"], row["attempts"]) for row in rows] == [
        (kind, "unfit", 1) for kind, _ in expected]
    for row, (_, field) in zip(rows, expected, strict=True):
        assert field in row["error"], row["error"]
        assert json.loads(row["entry"]["event"])["id"] == row["event_id"], "the whole entry"
    # The action keeps the reminders of its sane date; nothing was planned for year 9999.
    with notify_sessions() as session:
        days = {r.data["due_on"] for r in session.scalars(select(Reminder).where(
            Reminder.action_id == shared["actions"][0]["id"]))}
    assert days == {IN_A_MONTH}

    # A replay takes the entry through the schema and the handler again: still unfit.
    erased = rows[-1]
    again = api.post(f"/api/v1/dead-events/{erased['id']}/replay", headers=hr)
    assert again.status_code == 409
    assert "data.person_id" in again.get_json()["message"]
    [row] = [r for r in api.get("/api/v1/dead-events", headers=hr).get_json()
             if r["id"] == erased["id"]]
    assert (row["status"], row["attempts"]) == ("dead", 2)

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics))
    exposed = api.get("/metrics").get_data(as_text=True)
    for line in (
        'lederdialog_notify_dead_events_total{reason="unfit",'
        'type="lederdialog.action.updated.v1"} 2.0',
        'lederdialog_notify_dead_events_total{reason="unfit",'
        'type="lederdialog.person.erased.v1"} 1.0',
        "lederdialog_notify_dead_events_waiting 5.0",
    ):
        assert line in exposed, line


@pytest.mark.slow  # starts notify's processes
def test_events_set_aside_under_a_wrong_setting_are_replayed_once_it_is_fixed(
    stack, assessment, sink, token, api, raw_redis, stream
):
    stack.start_worker()
    stack.env["NOTIFY_TIMEZONE"] = "Europe/Copenhagn"  # a typo in the consumer's settings
    stack.start_consumer()
    record(assessment.client, token("leader", "leader"), individual_body())
    assessment.publish()
    hr = token("hr-1", "hr_admin")
    [dead] = wait_until(lambda: api.get("/api/v1/dead-events", headers=hr).get_json(),
                        message=lambda: f"no event set aside:\n{stack.logs()}")
    assert (dead["reason"], dead["attempts"]) == ("failed", 3)
    assert dead["error"].startswith("ZoneInfoNotFoundError: 'No time zone found with key "
                                    "Europe/Copenhagn' (services/notify/")
    assert pending(raw_redis, stream) == 0
    log = stack.process("consumer").log()
    assert log.count('"event failed; retrying later"') == 2
    assert log.count('"event set aside"') == 1 and "Traceback" not in log
    assert sink.received == []

    # The setting is put right (the API runs with it); HR replays the event.
    replayed = api.post(f"/api/v1/dead-events/{dead['id']}/replay", headers=hr)
    assert replayed.status_code == 200, replayed.get_json()
    assert replayed.get_json()["status"] == "replayed"
    [mail] = sink.wait_for(1, timeout=30)
    assert mail.rcpt_tos == ["leader@gentofte.test"]
    # Replayed once more, it is found handled: nothing goes out twice.
    assert api.post(f"/api/v1/dead-events/{dead['id']}/replay", headers=hr).status_code == 200
    assert len(sink.settle(quiet=2)) == 1
    assert api.get("/api/v1/dead-events?status=dead", headers=hr).get_json() == []


def test_dead_events_are_for_hr_admins_and_come_a_page_at_a_time(
    api, token, notify_sessions, stream
):
    with notify_sessions() as session:
        for number in range(3):
            dead_events.set_aside(session, stream=stream, entry_id=f"1-{number}",
                                  fields={"event": "[]"}, reason="unfit",
                                  error=f"does not fit {number}", attempts=1, now=utcnow())
        session.commit()
    hr = token("hr-1", "hr_admin")
    assert api.get("/api/v1/dead-events").status_code == 401
    assert api.get("/api/v1/dead-events", headers=token("leader", "leader")).status_code == 403
    assert api.post("/api/v1/dead-events/1/replay",
                    headers=token("leader", "leader")).status_code == 403
    first = api.get("/api/v1/dead-events?page_size=2", headers=hr)
    assert [row["entry_id"] for row in first.get_json()] == ["1-2", "1-1"]
    assert json.loads(first.headers["X-Pagination"])["total"] == 3
    second = api.get("/api/v1/dead-events?page_size=2&page=2", headers=hr)
    assert [row["entry_id"] for row in second.get_json()] == ["1-0"]
    assert api.get("/api/v1/dead-events?status=replayed", headers=hr).get_json() == []
    wrong = api.get("/api/v1/dead-events?status=gone", headers=hr)
    assert wrong.status_code == 422 and "status" in wrong.get_json()["errors"]["query"]
    assert api.post("/api/v1/dead-events/999/replay", headers=hr).status_code == 404
    unreadable = api.post("/api/v1/dead-events/1/replay", headers=hr)
    assert unreadable.status_code == 409
    with notify_sessions() as session:
        row = session.get(DeadEvent, 1)
        assert (row.status, row.attempts, row.error) == (
            "dead", 2, "the field `event` is not a JSON object")
