"""People who leave: HR says so, or an import of the whole organisation no longer lists them;
either way person.left goes out once, with the actions they still own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.assessment.dialogue_rules import local_today
from services.assessment.models import Outbox, Person, PersonChange
from shared.event_schemas import DATA_SCHEMAS, ENVELOPE
from shared.outbox import utcnow
from tests.assessment.conftest import PEOPLE, UNITS
from tests.assessment.test_org_import import HEADER, post_csv
from tests.support.dialogues import action, dialogue_body, participants_with, record

LEFT = "lederdialog.person.left.v1"
# The small organisation as a file: every unit and person of the `org` fixture.
WHOLE = HEADER + "".join(
    f"unit,{unit_id},{name},,,,{parent or ''},{leader or ''},{tr or ''},{amr or ''}\n"
    for unit_id, name, parent, leader, tr, amr in UNITS
) + "".join(
    f"person,{person_id},{name},{person_id}@gentofte.test,{language},{unit or ''},,,,\n"
    for person_id, name, unit, language in PEOPLE
)


def events_of(sessions, event_type: str) -> list[dict]:
    """The envelopes of one type in the outbox, oldest first, each checked against its schema."""
    with sessions() as session:
        envelopes = list(session.scalars(
            select(Outbox.envelope).where(Outbox.type == event_type).order_by(Outbox.id)))
    for envelope in envelopes:
        ENVELOPE.load(envelope)
        DATA_SCHEMAS[event_type].load(envelope["data"])
    return envelopes


def leave(client, hr, person_id: str, left_on: str | None):
    response = client.patch(f"/api/v1/people/{person_id}", json={"left_on": left_on}, headers=hr)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def without(text: str, *person_ids: str) -> str:
    """The file without these people's rows."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not any(line.startswith(f"person,{pid},") for pid in person_ids))


@pytest.fixture
def owned(client, org, token) -> dict[str, str]:
    """Actions emp1 owns, by status (open, in_progress, done, dropped), and one of emp2's."""
    leader = token("leader", "leader")
    titles = ("open", "in_progress", "done", "dropped", "emp2's")
    dialogue = record(client, leader, dialogue_body(
        participants=participants_with("emp2"),
        actions=[action(title=title, owner_id="emp2" if title == "emp2's" else "emp1")
                 for title in titles]))
    ids = {item["title"]: item["id"] for item in dialogue["actions"]}
    for status in ("in_progress", "dropped"):
        client.patch(f"/api/v1/actions/{ids[status]}", json={"status": status}, headers=leader)
    client.post(f"/api/v1/actions/{ids['done']}/complete", json={"reflection": "Klaret."},
                headers=leader)
    return ids


def test_leaving_emits_one_event_with_the_open_actions(client, hr, owned, assessment_sessions):
    day = (local_today() - timedelta(days=2)).isoformat()

    person = leave(client, hr, "emp1", day)

    assert person["left_on"] == day
    [event] = events_of(assessment_sessions, LEFT)
    assert (event["subject"], event["source"]) == ("people/emp1", "/lederdialog/assessment")
    assert event["data"] == {"person_id": "emp1", "unit_id": "skole", "left_on": day,
                             "open_action_ids": [owned["open"], owned["in_progress"]]}


def test_only_the_first_leaving_day_emits(client, hr, org, assessment_sessions):
    today = local_today()
    leave(client, hr, "emp2", (today - timedelta(days=1)).isoformat())
    leave(client, hr, "emp2", today.isoformat())  # corrected: no second event
    assert len(events_of(assessment_sessions, LEFT)) == 1

    assert leave(client, hr, "emp2", None)["left_on"] is None  # came back: no event
    assert len(events_of(assessment_sessions, LEFT)) == 1
    leave(client, hr, "emp2", today.isoformat())  # and left again
    later = events_of(assessment_sessions, LEFT)[1]["data"]
    assert later == {"person_id": "emp2", "unit_id": "skole", "left_on": today.isoformat(),
                     "open_action_ids": []}


def test_a_person_who_leaves_with_a_new_unit_leaves_from_it(client, hr, org,
                                                            assessment_sessions):
    response = client.patch("/api/v1/people/emp2", headers=hr, json={
        "unit_id": None, "left_on": local_today().isoformat()})
    assert response.status_code == 200
    [event] = events_of(assessment_sessions, LEFT)
    assert event["data"]["unit_id"] is None


def test_a_refused_change_emits_nothing(client, hr, org, assessment_sessions):
    response = client.patch("/api/v1/people/emp2", headers=hr, json={
        "unit_id": "nowhere", "left_on": local_today().isoformat()})
    assert response.status_code == 422
    assert events_of(assessment_sessions, LEFT) == []
    with assessment_sessions() as session:
        assert session.get(Person, "emp2").left_on is None


def test_people_who_left_are_still_listed_and_read(client, hr, org, token):
    day = local_today().isoformat()
    leave(client, hr, "emp1", day)
    leader = token("leader", "leader")

    listed = client.get("/api/v1/people", query_string={"unit_id": "skole"},
                        headers=leader).get_json()
    assert {person["id"]: person["left_on"] for person in listed}["emp1"] == day
    assert client.get("/api/v1/people/emp1", headers=leader).get_json()["left_on"] == day
    assert client.get("/api/v1/people/emp2", headers=hr).get_json()["left_on"] is None


def test_a_whole_import_marks_the_people_missing_from_it_left(
    client, hr, owned, assessment_sessions
):
    already = local_today() - timedelta(days=10)
    leave(client, hr, "sfo-emp", already.isoformat())

    response = post_csv(client, without(WHOLE, "emp1", "emp2", "sfo-emp"), hr)
    assert response.get_json()["left"] == []  # without whole=true nobody leaves
    response = client.post("/api/v1/org/import", query_string={"whole": "true"}, headers=hr,
                           data=without(WHOLE, "emp1", "emp2", "sfo-emp").encode(),
                           content_type="text/csv")

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "units": {"created": 0, "updated": 0, "unchanged": 3},
        "people": {"created": 0, "updated": 0, "unchanged": 8},
        "left": ["emp1", "emp2"],
    }
    today = local_today().isoformat()
    by_person = {event["data"]["person_id"]: event["data"]
                 for event in events_of(assessment_sessions, LEFT)}
    assert by_person["emp1"] == {"person_id": "emp1", "unit_id": "skole", "left_on": today,
                                 "open_action_ids": [owned["open"], owned["in_progress"]]}
    assert by_person["emp2"]["open_action_ids"] == [owned["emp2's"]]
    assert set(by_person) == {"emp1", "emp2", "sfo-emp"}  # sfo-emp's from HR's change
    with assessment_sessions() as session:
        assert session.get(Person, "sfo-emp").left_on == already
        assert session.scalars(select(PersonChange.new_value).where(
            PersonChange.person_id == "emp2")).all() == [today]
    again = client.post("/api/v1/org/import?whole=true", headers=hr, content_type="text/csv",
                        data=without(WHOLE, "emp1", "emp2", "sfo-emp").encode())
    assert again.get_json()["left"] == []
    assert len(events_of(assessment_sessions, LEFT)) == 3


def test_a_whole_import_passes_over_erased_people(client, hr, org, assessment_sessions):
    with assessment_sessions() as session:
        session.get(Person, "emp2").erased_at = utcnow()
        session.commit()
    response = client.post("/api/v1/org/import?whole=true", headers=hr, content_type="text/csv",
                           data=without(WHOLE, "emp2").encode())
    assert response.get_json()["left"] == []


def state(sessions) -> dict:
    """What an import may write: people, their history, the outbox."""
    with sessions() as session:
        return {
            "people": {p.id: (p.name, p.unit_id, p.left_on, p.updated_at)
                       for p in session.scalars(select(Person))},
            "history": session.scalar(select(func.count()).select_from(PersonChange)),
            "outbox": session.scalar(select(func.count()).select_from(Outbox)),
        }


def test_a_dry_run_answers_as_the_import_and_writes_nothing(
    client, hr, owned, assessment_sessions
):
    text = without(WHOLE, "emp1").replace("Lars Leder", "Lars Ledersen") \
        + "person,ny,Nora Ny,nora@gentofte.test,da,skole,,,,\n"
    before = state(assessment_sessions)

    def send(**args):
        return client.post("/api/v1/org/import", query_string={"whole": "true", **args},
                           data=text.encode(), headers=hr, content_type="text/csv")

    preview = send(dry_run="true")

    assert preview.status_code == 200, preview.get_json()
    assert state(assessment_sessions) == before
    imported = send(dry_run="false")
    previewed = {key: value for key, value in preview.get_json().items() if key != "changes"}
    assert imported.get_json() == previewed == {
        "units": {"created": 0, "updated": 0, "unchanged": 3},
        "people": {"created": 1, "updated": 1, "unchanged": 9},
        "left": ["emp1"],
    }
    assert state(assessment_sessions) != before
    assert len(events_of(assessment_sessions, LEFT)) == 1


def test_a_dry_run_of_a_bad_file_answers_its_problems(client, hr, org):
    text = WHOLE + "person,ny,Nora Ny,not-an-address,da,skole,,,,\n"
    response = client.post("/api/v1/org/import?dry_run=true", data=text.encode(), headers=hr,
                           content_type="text/csv")
    assert response.status_code == 422
    assert [p["field"] for p in response.get_json()["errors"]["csv"]] == ["email"]


def test_a_whole_file_must_hold_the_units_leaders_and_trios(client, hr, org, assessment_sessions):
    before = state(assessment_sessions)
    response = client.post("/api/v1/org/import?whole=true", headers=hr, content_type="text/csv",
                           data=without(WHOLE, "tr").encode())
    assert response.status_code == 422
    [problem] = response.get_json()["errors"]["csv"]
    assert (problem["line"], problem["field"], problem["kind"]) == (3, "tr_id", "consistency")
    assert "'tr'" in problem["message"]
    assert state(assessment_sessions) == before


def test_a_whole_file_without_people_is_refused(client, hr, org, assessment_sessions):
    before = state(assessment_sessions)
    response = client.post("/api/v1/org/import?whole=true", headers=hr, content_type="text/csv",
                           data=(HEADER + "unit,kommune,Gentofte Kommune,,,,,,,\n").encode())
    assert response.status_code == 422
    assert response.get_json()["errors"]["total"] == 1
    assert state(assessment_sessions) == before


@pytest.mark.parametrize("args", [{"whole": "perhaps"}, {"dry_run": "2"}])
def test_bad_import_parameters_are_named(client, hr, org, args):
    response = client.post("/api/v1/org/import", query_string=args, data=WHOLE.encode(),
                           headers=hr, content_type="text/csv")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["query"]) == set(args)
