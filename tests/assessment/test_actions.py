"""Agreed actions are followed through by their owner or the dialogue's leader."""

from datetime import timedelta

import pytest

from tests.support.dialogues import HELD_ON, action, dialogue_body, individual_body, record


@pytest.fixture
def agreed(client, org, token) -> dict:
    """The action emp1 owns from a shared work-community dialogue of skole."""
    [first] = record(client, token("leader", "leader"), dialogue_body())["actions"]
    return first


def path(action_id: str, suffix: str = "") -> str:
    return f"/api/v1/actions/{action_id}{suffix}"


def test_owner_reads_the_action_with_its_history(client, token, agreed):
    response = client.get(path(agreed["id"]), headers=token("emp1", "employee"))

    assert response.status_code == 200
    shown = response.get_json()
    assert shown["title"] == "Fælles planlægningsmøde hver fredag"
    assert shown["status"] == "open"
    assert shown["history"] == []
    assert shown["reflection"] is None


def test_owner_moves_the_action_along(client, token, agreed):
    owner = token("emp1", "employee")

    response = client.patch(path(agreed["id"]), json={"status": "in_progress"}, headers=owner)

    assert response.status_code == 200
    assert response.get_json()["status"] == "in_progress"
    [change] = response.get_json()["history"]
    assert (change["kind"], change["old_value"], change["new_value"], change["changed_by"]) == (
        "status", "open", "in_progress", "emp1")


def test_due_date_is_renegotiated_with_a_reason(client, token, agreed):
    leader = token("leader", "leader")
    later = (HELD_ON + timedelta(days=60)).isoformat()

    without = client.patch(path(agreed["id"]), json={"due_on": later}, headers=leader)
    response = client.patch(path(agreed["id"]), headers=leader,
                            json={"due_on": later, "reason": "Vikarmangel i december"})

    assert without.status_code == 422
    assert "reason" in without.get_json()["errors"]["json"]
    assert response.status_code == 200
    shown = response.get_json()
    assert shown["due_on"] == later
    [change] = shown["history"]
    assert change["kind"] == "due_on"
    assert (change["old_value"], change["new_value"]) == (agreed["due_on"], later)
    assert change["reason"] == "Vikarmangel i december"
    assert client.get(path(agreed["id"]), headers=leader).get_json() == shown


def test_due_date_cannot_move_before_the_dialogue(client, token, agreed):
    response = client.patch(path(agreed["id"]), headers=token("leader", "leader"), json={
        "due_on": (HELD_ON - timedelta(days=1)).isoformat(), "reason": "oops"})
    assert response.status_code == 422
    assert "due_on" in response.get_json()["errors"]["json"]


def test_a_change_needs_a_status_or_a_due_date(client, token, agreed):
    response = client.patch(path(agreed["id"]), json={"reason": "just because"},
                            headers=token("emp1", "employee"))
    assert response.status_code == 422
    bad_status = client.patch(path(agreed["id"]), json={"status": "forgotten"},
                              headers=token("emp1", "employee"))
    assert "status" in bad_status.get_json()["errors"]["json"]


def test_the_same_status_again_changes_nothing(client, token, agreed):
    response = client.patch(path(agreed["id"]), json={"status": "open"},
                            headers=token("emp1", "employee"))
    assert response.status_code == 200
    assert response.get_json()["history"] == []


def test_completing_keeps_the_reflection_and_is_final(client, token, agreed):
    owner = token("emp1", "employee")

    response = client.post(path(agreed["id"], "/complete"), headers=owner,
                           json={"reflection": "Møderne gav ro på."})

    assert response.status_code == 200
    done = response.get_json()
    assert done["status"] == "done"
    assert done["completed_at"] is not None
    assert done["reflection"] == "Møderne gav ro på."
    assert done["history"][-1]["kind"] == "completed"
    again = client.post(path(agreed["id"], "/complete"), headers=owner,
                        json={"reflection": "Igen"})
    assert again.status_code == 409
    reopened = client.patch(path(agreed["id"]), json={"status": "open"}, headers=owner)
    assert reopened.status_code == 409
    assert client.get(path(agreed["id"]), headers=owner).get_json() == done


def test_completion_needs_a_reflection(client, token, agreed):
    response = client.post(path(agreed["id"], "/complete"), json={},
                           headers=token("emp1", "employee"))
    assert response.status_code == 422
    assert "reflection" in response.get_json()["errors"]["json"]


def test_done_by_status_change_completes_the_action(client, token, agreed):
    response = client.patch(path(agreed["id"]), json={"status": "done"},
                            headers=token("leader", "leader"))
    assert response.get_json()["status"] == "done"
    assert response.get_json()["completed_at"] is not None


def test_dropped_is_final(client, token, agreed):
    leader = token("leader", "leader")
    dropped = client.patch(path(agreed["id"]), headers=leader,
                           json={"status": "dropped", "reason": "Skemaet blev lavet om"})
    assert dropped.status_code == 200
    assert dropped.get_json()["history"][0]["reason"] == "Skemaet blev lavet om"
    later = (HELD_ON + timedelta(days=90)).isoformat()
    assert client.patch(path(agreed["id"]), headers=leader,
                        json={"due_on": later, "reason": "r"}).status_code == 409
    assert client.post(path(agreed["id"], "/complete"), headers=leader,
                       json={"reflection": "r"}).status_code == 409


def test_who_may_see_and_change_an_action(client, token, agreed):
    change = {"status": "in_progress"}
    for reader in ("tr", "amr", "director"):
        headers = token(reader, "trio", "leader")
        assert client.get(path(agreed["id"]), headers=headers).status_code == 200, reader
        assert client.patch(path(agreed["id"]), json=change, headers=headers).status_code == 403
    service = token("notify", "service")
    assert client.get(path(agreed["id"]), headers=service).status_code == 200
    assert client.patch(path(agreed["id"]), json=change, headers=service).status_code == 403
    stranger = token("sfo-emp", "employee")
    assert client.get(path(agreed["id"]), headers=stranger).status_code == 404
    assert client.patch(path(agreed["id"]), json=change, headers=stranger).status_code == 404
    assert client.get(path(agreed["id"]), headers=token("hr", "hr_admin")).status_code == 403
    assert client.get(path("no-such-action"), headers=token("emp1")).status_code == 404
    assert client.get(path(agreed["id"])).status_code == 401
    assert client.get(path(agreed["id"]), headers=token("emp1")).get_json()["status"] == "open"


def test_owner_of_an_action_from_a_private_dialogue_sees_only_the_action(client, org, token):
    body = individual_body(participants=[{"person_id": "emp1", "role": "employee"}],
                           actions=[action(owner_id="emp1")])
    dialogue = record(client, token("leader", "leader"), body)
    [own] = dialogue["actions"]
    owner = token("emp1", "employee")

    assert client.get(f"/api/v1/dialogues/{dialogue['id']}", headers=owner).status_code == 404
    assert client.get(path(own["id"]), headers=owner).status_code == 200
    assert client.patch(path(own["id"]), json={"status": "in_progress"},
                        headers=owner).status_code == 200
