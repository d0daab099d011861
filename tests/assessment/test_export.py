"""A person's export (GDPR Art. 15): the person or an HR admin gets everything held about
them, the texts only of the dialogues the person may read, and notify's part from a real
notify API; anyone else gets 404, and without notify there is no export."""

import dataclasses
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from services.assessment.models import DialogueRead
from services.notify.models import SENT, Delivery
from shared.outbox import utcnow
from tests.support.dialogues import dialogue_body, individual_body, record
from tests.support.servers import UNREACHABLE, notify_server, serving

SECRET = "Fortroligt: Eva overvejer at sige op"
SECTIONS = {"person", "exported_at", "history", "dialogues", "actions", "reads", "own_reads",
            "emails"}
def _emails_sent(session) -> None:
    """A summary emailed to emp1 and a due-date email to emp2, an hour ago."""
    session.add_all(
        Delivery(key=f"evt-1|{kind}|{person}", message_id=f"<1-{person}@x>", kind=kind,
                 person_id=person, state=SENT, attempts=1, updated_at=utcnow() - timedelta(hours=1))
        for person, kind in (("emp1", "dialogue_summary"), ("emp2", "action_due"))
    )


@pytest.fixture(scope="module")
def notify_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """A real notify API over HTTP, on a database holding those emails."""
    yield from notify_server(tmp_path_factory, name="export-notify", redis_url=redis_url,
                             jwt_settings=jwt_settings, seed=_emails_sent)


@pytest.fixture
def assessment_settings(assessment_settings, notify_url):
    """The assessment service asking the real notify API for the emails."""
    return dataclasses.replace(assessment_settings, notify_url=notify_url)


@pytest.fixture
def held(client, org, token):
    """emp1 in a shared dialogue (as participant and action owner; amended once), and in a
    private one of their leader's that they may not read; dialogues without emp1 besides."""
    leader = token("leader", "leader")
    shared = record(client, leader, dialogue_body())
    amended = client.put(f"/api/v1/dialogues/{shared['id']}", headers=leader,
                         json=dialogue_body(actions=[], answers={"wc_collaboration": "Bedre."}))
    assert amended.status_code == 200, amended.get_json()
    private = record(client, leader, dialogue_body(
        visibility="private", actions=[], answers={"wc_collaboration": SECRET},
    ))
    own = record(client, leader, individual_body(answers={"individual_strengths": SECRET}))
    sfo = record(client, token("sfo-leader", "leader"), dialogue_body(
        unit_id="sfo", participants=[{"person_id": "sfo-emp", "role": "employee"}], actions=[],
    ))
    return {"shared": shared, "private": private, "own": own, "sfo": sfo}


def export(client, headers, person_id: str):
    return client.get(f"/api/v1/people/{person_id}/export", headers=headers)


def reads(sessions) -> list[tuple[str, str, str]]:
    with sessions() as session:
        return [(read.dialogue_id, read.reader_id, read.channel) for read in session.scalars(
            select(DialogueRead).where(DialogueRead.channel == "export").order_by(DialogueRead.id)
        )]


def test_a_person_exports_what_is_held_about_them(client, held, token, assessment_sessions):
    response = export(client, token("emp1", "employee"), "emp1")

    assert response.status_code == 200, response.get_json()
    document = response.get_json()
    assert set(document) == SECTIONS
    assert document["person"]["id"] == "emp1" and document["person"]["name"] == "Eva Ansat"
    assert [d["id"] for d in document["dialogues"]] == [held["shared"]["id"],
                                                        held["private"]["id"]]
    shared, private = document["dialogues"]
    assert shared["readable"] is True and shared["role"] == "employee"
    assert shared["answers"] == {"wc_collaboration": "Bedre."}
    [earlier] = shared["earlier_revisions"]
    assert earlier["revision"] == 1
    assert earlier["content"]["answers"] == held["shared"]["answers"]
    assert private == {"id": held["private"]["id"], "unit_id": "skole",
                       "setting": "work_community", "held_on": held["private"]["held_on"],
                       "role": "employee", "readable": False}
    assert SECRET not in response.get_data(as_text=True)
    [action] = document["actions"]
    assert action["owner_id"] == "emp1" and action["history"] == []
    assert document["emails"]["person_id"] == "emp1"
    assert [d["kind"] for d in document["emails"]["deliveries"]] == ["dialogue_summary"]
    assert reads(assessment_sessions) == [(held["shared"]["id"], "emp1", "export")]


def test_an_hr_admin_exports_anyone(client, held, hr, token, assessment_sessions):
    assert client.patch("/api/v1/people/emp1", json={"name": "Eva Andersen"},
                        headers=hr).status_code == 200

    document = export(client, hr, "emp1").get_json()

    assert set(document) == SECTIONS
    assert [d["readable"] for d in document["dialogues"]] == [True, False]
    assert SECRET not in str(document)
    assert [(c["field"], c["old_value"], c["new_value"]) for c in document["history"]] == [
        ("name", "Eva Ansat", "Eva Andersen")]
    assert reads(assessment_sessions) == [(held["shared"]["id"], "hr", "export")]


def test_a_leader_exports_their_dialogues_and_who_read_them(client, held, token):
    emp1 = token("emp1", "employee")
    client.get(f"/api/v1/dialogues/{held['shared']['id']}", headers=emp1)
    export(client, emp1, "emp1")

    document = export(client, token("leader", "leader"), "leader").get_json()

    by_id = {d["id"]: d for d in document["dialogues"]}
    assert set(by_id) == {held["shared"]["id"], held["private"]["id"], held["own"]["id"]}
    assert all(d["readable"] and d["role"] == "leader" for d in by_id.values())
    assert by_id[held["own"]["id"]]["answers"] == {"individual_strengths": SECRET}
    assert [(r["dialogue_id"], r["reader_id"], r["channel"]) for r in document["reads"]] == [
        (held["shared"]["id"], "emp1", "api"), (held["shared"]["id"], "emp1", "export")]
    assert document["emails"]["deliveries"] == []


def test_someone_who_took_part_before_an_amendment_still_finds_the_dialogue(
    client, org, token
):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body(actions=[]))
    without_emp1 = [{"person_id": "tr", "role": "tr"}]
    assert client.put(f"/api/v1/dialogues/{dialogue['id']}", headers=leader, json=dialogue_body(
        actions=[], participants=without_emp1)).status_code == 200

    document = export(client, token("emp1", "employee"), "emp1").get_json()

    assert document["dialogues"] == [{
        "id": dialogue["id"], "unit_id": "skole", "setting": "work_community",
        "held_on": dialogue["held_on"], "role": "employee", "readable": False}]


@pytest.mark.parametrize("asker", [("emp2", "employee"), ("sfo-leader", "leader"),
                                   ("leader", "leader"), ("tr", "trio"), ("notify", "service")])
def test_no_one_else_gets_a_persons_export(client, held, token, asker, assessment_sessions):
    response = export(client, token(*asker), "emp1")

    assert response.status_code == 404
    assert reads(assessment_sessions) == []


def test_unknown_and_erased_ids_are_not_found(client, org, hr):
    assert export(client, hr, "nobody").status_code == 404
    pseudonym = client.delete("/api/v1/people/emp2", headers=hr).get_json()["id"]

    assert export(client, hr, "emp2").status_code == 404
    document = export(client, hr, pseudonym).get_json()
    assert document["person"]["name"] == pseudonym and document["person"]["email"] == ""
    assert [c["field"] for c in document["history"]] == ["erased"]


@pytest.fixture
def failing_notify():
    """An API answering 500 to everything, in notify's place."""
    app = Flask("failing-notify")

    @app.get("/<path:_path>")
    def fail(_path):
        return {"message": "boom"}, 500

    with serving(app) as base_url:
        yield base_url


@pytest.mark.parametrize("notify", ["unreachable", "failing"])
def test_without_notify_there_is_no_export(client, held, token, assessment_app, monkeypatch,
                                           assessment_sessions, notify, request):
    url = UNREACHABLE if notify == "unreachable" else request.getfixturevalue("failing_notify")
    settings = assessment_app.config["SETTINGS"]
    monkeypatch.setitem(assessment_app.config, "SETTINGS",
                        dataclasses.replace(settings, notify_url=url))

    response = export(client, token("emp1", "employee"), "emp1")

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "dialogues" not in response.get_json()
    assert reads(assessment_sessions) == []


def test_the_export_and_the_erasure_are_documented(client):
    paths = client.get("/openapi.json").get_json()["paths"]

    exported = paths["/api/v1/people/{person_id}/export"]["get"]
    assert set(exported["responses"]) >= {"200", "401", "404", "503"}
    assert exported["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PersonExport"}
    erased = paths["/api/v1/people/{person_id}"]["delete"]
    assert set(erased["responses"]) >= {"200", "401", "403", "404"}
