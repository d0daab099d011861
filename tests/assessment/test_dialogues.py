"""Leaders record dialogues; the right people read them; the leader amends them for 14 days."""

import json
from datetime import date, timedelta

from sqlalchemy import update

from services.assessment.dialogue_rules import local_today, months_after
from services.assessment.models import Dialogue
from shared.outbox import utcnow
from tests.support.dialogues import (
    HELD_ON,
    action,
    as_recorded,
    dialogue_body,
    individual_body,
    ratings,
    record,
)


def test_leader_records_a_dialogue_and_reads_it_whole(client, org, token):
    leader = token("leader", "leader")
    response = client.post("/api/v1/dialogues", json=dialogue_body(), headers=leader)

    assert response.status_code == 201
    created = response.get_json()
    assert response.headers["Location"] == f"/api/v1/dialogues/{created['id']}"
    fetched = client.get(response.headers["Location"], headers=leader).get_json()
    people = fetched.pop("people")  # names come with reading, not with the recording's answer
    assert fetched == created
    assert people == {"leader": "Lars Leder", "emp1": "Eva Ansat", "tr": "Tina Tillid"}
    assert fetched["leader_id"] == "leader"
    assert fetched["unit_id"] == "skole"
    assert fetched["revision"] == 1
    assert fetched["framework_version"] == 1, "the current version is the default"
    assert fetched["visibility"] == "shared", "a work-community dialogue is shared by default"
    assert fetched["answers"]["wc_expectations"] == "Klare aftaler om vikardækning."
    assert [r["weight"] for r in fetched["focus_areas"]] == [40, 30, 20, 10]
    assert fetched["strengths"] == [
        {"focus_area": "meaningful_communities", "text": "Stærke relationer"}
    ]
    [agreed] = fetched["actions"]
    assert agreed["status"] == "open"
    assert agreed["owner_id"] == "emp1"
    assert agreed["commitment"] == "proactive_management"


def test_follow_up_defaults_to_three_months_after_the_dialogue(client, org, token):
    leader, today = token("leader", "leader"), local_today()
    assert months_after(date(2025, 11, 30), 3) == date(2026, 2, 28), "or the month's last day"
    body = dialogue_body(actions=[])
    assert record(client, leader, body)["follow_up_on"] == months_after(HELD_ON, 3).isoformat()
    late = dialogue_body(held_on=(today - timedelta(days=100)).isoformat(), actions=[])
    assert record(client, leader, late)["follow_up_on"] == today.isoformat(), \
        "recorded after three months: the follow-up is due today"
    given = (today + timedelta(days=10)).isoformat()
    body = dialogue_body(follow_up_on=given, actions=[])
    assert record(client, leader, body)["follow_up_on"] == given


def test_specific_task_dialogue_keeps_its_task(client, org, token):
    body = dialogue_body(setting="specific_task", task_description="Ny skemastruktur",
                         answers={"task_focus_areas": "Pålidelige fællesskaber først."})
    dialogue = record(client, token("leader", "leader"), body)
    assert dialogue["task_description"] == "Ny skemastruktur"
    assert dialogue["visibility"] == "shared"


def test_the_leaders_leader_records_for_the_unit_below(client, org, token):
    dialogue = record(client, token("director", "leader"), dialogue_body())
    assert dialogue["leader_id"] == "director"
    body = dialogue_body(unit_id="sfo", participants=[{"person_id": "sfo-emp", "role": "employee"}],
                         actions=[action(owner_id="sfo-emp")])
    assert record(client, token("leader", "leader"), body)["unit_id"] == "sfo"


def test_only_the_units_leader_or_the_leaders_leader_records(client, org, token):
    def post(headers, **overrides):
        return client.post("/api/v1/dialogues", json=dialogue_body(**overrides), headers=headers)

    assert post(token("sfo-leader", "leader")).status_code == 403, "leads the unit below"
    assert post(token("emp1", "leader")).status_code == 403, "a leader of no unit"
    assert post(token("leader", "employee", "trio")).status_code == 403, "without the role"
    assert post(token("director", "leader"), unit_id="sfo").status_code == 403, "two levels up"
    assert client.post("/api/v1/dialogues", json=dialogue_body()).status_code == 401
    unknown = post(token("leader", "leader"), unit_id="nowhere")
    assert unknown.status_code == 422
    assert "unit_id" in unknown.get_json()["errors"]["json"]


def test_shared_dialogue_is_read_by_participants_trio_and_the_leaders_leader(client, org, token):
    dialogue = record(client, token("leader", "leader"), dialogue_body())
    path = f"/api/v1/dialogues/{dialogue['id']}"

    for reader in ("leader", "emp1", "tr", "amr", "director"):
        assert client.get(path, headers=token(reader, "employee")).status_code == 200, reader
    assert client.get(path, headers=token("notify", "service")).status_code == 200
    for outsider in ("emp2", "sfo-leader", "sfo-emp"):
        assert client.get(path, headers=token(outsider, "employee")).status_code == 404, outsider
    assert client.get(path, headers=token("hr", "hr_admin")).status_code == 403


def test_individual_reflection_is_the_leaders_own(client, org, token):
    dialogue = record(client, token("leader", "leader"), individual_body())
    assert dialogue["visibility"] == "private"
    path = f"/api/v1/dialogues/{dialogue['id']}"

    assert client.get(path, headers=token("leader", "leader")).status_code == 200
    for other in ("tr", "amr", "director", "emp1"):
        assert client.get(path, headers=token(other, "leader", "trio")).status_code == 404
        listed = client.get("/api/v1/dialogues", headers=token(other, "leader", "trio"))
        assert listed.get_json() == []


def test_hr_admins_never_read_dialogues(client, org, token):
    dialogue = record(client, token("leader", "leader"), dialogue_body())
    hr = token("hr", "hr_admin")
    for path in ("/api/v1/dialogues", f"/api/v1/dialogues/{dialogue['id']}",
                 f"/api/v1/dialogues/{dialogue['id']}/revisions"):
        response = client.get(path, headers=hr)
        assert response.status_code == 403, path
        assert "never" in response.get_json()["message"]


def test_listing_filters_by_unit_setting_and_period_newest_first(client, org, token):
    leader = token("leader", "leader")
    days_ago = [30, 20, 10, 5]
    for days in days_ago:
        record(client, leader, dialogue_body(
            held_on=(date.today() - timedelta(days=days)).isoformat(), actions=[]))
    record(client, leader, individual_body(held_on=(date.today() - timedelta(days=1)).isoformat()))
    record(client, leader, dialogue_body(unit_id="sfo", participants=[], actions=[]))

    everything = client.get("/api/v1/dialogues", headers=leader).get_json()
    assert len(everything) == 6
    held = [d["held_on"] for d in everything]
    assert held == sorted(held, reverse=True)
    assert set(everything[0]) == {"id", "unit_id", "leader_id", "setting", "held_on",
                                  "visibility", "follow_up_on", "framework_version", "revision"}

    def listed(**query):
        response = client.get("/api/v1/dialogues", query_string=query, headers=leader)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert {d["unit_id"] for d in listed(unit_id="sfo")} == {"sfo"}
    assert [d["setting"] for d in listed(setting="individual_leader")] == ["individual_leader"]
    period = listed(unit_id="skole", setting="work_community",
                    **{"from": (date.today() - timedelta(days=20)).isoformat(),
                       "to": (date.today() - timedelta(days=10)).isoformat()})
    assert [d["held_on"] for d in period] == [
        (date.today() - timedelta(days=d)).isoformat() for d in (10, 20)
    ]
    backwards = client.get("/api/v1/dialogues", headers=leader,
                           query_string={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 422
    assert "to" in backwards.get_json()["errors"]["query"]


def test_listing_filters_by_follow_ups_to_come(client, org, token):
    leader = token("leader", "leader")
    in_days = {days: record(client, leader, dialogue_body(
        actions=[], follow_up_on=(date.today() + timedelta(days=days)).isoformat()))["id"]
        for days in (3, 40, 90)}
    coming = client.get("/api/v1/dialogues", headers=leader, query_string={
        "follow_up_from": (date.today() + timedelta(days=30)).isoformat()}).get_json()
    assert {d["id"] for d in coming} == {in_days[40], in_days[90]}


def test_listing_is_paginated(client, org, token):
    leader = token("leader", "leader")
    for days in range(1, 6):
        record(client, leader, dialogue_body(
            held_on=(date.today() - timedelta(days=days)).isoformat(), actions=[]))

    first = client.get("/api/v1/dialogues?page_size=2", headers=leader)
    third = client.get("/api/v1/dialogues?page_size=2&page=3", headers=leader)

    assert json.loads(first.headers["X-Pagination"])["total"] == 5
    assert json.loads(first.headers["X-Pagination"])["total_pages"] == 3
    assert len(first.get_json()) == 2
    assert [d["held_on"] for d in third.get_json()] == [
        (date.today() - timedelta(days=5)).isoformat()
    ]


def test_listing_shows_only_what_the_caller_may_read(client, org, token):
    leader = token("leader", "leader")
    shared = record(client, leader, dialogue_body())
    record(client, leader, individual_body())
    sfo = record(client, token("sfo-leader", "leader"),
                 dialogue_body(unit_id="sfo", participants=[], actions=[]))

    def ids(sub, *roles):
        return {d["id"] for d in client.get("/api/v1/dialogues", headers=token(sub, *roles))
                .get_json()}

    assert ids("tr", "trio") == {shared["id"]}
    assert ids("emp1", "employee") == {shared["id"]}, "a participant"
    assert ids("emp2", "employee") == set()
    assert ids("leader", "leader") == {d["id"] for d in
                                       client.get("/api/v1/dialogues", headers=leader).get_json()}
    assert sfo["id"] in ids("leader", "leader"), "the leader's leader sees the unit below"
    assert ids("sfo-tr", "trio") == {sfo["id"]}
    assert len(ids("notify", "service")) == 3


def test_amendment_adds_a_revision_and_keeps_every_earlier_one(client, org, token):
    leader = token("leader", "leader")
    original = record(client, leader, dialogue_body())
    path = f"/api/v1/dialogues/{original['id']}"
    amended_body = dialogue_body(
        held_on=(HELD_ON + timedelta(days=1)).isoformat(),
        participants=[{"person_id": "emp2", "role": "employee"}],
        answers={"wc_collaboration": "Bedre end vi troede."},
        focus_areas=ratings(25, 25, 25, 25),
        actions=[action(title="Trivselsmåling", owner_id="emp2",
                        focus_area="meaningful_communities", commitment="work_environment")],
    )

    response = client.put(path, json=amended_body, headers=leader)

    assert response.status_code == 200, response.get_json()
    amended = response.get_json()
    assert amended["revision"] == 2
    assert amended["amended_at"] is not None
    assert amended["held_on"] == amended_body["held_on"]
    assert amended["answers"] == {"wc_collaboration": "Bedre end vi troede."}
    assert {a["title"] for a in amended["actions"]} == {
        "Fælles planlægningsmøde hver fredag", "Trivselsmåling"
    }, "earlier actions are kept, new ones added"
    assert as_recorded(client.get(path, headers=leader).get_json()) == amended

    revisions = client.get(f"{path}/revisions", headers=leader).get_json()
    assert [r["revision"] for r in revisions] == [1, 2]
    assert all(r["recorded_by"] == "leader" for r in revisions)
    assert revisions[0]["content"]["answers"] == original["answers"]
    assert revisions[0]["content"]["held_on"] == original["held_on"]
    assert [a["title"] for a in revisions[1]["content"]["actions"]] == ["Trivselsmåling"]

    assert client.get(path, headers=token("emp2", "employee")).status_code == 200
    assert client.get(path, headers=token("emp1", "employee")).status_code == 404, \
        "emp1 no longer takes part in the current revision"


def test_amendment_keeps_the_people_it_repeats(client, org, token):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    path = f"/api/v1/dialogues/{dialogue['id']}"

    first = client.put(path, json=dialogue_body(
        actions=[], answers={"wc_collaboration": "Bedre end vi troede."}), headers=leader)
    second = client.put(path, json=dialogue_body(actions=[], visibility="private",
                                                 participants=[]), headers=leader)

    assert first.get_json()["participants"] == dialogue["participants"]
    assert len(first.get_json()["actions"]) == 1, "no new actions, the old one kept"
    assert second.get_json()["revision"] == 3
    assert second.get_json()["visibility"] == "private"
    assert client.get(path, headers=token("emp1", "employee")).status_code == 404, \
        "a dialogue made private is the leader's alone again"


def test_amendment_may_not_change_setting_unit_or_framework_version(client, org, token):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    body = dialogue_body(setting="leader_group", unit_id="sfo", framework_version=2, answers={})

    response = client.put(f"/api/v1/dialogues/{dialogue['id']}", json=body, headers=leader)

    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {
        "setting", "unit_id", "framework_version"
    }
    assert as_recorded(
        client.get(f"/api/v1/dialogues/{dialogue['id']}", headers=leader).get_json()
    ) == dialogue


def test_amendments_are_checked_like_recordings(client, org, token):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    body = dialogue_body(actions=[action(due_on=(HELD_ON - timedelta(days=1)).isoformat())])

    response = client.put(f"/api/v1/dialogues/{dialogue['id']}", json=body, headers=leader)

    assert response.status_code == 422
    assert "due_on" in response.get_json()["errors"]["json"]["actions"]["0"]


def test_only_the_dialogues_leader_amends_it(client, org, token):
    dialogue = record(client, token("leader", "leader"), dialogue_body())
    path = f"/api/v1/dialogues/{dialogue['id']}"

    assert client.put(path, json=dialogue_body(), headers=token("tr", "trio")).status_code == 403
    assert client.put(path, json=dialogue_body(),
                      headers=token("director", "leader")).status_code == 403
    assert client.put(path, json=dialogue_body(),
                      headers=token("emp2", "leader")).status_code == 404
    assert client.put("/api/v1/dialogues/nope", json=dialogue_body(),
                      headers=token("leader", "leader")).status_code == 404
    assert client.get(path, headers=token("leader", "leader")).get_json()["revision"] == 1


def test_no_amendment_after_fourteen_days(client, org, token, assessment_sessions):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    with assessment_sessions() as session:
        session.execute(update(Dialogue).values(recorded_at=utcnow() - timedelta(days=14, hours=1)))
        session.commit()

    response = client.put(f"/api/v1/dialogues/{dialogue['id']}", json=dialogue_body(),
                          headers=leader)

    assert response.status_code == 409
    assert "14 days" in response.get_json()["message"]
    assert len(client.get(f"/api/v1/dialogues/{dialogue['id']}/revisions",
                          headers=leader).get_json()) == 1


def test_a_reader_learns_the_names_of_the_people_the_dialogue_names(client, org, token):
    dialogue = record(client, token("leader", "leader"), dialogue_body())
    read = client.get(f"/api/v1/dialogues/{dialogue['id']}", headers=token("tr", "trio"))
    assert read.get_json()["people"] == {
        "leader": "Lars Leder", "emp1": "Eva Ansat", "tr": "Tina Tillid",
    }
