"""Giving an action a new owner: the dialogue's leader does it, above all for the actions of
people who left, which GET /api/v1/actions?owner_left=true lists."""

from __future__ import annotations

from sqlalchemy import select

from services.assessment import insight_store
from services.assessment.dialogue_rules import local_today
from services.assessment.models import (
    Action,
    InsightFigure,
    InsightOpenAction,
    InsightPerson,
    InsightStale,
    Person,
)
from shared.outbox import utcnow
from tests.assessment.test_leavers import events_of, leave
from tests.support.dialogues import action, dialogue_body, record

UPDATED = "lederdialog.action.updated.v1"
REASON = "Eva er stoppet"


def path(action_id: str) -> str:
    return f"/api/v1/actions/{action_id}"


def reassign(client, headers, action_id: str, owner_id, **more):
    return client.patch(path(action_id), json={"owner_id": owner_id, **more}, headers=headers)


def field_errors(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["json"]


def test_the_leader_gives_an_action_a_new_owner(client, org, token, hr, assessment_sessions):
    leader = token("leader", "leader")
    [agreed] = record(client, leader, dialogue_body())["actions"]
    leave(client, hr, "emp1", local_today().isoformat())

    response = reassign(client, leader, agreed["id"], "emp2", reason=REASON)

    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert (shown["owner_id"], shown["status"], shown["due_on"]) == (
        "emp2", "open", agreed["due_on"])
    [change] = shown["history"]
    assert {key: change[key] for key in ("kind", "old_value", "new_value", "reason",
                                         "changed_by")} == {
        "kind": "owner", "old_value": "emp1", "new_value": "emp2", "reason": REASON,
        "changed_by": "leader"}
    assert client.get(path(agreed["id"]), headers=token("emp2", "employee")).get_json() == shown
    [event] = events_of(assessment_sessions, UPDATED)
    assert event["data"]["owner_id"] == "emp2"
    assert event["data"]["previous_owner_id"] == "emp1"
    assert (event["data"]["status"], event["data"]["previous_status"]) == ("open", "open")


def test_a_reason_is_not_needed_and_the_same_owner_changes_nothing(
    client, org, token, assessment_sessions
):
    leader = token("leader", "leader")
    [agreed] = record(client, leader, dialogue_body())["actions"]

    same = reassign(client, leader, agreed["id"], "emp1")
    moved = reassign(client, leader, agreed["id"], "leader")

    assert same.status_code == 200
    assert moved.status_code == 200
    assert [c["kind"] for c in moved.get_json()["history"]] == ["owner"]
    assert len(events_of(assessment_sessions, UPDATED)) == 1


def test_the_owner_does_not_hand_the_action_on(client, org, token, assessment_sessions):
    [agreed] = record(client, token("leader", "leader"), dialogue_body())["actions"]
    owner = token("emp1", "employee")

    response = reassign(client, owner, agreed["id"], "emp2", reason="Jeg har for travlt")

    assert response.status_code == 403
    assert client.get(path(agreed["id"]), headers=owner).get_json()["owner_id"] == "emp1"
    assert events_of(assessment_sessions, UPDATED) == []
    assert reassign(client, token("tr", "trio"), agreed["id"], "emp2").status_code == 403
    assert reassign(client, token("sfo-emp", "employee"), agreed["id"],
                    "emp2").status_code == 404


def test_the_new_owner_works_here_and_in_the_leaders_units(
    client, org, token, hr, assessment_sessions
):
    leader = token("leader", "leader")
    [agreed] = record(client, leader, dialogue_body())["actions"]
    leave(client, hr, "emp2", local_today().isoformat())
    with assessment_sessions() as session:
        session.get(Person, "sfo-tr").erased_at = utcnow()
        session.commit()

    # Left, erased, unknown, outside the leader's units (the director leads the unit above),
    # and no id at all.
    for owner_id in ("emp2", "sfo-tr", "nobody", "director", "not an id", None, ""):
        assert "owner_id" in field_errors(reassign(client, leader, agreed["id"], owner_id))
    assert reassign(client, leader, agreed["id"], "sfo-emp").status_code == 200  # a unit below
    assert [e["data"]["owner_id"] for e in events_of(assessment_sessions, UPDATED)] == [
        "sfo-emp"]


def test_a_final_action_keeps_its_owner(client, org, token):
    leader = token("leader", "leader")
    [agreed] = record(client, leader, dialogue_body())["actions"]
    client.patch(path(agreed["id"]), json={"status": "dropped"}, headers=leader)

    assert reassign(client, leader, agreed["id"], "emp2").status_code == 409


def test_the_owner_and_the_status_change_together(client, org, token, assessment_sessions):
    leader = token("leader", "leader")
    [agreed] = record(client, leader, dialogue_body())["actions"]

    response = reassign(client, leader, agreed["id"], "tr", status="in_progress")

    assert response.status_code == 200
    assert [(c["kind"], c["new_value"]) for c in response.get_json()["history"]] == [
        ("status", "in_progress"), ("owner", "tr")]
    [event] = events_of(assessment_sessions, UPDATED)
    assert (event["data"]["owner_id"], event["data"]["status"]) == ("tr", "in_progress")


def figures(sessions) -> dict:
    with sessions() as session:
        return {model.__tablename__: sorted(
            tuple(getattr(row, column.key) for column in model.__table__.columns)
            for row in session.scalars(select(model))
        ) for model in (InsightFigure, InsightOpenAction, InsightPerson)}


def test_the_insights_stay_right(client, org, token, assessment_sessions):
    leader = token("leader", "leader")
    [agreed] = record(client, leader, dialogue_body())["actions"]
    with assessment_sessions() as session:
        insight_store.refresh(session)
    before = figures(assessment_sessions)

    reassign(client, leader, agreed["id"], "emp2")

    with assessment_sessions() as session:
        assert session.scalars(select(InsightStale.unit_id)).all() == ["skole"]
        insight_store.refresh(session)
    assert figures(assessment_sessions) == before
    with assessment_sessions() as session:
        insight_store.rebuild(session)
    assert figures(assessment_sessions) == before


def listed(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/actions", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_leader_lists_the_open_actions_of_people_who_left(
    client, org, token, hr, assessment_sessions
):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body(actions=[
        action(title="open"), action(title="done"), action(title="tr's", owner_id="tr")]))
    ids = {item["title"]: item["id"] for item in dialogue["actions"]}
    client.post(path(ids["done"]) + "/complete", json={"reflection": "Klaret."}, headers=leader)
    day = local_today().isoformat()
    assert listed(client, leader, owner_left="true") == []

    leave(client, hr, "emp1", day)

    [orphan] = listed(client, leader, owner_left="true")
    assert (orphan["id"], orphan["owner_id"], orphan["owner_left_on"]) == (ids["open"], "emp1",
                                                                         day)
    others = listed(client, leader, owner_left="false")
    assert {item["title"]: item["owner_left_on"] for item in others} == {
        "done": day, "tr's": None}
    # Only to the dialogue's leader, who gives it a new owner: not to its other readers (the
    # TRIO), nor to the owner who left, nor to anyone of another unit.
    for other in (token("tr", "trio"), token("emp1", "employee"), token("sfo-emp", "employee")):
        assert listed(client, other, owner_left="true") == []

    reassign(client, leader, ids["open"], "emp2", reason="Eva er stoppet")
    assert listed(client, leader, owner_left="true") == []
    with assessment_sessions() as session:
        assert session.get(Action, ids["open"]).owner_id == "emp2"


def test_a_bad_owner_left_is_named(client, org, token):
    response = client.get("/api/v1/actions", query_string={"owner_left": "perhaps"},
                          headers=token("leader", "leader"))
    assert response.status_code == 422
    assert "owner_left" in response.get_json()["errors"]["query"]
