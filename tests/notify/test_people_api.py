"""A person's emails through notify's API (their part of the export): the person themself, HR
admins and the service role see them; anyone else gets 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from services.notify import export
from services.notify.app import create_app
from services.notify.config import load_notify_settings
from services.notify.mailings import ActionMailing, mailings
from services.notify.models import (
    CANCELLED,
    DEAD,
    ENQUEUED,
    PENDING,
    SENDING,
    SENT,
    DeadLetter,
    Delivery,
    Reminder,
)
from shared.config import load_settings
from shared.outbox import utcnow

NOW = utcnow()


def make_app(database_url: str, redis_url: str, stream: str, jwt_settings) -> Flask:
    """notify's API on the test's database and stream (no process started)."""
    base = load_settings("notify", environ={}, database_url=database_url, redis_url=redis_url,
                         event_stream=stream, jwt=jwt_settings)
    app = create_app(load_notify_settings(environ={}, base=base))
    app.config["TESTING"] = True
    return app


@pytest.fixture
def notify_app(notify_database_url, notify_sessions, redis_url, stream, jwt_settings):
    app = make_app(notify_database_url, redis_url, stream, jwt_settings)
    yield app
    app.extensions["lederdialog.deps"].close()


@pytest.fixture
def client(notify_app):
    return notify_app.test_client()


def delivery(person_id: str, kind: str, state: str, hours_ago: int, attempts: int = 1) -> Delivery:
    return Delivery(key=f"evt-{kind}-{hours_ago}|{kind}|{person_id}", message_id=f"<{hours_ago}@x>",
                    kind=kind, person_id=person_id, state=state, attempts=attempts,
                    updated_at=NOW - timedelta(hours=hours_ago))


def reminder(kind: str, *, owner: str | None, leader: str, days: int,
             status: str = PENDING) -> Reminder:
    action = f"a-{owner}" if owner else None
    return Reminder(key=f"{kind}:{action}:{days}:{status}", kind=kind, action_id=action,
                    dialogue_id="d-1", owner_id=owner, leader_id=leader, data={},
                    due_at=NOW + timedelta(days=days), status=status)


@pytest.fixture
def emails(notify_sessions):
    """Emails of emp1 (an action owner) and leader (who leads the dialogue), and others'."""
    with notify_sessions() as session:
        session.add_all([
            delivery("emp1", "dialogue_summary", SENT, hours_ago=5, attempts=2),
            delivery("emp1", "action_due", DEAD, hours_ago=1),
            delivery("emp1", "action_reminder", SENDING, hours_ago=3),
            delivery("emp2", "dialogue_summary", SENT, hours_ago=5),
            delivery("leader", "dialogue_summary", SENT, hours_ago=5),
            reminder("action_reminder", owner="emp1", leader="leader", days=3),
            reminder("action_due", owner="emp1", leader="leader", days=10),
            reminder("action_overdue", owner="emp1", leader="leader", days=17),
            reminder("action_escalated", owner="emp1", leader="leader", days=31),
            reminder("follow_up", owner=None, leader="leader", days=60),
            reminder("action_due", owner="emp1", leader="leader", days=1, status=ENQUEUED),
            reminder("action_due", owner="emp1", leader="leader", days=2, status=CANCELLED),
            reminder("action_due", owner="emp2", leader="leader", days=10),
            DeadLetter(key="evt|action_due|emp1", kind="action_due", person_id="emp1", job={},
                       error="550 mailbox unavailable <emp1@gentofte.test>", smtp_code=550,
                       failed_at=NOW - timedelta(hours=1)),
            DeadLetter(key="evt|action_due|emp2", kind="action_due", person_id="emp2", job={},
                       error="550", smtp_code=550),
            DeadLetter(key="evt|follow_up", kind="follow_up", person_id=None, job={},
                       error="KeyError"),
        ])
        session.commit()


EMP1 = {
    "person_id": "emp1",
    "deliveries": [
        {"kind": "action_due", "state": "dead", "attempts": 1},
        {"kind": "action_reminder", "state": "sending", "attempts": 1},
        {"kind": "dialogue_summary", "state": "sent", "attempts": 2},
    ],
    "planned": [
        {"kind": "action_reminder", "dialogue_id": "d-1", "action_id": "a-emp1"},
        {"kind": "action_due", "dialogue_id": "d-1", "action_id": "a-emp1"},
        {"kind": "action_overdue", "dialogue_id": "d-1", "action_id": "a-emp1"},
    ],
    "dead_letters": [
        {"kind": "action_due", "status": "dead", "smtp_code": 550,
         "error": "550 mailbox unavailable <emp1@gentofte.test>"},
    ],
    "truncated": [],
}


def without_times(answer: dict) -> dict:
    times = ("updated_at", "due_at", "failed_at")
    return {name: [{k: v for k, v in row.items() if k not in times} for row in value]
            if isinstance(value, list) and name != "truncated" else value
            for name, value in answer.items()}


@pytest.mark.parametrize("sub, roles", [
    ("emp1", ("employee",)), ("hr-1", ("hr_admin",)), ("notify", ("service",)),
])
def test_the_person_hr_and_the_service_see_the_persons_emails(client, token, emails, sub, roles):
    response = client.get("/api/v1/emails/emp1", headers=token(sub, *roles))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert without_times(answer) == EMP1
    [due, _reminder, _overdue] = answer["planned"]
    assert due["due_at"].startswith((NOW + timedelta(days=3)).date().isoformat())
    assert answer["deliveries"][0]["updated_at"] > answer["deliveries"][1]["updated_at"]


def test_a_leader_is_planned_the_emails_for_the_dialogues_leader(client, token, emails):
    answer = client.get("/api/v1/emails/leader", headers=token("leader", "leader"))
    assert [(row["kind"], row["action_id"]) for row in answer.get_json()["planned"]] == [
        ("action_overdue", "a-emp1"), ("follow_up", None)]
    assert [row["kind"] for row in answer.get_json()["deliveries"]] == ["dialogue_summary"]
    assert answer.get_json()["dead_letters"] == []


def test_someone_with_no_emails_gets_empty_lists(client, token, emails):
    answer = client.get("/api/v1/emails/new.person", headers=token("new.person", "leader"))
    assert answer.status_code == 200
    assert answer.get_json() == {"person_id": "new.person", "deliveries": [], "planned": [],
                                 "dead_letters": [], "truncated": []}


@pytest.mark.parametrize("sub, roles", [
    ("emp2", ("employee",)), ("leader", ("leader", "trio")), ("emp1x", ("employee",)),
])
def test_anyone_else_gets_404(client, token, emails, sub, roles):
    response = client.get("/api/v1/emails/emp1", headers=token(sub, *roles))
    assert response.status_code == 404


def test_without_a_token_401(client, emails):
    response = client.get("/api/v1/emails/emp1")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("person_id, status", [
    ("emp%201", 422), ("emp1%3B", 422), ("%C3%A6rlig", 422), ("x" * 65, 404),
    ("emp%0A1", 404),
])
def test_a_bad_id_is_refused_naming_the_field(client, token, person_id, status):
    response = client.get(f"/api/v1/emails/{person_id}", headers=token("hr-1", "hr_admin"))
    assert response.status_code == status
    if status == 422:
        assert "person_id" in response.get_json()["errors"]["path"]


def test_each_list_is_cut_at_the_limit_and_says_so(client, token, emails, monkeypatch):
    monkeypatch.setattr(export, "LIMIT", 2)
    answer = client.get("/api/v1/emails/emp1", headers=token("emp1", "employee")).get_json()
    assert [row["kind"] for row in answer["deliveries"]] == ["action_due", "action_reminder"]
    assert [row["kind"] for row in answer["planned"]] == ["action_reminder", "action_due"]
    assert len(answer["dead_letters"]) == 1
    assert answer["truncated"] == ["deliveries", "planned"]


def test_planned_kinds_follow_whom_each_mailing_is_for():
    """The export names a reminder for a person by the roles its mailing sends it to."""
    for kind, mailing in mailings(None, follow_up_areas=2).items():
        if isinstance(mailing, ActionMailing):
            assert (kind in export.FOR_OWNER) == ("owner" in mailing.roles), kind
            assert (kind in export.FOR_LEADER) == ("leader" in mailing.roles), kind
    assert "follow_up" in export.FOR_LEADER


def test_the_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/emails/{person_id}"]["get"]
    assert {"200", "401", "404", "422"} <= set(operation["responses"])
    answer = spec["components"]["schemas"]["PersonEmails"]["properties"]
    assert {"person_id", "deliveries", "planned", "dead_letters", "truncated"} <= set(answer)
