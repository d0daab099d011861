"""The readers notify is told are exactly the people the API lets read the dialogue."""

import pytest
from sqlalchemy import update

from services.assessment.models import Action
from tests.assessment.conftest import PEOPLE
from tests.support.dialogues import dialogue_body, individual_body, record

ROLES = {"leader": ("leader",), "director": ("leader",), "sfo-leader": ("leader",),
         "tr": ("trio", "employee"), "amr": ("trio", "employee"),
         "sfo-tr": ("trio", "employee"), "sfo-amr": ("trio", "employee")}


def who_may_read(client, token, dialogue_id: str) -> set[str]:
    """Everyone in the organisation whose GET of the dialogue answers 200."""
    return {
        person_id for person_id, *_rest in PEOPLE
        if client.get(f"/api/v1/dialogues/{dialogue_id}", headers=token(
            person_id, *ROLES.get(person_id, ("employee",)))).status_code == 200
    }


@pytest.mark.parametrize("recorder, body", [
    pytest.param("leader", individual_body(), id="private"),
    pytest.param("leader", dialogue_body(), id="shared"),
    pytest.param("director", dialogue_body(), id="shared, recorded by the leader's leader"),
    pytest.param("leader", dialogue_body(visibility="private"), id="private with participants"),
])
def test_the_service_is_told_who_may_read_a_dialogue(client, org, token, recorder, body):
    dialogue = record(client, token(recorder, "leader"), body)
    told = client.get(f"/api/v1/dialogues/{dialogue['id']}",
                      headers=token("notify", "service")).get_json()["readers"]
    assert told == sorted(who_may_read(client, token, dialogue["id"]))
    assert recorder in told


def test_the_service_is_told_which_owners_hear_of_their_own_actions_alone(
    client, org, token, assessment_sessions
):
    shared = record(client, token("leader", "leader"), dialogue_body())
    private = record(client, token("leader", "leader"), dialogue_body(visibility="private"))
    with assessment_sessions() as session:  # as data recorded before owners had to take part
        session.execute(update(Action).values(owner_id="sfo-emp"))
        session.commit()

    def owners_told(dialogue) -> list[str]:
        return client.get(f"/api/v1/dialogues/{dialogue['id']}",
                          headers=token("notify", "service")).get_json()["owners_told"]

    assert owners_told(shared) == ["sfo-emp"]
    assert owners_told(private) == [], "a private dialogue is its leader's alone"


def test_only_the_service_is_told_the_readers(client, org, token):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    for headers in (leader, token("tr", "trio", "employee"), token("emp1", "employee")):
        answer = client.get(f"/api/v1/dialogues/{dialogue['id']}", headers=headers)
        assert answer.status_code == 200
        assert "readers" not in answer.get_json()
