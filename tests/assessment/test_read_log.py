"""The read log: every read of a dialogue's texts is written down; its leader alone lists them."""

import json
from datetime import timedelta

import pytest

from services.assessment.models import DialogueRead
from services.web.apis import make_apis
from tests.support.dialogues import dialogue_body, individual_body, record
from tests.support.servers import serving

WEB = {"X-Lederdialog-Channel": "web"}


def reads(client, headers, dialogue_id, **query):
    response = client.get(f"/api/v1/dialogues/{dialogue_id}/reads", headers=headers,
                          query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def logged(sessions) -> int:
    with sessions() as session:
        return session.query(DialogueRead).count()


@pytest.fixture
def leader(token):
    return token("leader", "leader")


@pytest.fixture
def dialogue(client, org, leader) -> dict:
    """A shared dialogue of skole, led by leader, with emp1 and tr taking part."""
    return record(client, leader, dialogue_body())


def test_each_read_of_the_texts_is_logged_with_its_channel(client, dialogue, leader, token):
    path = f"/api/v1/dialogues/{dialogue['id']}"
    assert client.get(path, headers=token("emp1", "employee")).status_code == 200
    assert client.get(path, headers={**token("tr", "trio"), **WEB}).status_code == 200
    assert client.get(path, headers=token("notify", "service")).status_code == 200
    assert client.get(f"{path}/revisions", headers=token("amr", "trio")).status_code == 200

    listed = reads(client, leader, dialogue["id"])
    assert [(read["reader_id"], read["channel"]) for read in listed] == [
        ("amr", "api"), ("notify", "email"), ("tr", "web"), ("emp1", "api"),
    ], "newest first"
    assert [read["reader_name"] for read in listed] == [
        "Anders Arbejdsmiljø", None, "Tina Tillid", "Eva Ansat"]
    assert all(read["read_at"] for read in listed)


def test_what_does_not_read_the_texts_is_not_logged(
    client, dialogue, leader, token, assessment_sessions
):
    path = f"/api/v1/dialogues/{dialogue['id']}"
    assert logged(assessment_sessions) == 0, "recording is no read"
    assert client.get("/api/v1/dialogues/no-such-dialogue", headers=leader).status_code == 404
    assert client.get(path, headers=token("sfo-emp", "employee")).status_code == 404
    assert client.get(f"{path}/revisions", headers=token("hr", "hr_admin")).status_code == 403
    assert client.get("/api/v1/dialogues", headers=leader).status_code == 200
    assert reads(client, leader, dialogue["id"]) == []
    assert logged(assessment_sessions) == 0


def test_the_leader_alone_lists_the_reads(client, dialogue, leader, token, hr):
    path = f"/api/v1/dialogues/{dialogue['id']}/reads"
    for reader in (token("emp1", "employee"), token("tr", "trio"), token("amr", "trio"),
                   token("director", "leader"), token("notify", "service")):
        response = client.get(path, headers=reader)
        assert response.status_code == 403, "they know the dialogue, not who else read it"
        assert response.get_json()["message"] == "only the dialogue's leader sees who read it"
    assert client.get(path, headers=hr).status_code == 403, "HR never sees dialogue texts"
    assert client.get(path, headers=token("sfo-emp", "employee")).status_code == 404
    assert client.get("/api/v1/dialogues/nothing/reads", headers=leader).status_code == 404
    assert client.get(path).status_code == 401
    assert client.get(path, headers=leader).status_code == 200


def test_a_private_dialogues_reads_are_not_known_to_exist(client, org, leader, token):
    private = record(client, leader, individual_body())
    path = f"/api/v1/dialogues/{private['id']}/reads"
    assert client.get(path, headers=token("tr", "trio")).status_code == 404
    assert client.get(path, headers=token("director", "leader")).status_code == 404
    assert reads(client, leader, private["id"]) == []


def test_names_are_given_only_where_the_leader_may_know_them(client, dialogue, leader, token):
    """The leader's own leader is not named in the dialogue, nor in the leader's part of the
    organisation: the log gives the id alone."""
    client.get(f"/api/v1/dialogues/{dialogue['id']}", headers=token("director", "leader"))
    client.get(f"/api/v1/dialogues/{dialogue['id']}", headers=leader)

    assert [(read["reader_id"], read["reader_name"])
            for read in reads(client, leader, dialogue["id"])] == [
        ("leader", "Lars Leder"), ("director", None)]


def test_the_reads_come_in_pages(client, dialogue, leader, token):
    for reader in (leader, token("emp1", "employee"), token("tr", "trio")):
        client.get(f"/api/v1/dialogues/{dialogue['id']}/revisions", headers=reader)
    response = client.get(f"/api/v1/dialogues/{dialogue['id']}/reads", headers=leader,
                          query_string={"page": 2, "page_size": 2})
    assert len(response.get_json()) == 1
    assert json.loads(response.headers["X-Pagination"])["total"] == 3


def test_one_visit_is_one_read(client, dialogue, leader, token, assessment_sessions):
    """A dialogue's page asks for the dialogue and its revisions, and its reader may reload
    it: reads by one reader through one channel within a minute are one; a later one, or
    through another channel, is another."""
    path, tr = f"/api/v1/dialogues/{dialogue['id']}", token("tr", "trio")
    for _ in range(2):
        client.get(path, headers={**tr, **WEB})
        client.get(f"{path}/revisions", headers={**tr, **WEB})
    client.get(path, headers=tr)
    assert [read["channel"] for read in reads(client, leader, dialogue["id"])] == ["api", "web"]

    with assessment_sessions() as session:  # a minute later
        for read in session.query(DialogueRead):
            read.read_at -= timedelta(seconds=61)
        session.commit()
    client.get(path, headers={**tr, **WEB})
    assert [read["channel"] for read in reads(client, leader, dialogue["id"])] == [
        "web", "api", "web"]


def test_the_web_says_it_is_the_channel(assessment_app, dialogue, leader):
    """The pages' API client sends X-Lederdialog-Channel: web with every call."""
    with serving(assessment_app) as url:
        apis = make_apis(content_url=url, assessment_url=url, notify_url=url, timeout=5)
        token = leader["Authorization"].removeprefix("Bearer ")
        apis.assessment.get(f"/api/v1/dialogues/{dialogue['id']}", token=token)
        [read] = apis.assessment.get(f"/api/v1/dialogues/{dialogue['id']}/reads", token=token)
    assert (read["reader_id"], read["channel"]) == ("leader", "web")
