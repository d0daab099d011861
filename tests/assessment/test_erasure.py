"""Erasure (GDPR Art. 17): a pseudonym replaces the person's id in every table, their name and
email are gone, person.erased is in the outbox once, and the figures still add up."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import JSON, String, Text, select

from services.assessment.dialogue_rules import local_today
from services.assessment.models import (
    Action,
    ActionChange,
    Base,
    DialogueRead,
    Outbox,
    Participant,
    Person,
    PersonChange,
    Unit,
)
from shared.ids import person_digest
from tests.assessment.test_insights import YEAR, add_dialogue, balance, day_in
from tests.support.dialogues import action, dialogue_body, participants_with, record

ERASED = "lederdialog.person.erased.v1"
PSEUDONYM = re.compile(r"^erased-[0-9a-f]{16}$")
# The outbox is left out: events written before the erasure name the person by the id
# consumers know them by, as person.erased itself does (docs/privacy.md).
SCANNED_TABLES = [table for table in Base.metadata.sorted_tables if table.name != "outbox"]


def erase(client, hr, person_id: str):
    return client.delete(f"/api/v1/people/{person_id}", headers=hr)


def strings_held(sessions) -> list[tuple[str, str, str]]:
    """Every string the assessment database holds outside the outbox, as (table, column,
    value): each string and text column's value, and each string inside a JSON column."""
    found = []
    with sessions() as session:
        for table in SCANNED_TABLES:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            for row in session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    found.extend((table.name, column.name, leaf) for leaf in _leaves(value))
    return found


def _leaves(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str):
        yield value


def erased_events(sessions, kind: str = ERASED) -> list[dict]:
    with sessions() as session:
        rows = session.scalars(select(Outbox).where(Outbox.type == kind).order_by(Outbox.id))
        return [row.envelope for row in rows]


@pytest.fixture
def emp1_everywhere(client, org, token, assessment_sessions, hr):
    """emp1 (Eva Ansat) in every place a person can be named: a participant and an action's
    owner in a recorded dialogue (and its revision), the one who changed the action, an
    earlier owner in its history, the AMR of sfo, a reader of dialogues, one whose record
    HR changed and who changed someone's record, and in the insight's people."""
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    action_id = dialogue["actions"][0]["id"]
    assert client.patch(f"/api/v1/actions/{action_id}", json={"status": "in_progress"},
                        headers=token("emp1", "employee")).status_code == 200
    assert client.patch("/api/v1/units/sfo", json={"amr_id": "emp1"},
                        headers=hr).status_code == 200
    assert client.patch("/api/v1/people/emp1", json={"name": "Eva Andersen"},
                        headers=hr).status_code == 200
    with assessment_sessions() as session:
        session.add_all([
            ActionChange(action_id=action_id, kind="owner", old_value="emp1", new_value="emp2",
                         changed_by="leader"),
            ActionChange(action_id=action_id, kind="owner", old_value="emp2", new_value="emp1",
                         changed_by="leader"),
            PersonChange(person_id="emp1", field="name", old_value="Eva Ansat",
                         new_value="Eva Andersen", changed_by="hr"),
            PersonChange(person_id="emp1", field="email", old_value="emp1@gentofte.test",
                         new_value="eva@gentofte.test", changed_by="hr"),
            PersonChange(person_id="emp2", field="language", old_value="da", new_value="en",
                         changed_by="emp1"),
            DialogueRead(dialogue_id=dialogue["id"], reader_id="emp1", channel="web"),
        ])
        session.commit()
    # Reading the insight sums up the dialogue's figures, emp1 among its people.
    balance(client, hr, unit_id="skole", period=f"{dialogue['held_on'][:4]}")
    return dialogue


def test_erasure_puts_a_pseudonym_in_every_place_and_removes_name_and_email(
    client, hr, emp1_everywhere, assessment_sessions
):
    personal = ("Eva Ansat", "Eva Andersen", "emp1@gentofte.test", "eva@gentofte.test")
    before = strings_held(assessment_sessions)
    assert {table for table, _column, value in before if value == "emp1"} >= {
        "people", "units", "dialogue_participants", "dialogue_revisions", "actions",
        "action_changes", "person_changes", "dialogue_reads", "insight_people",
    }

    response = erase(client, hr, "emp1")

    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    pseudonym = answer["id"]
    assert PSEUDONYM.match(pseudonym) and answer["erased_at"]
    after = strings_held(assessment_sessions)
    assert [held for held in after if held[2] == "emp1"] == []
    assert [held for held in after if any(text in held[2] for text in personal)] == []
    # The records stay, naming the pseudonym where they named emp1.
    with assessment_sessions() as session:
        assert session.get(Unit, "sfo").amr_id == pseudonym
        assert session.get(Participant, (emp1_everywhere["id"], pseudonym)).role == "employee"
        action = session.scalar(select(Action))
        assert action.owner_id == pseudonym
        assert [(c.kind, c.old_value, c.new_value, c.changed_by) for c in session.scalars(
            select(ActionChange).order_by(ActionChange.id))] == [
            ("status", "open", "in_progress", pseudonym),
            ("owner", pseudonym, "emp2", "leader"),
            ("owner", "emp2", pseudonym, "leader"),
        ]
        history = [(c.field, c.old_value, c.new_value, c.changed_by) for c in session.scalars(
            select(PersonChange).where(PersonChange.person_id == pseudonym)
            .order_by(PersonChange.id))]
    assert ("erased", None, None, "hr") in history
    assert all(old is None and new is None for field, old, new, _by in history
               if field in ("name", "email"))
    assert {"person_changes", "dialogue_revisions", "dialogue_reads", "insight_people"} <= {
        table for table, _column, value in after if value == pseudonym}


def test_the_erased_event_is_in_the_outbox_once(client, hr, org, assessment_sessions):
    first = erase(client, hr, "emp2").get_json()

    assert erase(client, hr, "emp2").get_json() == first  # by the former id
    assert erase(client, hr, first["id"]).get_json() == first  # by the pseudonym
    [event] = erased_events(assessment_sessions)
    assert event["data"] == {"person_id": "emp2", "pseudonym": first["id"]}
    assert event["subject"] == f"people/{first['id']}"
    assert event["source"] == "/lederdialog/assessment"


def test_the_erased_person_is_gone_by_their_id_and_shows_no_name_or_email(
    client, hr, org, token
):
    pseudonym = erase(client, hr, "emp2").get_json()["id"]

    assert client.get("/api/v1/people/emp2", headers=hr).status_code == 404
    assert client.patch("/api/v1/people/emp2", json={"name": "X"}, headers=hr).status_code == 404
    person = client.get(f"/api/v1/people/{pseudonym}", headers=hr).get_json()
    assert person["name"] == pseudonym and person["email"] == ""
    assert person["erased_at"] and person["left_on"] == date.today().isoformat()
    assert person["unit_id"] == "skole"
    listed = client.get("/api/v1/people", query_string={"unit_id": "skole"},
                        headers=token("leader", "leader")).get_json()
    assert "Emil Ansat" not in str(listed) and "emp2@" not in str(listed)


def test_erasing_someone_who_had_not_left_says_they_left_so_their_actions_get_an_owner(
    client, hr, org, token, assessment_sessions
):
    dialogue = record(client, token("leader", "leader"),
                      dialogue_body(participants=participants_with("emp2"),
                                    actions=[action(owner_id="emp2")]))
    [action_id] = [action["id"] for action in dialogue["actions"]]

    pseudonym = erase(client, hr, "emp2").get_json()["id"]

    [left] = erased_events(assessment_sessions, "lederdialog.person.left.v1")
    assert left["data"] == {"person_id": pseudonym, "unit_id": "skole",
                            "left_on": local_today().isoformat(), "open_action_ids": [action_id]}
    erase(client, hr, "emp2")
    assert len(erased_events(assessment_sessions, "lederdialog.person.left.v1")) == 1
    listed = client.get("/api/v1/actions", query_string={"owner_left": "true"},
                        headers=token("leader", "leader")).get_json()
    assert [item["id"] for item in listed] == [action_id]


def test_a_day_of_leaving_already_set_stays(client, hr, org, assessment_sessions):
    left_on = date.today() - timedelta(days=40)
    with assessment_sessions() as session:
        session.get(Person, "emp2").left_on = left_on
        session.commit()

    pseudonym = erase(client, hr, "emp2").get_json()["id"]

    person = client.get(f"/api/v1/people/{pseudonym}", headers=hr).get_json()
    assert person["left_on"] == left_on.isoformat()


def test_erasure_stores_only_a_digest_of_the_former_id(client, hr, org, assessment_sessions):
    pseudonym = erase(client, hr, "emp2").get_json()["id"]

    assert ("erasures", "digest", person_digest("emp2")) in strings_held(assessment_sessions)
    assert ("erasures", "pseudonym", pseudonym) in strings_held(assessment_sessions)


def test_an_hr_admin_may_erase_themselves(client, org, token):
    headers = token("hr", "hr_admin")

    pseudonym = erase(client, headers, "hr").get_json()["id"]

    assert client.get(f"/api/v1/people/{pseudonym}", headers=headers).status_code == 200
    assert erase(client, headers, "hr").get_json()["id"] == pseudonym


def test_unknown_people_are_not_found(client, hr, org, assessment_sessions):
    response = erase(client, hr, "nobody")

    assert response.status_code == 404
    assert erased_events(assessment_sessions) == []


@pytest.mark.parametrize("roles", [("leader",), ("employee",), ("trio",), ("service",)])
def test_only_hr_admins_erase(client, org, token, roles, assessment_sessions):
    response = erase(client, token("leader", *roles), "emp1")

    assert response.status_code == 403
    assert client.delete("/api/v1/people/emp1").status_code == 401
    assert erased_events(assessment_sessions) == []
    assert client.get("/api/v1/people/emp1", headers=token("hr", "hr_admin")).status_code == 200


def test_the_insight_answers_the_same_after_an_erasure(client, hr, org, token,
                                                       assessment_sessions):
    """Three leaders' shared dialogues in skole and sfo, enough to publish figures; the
    leader of sfo, who led two of them, is erased."""
    past = date.today() - timedelta(days=1)
    for number in range(4):
        add_dialogue(assessment_sessions, leader="leader" if number < 2 else "director",
                     actions=[("open", past)], ratings=(number + 1, 3, 4, 2),
                     weights=(40, 30, 20, 10))
    for setting in ("work_community", "leader_group"):
        add_dialogue(assessment_sessions, unit="sfo", leader="sfo-leader", setting=setting,
                     participants=("sfo-tr", "sfo-amr", "sfo-emp"), ratings=(5, 5, 5, 5),
                     weights=(10, 20, 30, 40), actions=[("done", past)])
    add_dialogue(assessment_sessions, unit="sfo", leader="sfo-leader", held_on=day_in(2),
                 participants=("sfo-tr", "sfo-amr", "sfo-emp"))
    questions = [{"unit_id": "kommune", "period": str(YEAR)},
                 {"unit_id": "skole", "period": f"{YEAR}-Q1"},
                 {"unit_id": "sfo", "period": f"{YEAR}-H1"},
                 {"period": f"{YEAR}-Q1"}]
    director = token("director", "leader")
    before = [balance(client, hr, **q) for q in questions] + [
        balance(client, director, unit_id="kommune", period=str(YEAR))]
    assert before[0]["suppressed"] is False

    assert erase(client, hr, "sfo-leader").status_code == 200

    after = [balance(client, hr, **q) for q in questions] + [
        balance(client, director, unit_id="kommune", period=str(YEAR))]
    assert after == before


def test_an_import_does_not_bring_an_erased_person_back(client, hr, org):
    erase(client, hr, "emp2")
    csv = ("kind,id,name,email,unit_id\n"
           "person,emp2,Emil Ansat,emp2@gentofte.test,skole\n"
           "person,new1,Nina Ny,new1@gentofte.test,skole\n")

    response = client.post("/api/v1/org/import", data=csv.encode(), headers=hr,
                           content_type="text/csv")

    assert response.status_code == 422
    [problem] = response.get_json()["errors"]["csv"]
    assert (problem["line"], problem["field"]) == (2, "id")
    assert "emp2 was erased" in problem["message"]
    assert client.get("/api/v1/people/new1", headers=hr).status_code == 404  # all or nothing


def test_an_erased_id_added_again_is_erased_again(client, hr, org, assessment_sessions):
    first = erase(client, hr, "emp2").get_json()
    # HR adds by hand someone who came back under the same id.
    added = client.post("/api/v1/people", json={
        "id": "emp2", "name": "Emil Ansat", "email": "emp2@gentofte.test"}, headers=hr)
    assert added.status_code == 201

    second = erase(client, hr, "emp2").get_json()

    assert second["id"] != first["id"] and PSEUDONYM.match(second["id"])
    assert erase(client, hr, "emp2").get_json() == second
    assert erase(client, hr, first["id"]).get_json() == first
    assert [event["data"]["pseudonym"] for event in erased_events(assessment_sessions)] == [
        first["id"], second["id"]]
    assert [held for held in strings_held(assessment_sessions)
            if held[2] in ("emp2", "Emil Ansat")] == []
