"""A person's history: every change HR makes to their record, read by HR and the person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assessment.dialogue_rules import local_today
from services.assessment.models import Person
from shared.outbox import utcnow
from tests.assessment.test_org_import import HEADER, post_csv


def history(client, person_id: str, headers: dict):
    return client.get(f"/api/v1/people/{person_id}/history", headers=headers)


def changes(client, person_id: str, headers: dict) -> list[tuple]:
    response = history(client, person_id, headers)
    assert response.status_code == 200, response.get_json()
    return [(c["field"], c["old_value"], c["new_value"], c["changed_by"])
            for c in response.get_json()]


def field_errors(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["json"]


def test_each_change_is_kept_oldest_first(client, org, hr):
    client.patch("/api/v1/people/emp1", json={"name": "Eva Ansat-Berg", "unit_id": "sfo"},
                 headers=hr)
    client.patch("/api/v1/people/emp1", json={"email": "eva@ny.test", "language": "en",
                                              "name": "Eva Ansat-Berg"}, headers=hr)
    left_on = local_today().isoformat()
    client.patch("/api/v1/people/emp1", json={"left_on": left_on}, headers=hr)

    assert changes(client, "emp1", hr) == [
        ("name", "Eva Ansat", "Eva Ansat-Berg", "hr"),
        ("unit_id", "skole", "sfo", "hr"),
        ("email", "emp1@gentofte.test", "eva@ny.test", "hr"),
        ("language", "da", "en", "hr"),
        ("left_on", None, left_on, "hr"),
    ]
    times = [change["changed_at"] for change in history(client, "emp1", hr).get_json()]
    assert times == sorted(times)


def test_the_person_reads_their_own_history_and_no_one_else_does(client, org, hr, token):
    client.patch("/api/v1/people/emp1", json={"unit_id": None}, headers=hr)

    assert changes(client, "emp1", token("emp1", "employee")) == [
        ("unit_id", "skole", None, "hr")]
    for sub, roles in [("leader", ("leader",)), ("emp2", ("employee",)),
                       ("notify", ("service",)), ("director", ("leader", "trio"))]:
        assert history(client, "emp1", token(sub, *roles)).status_code == 404
    assert history(client, "nobody", hr).status_code == 404
    assert history(client, "nobody", token("nobody", "employee")).status_code == 404
    assert history(client, "emp1", {}).status_code == 401


def test_a_new_person_has_no_history_until_changed(client, org, hr):
    response = client.post("/api/v1/people", headers=hr,
                           json={"id": "ny", "name": "Nora Ny", "email": "nora@gentofte.test"})
    assert response.status_code == 201
    assert changes(client, "ny", hr) == []
    same = client.patch("/api/v1/people/ny", json={"name": "Nora Ny"}, headers=hr)
    assert same.status_code == 200
    assert changes(client, "ny", hr) == []


def test_a_refused_change_leaves_no_history(client, org, hr):
    response = client.patch("/api/v1/people/emp1", json={"name": "X", "unit_id": "nowhere"},
                            headers=hr)
    assert "unit_id" in field_errors(response)
    assert changes(client, "emp1", hr) == []


def test_the_import_records_what_it_changes(client, org, hr, token):
    text = HEADER + "person,emp1,Eva Ansat,eva@gentofte.test,en,sfo,,,,\n" \
        "person,emp2,Emil Ansat,emp2@gentofte.test,en,skole,,,,\n" \
        "person,ny,Nora Ny,nora@gentofte.test,da,skole,,,,\n"
    response = post_csv(client, text, token("hr.anden", "hr_admin"))
    assert response.get_json()["people"] == {"created": 1, "updated": 1, "unchanged": 1}

    assert changes(client, "emp1", hr) == [
        ("email", "emp1@gentofte.test", "eva@gentofte.test", "hr.anden"),
        ("language", "da", "en", "hr.anden"),
        ("unit_id", "skole", "sfo", "hr.anden"),
    ]
    assert changes(client, "emp2", hr) == []
    assert changes(client, "ny", hr) == []


def test_an_erased_person_cannot_be_changed(client, org, hr, assessment_sessions):
    with assessment_sessions() as session:
        session.get(Person, "emp2").erased_at = utcnow()
        session.commit()

    response = client.patch("/api/v1/people/emp2", json={"name": "Igen"}, headers=hr)

    assert response.status_code == 409
    assert "erased" in response.get_json()["message"]
    assert changes(client, "emp2", hr) == []
    imported = post_csv(client, HEADER + "person,emp2,Igen,igen@gentofte.test,da,,,,,\n", hr)
    assert imported.status_code == 422
    [problem] = imported.get_json()["errors"]["csv"]
    assert (problem["line"], problem["field"], problem["kind"]) == (2, "id", "consistency")


@pytest.mark.parametrize("left_on", [
    "tomorrow", "2026-02-30", (local_today() + timedelta(days=1)).isoformat(), "1990-01-01", 20,
])
def test_a_bad_leaving_day_is_refused_naming_it(client, org, hr, left_on):
    response = client.patch("/api/v1/people/emp1", json={"left_on": left_on}, headers=hr)
    assert "left_on" in field_errors(response)
    assert changes(client, "emp1", hr) == []


def test_a_new_person_cannot_have_left_already(client, org, hr):
    response = client.post("/api/v1/people", headers=hr, json={
        "id": "ny", "name": "Nora Ny", "email": "nora@gentofte.test",
        "left_on": local_today().isoformat()})
    assert "left_on" in field_errors(response)
