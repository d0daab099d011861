"""The organisation API: units and people, who may read and write them, what is refused."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, insert, select

from services.assessment import org as org_service
from services.assessment.errors import Invalid
from services.assessment.models import Person, Unit
from tests.support.statements import counted_statements


def field_errors(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["errors"]["json"]


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [record["id"] for record in response.get_json()]


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


# Units


def test_anyone_signed_in_lists_and_reads_units(client, org, token):
    assert ids(client.get("/api/v1/units", headers=token("notify", "service"))) == [
        "kommune", "sfo", "skole"
    ]
    employee = token("emp1", "employee")
    response = client.get("/api/v1/units", headers=employee)
    assert ids(response) == ["kommune", "sfo", "skole"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    assert ids(client.get("/api/v1/units?parent_id=skole", headers=employee)) == ["sfo"]
    unit = client.get("/api/v1/units/skole", headers=employee).get_json()
    assert {key: unit[key] for key in ("name", "parent_id", "leader_id", "tr_id", "amr_id")} == {
        "name": "Skovgårdsskolen", "parent_id": "kommune", "leader_id": "leader",
        "tr_id": "tr", "amr_id": "amr",
    }
    assert unit["created_at"] and unit["updated_at"]


def test_units_are_paginated(client, org, token):
    response = client.get("/api/v1/units?page=2&page_size=2", headers=token("emp1"))
    assert ids(response) == ["skole"]
    assert json.loads(response.headers["X-Pagination"]) == {
        "total": 3, "total_pages": 2, "first_page": 1, "last_page": 2, "page": 2,
        "previous_page": 1,
    }
    first = client.get("/api/v1/units?page=1&page_size=2", headers=token("emp1"))
    assert ids(first) == ["kommune", "sfo"]
    assert json.loads(first.headers["X-Pagination"])["total"] == 3
    past_the_end = client.get("/api/v1/units?page=3&page_size=2", headers=token("emp1"))
    assert ids(past_the_end) == []
    assert json.loads(past_the_end.headers["X-Pagination"])["total"] == 3
    assert ids(client.get("/api/v1/units?page=2147483647", headers=token("emp1"))) == []
    for page in ("0", "2147483648", "2305843009213693951", "9" * 5000):
        response = client.get(f"/api/v1/units?page={page}", headers=token("emp1"))
        assert response.status_code == 422
        assert "page" in response.get_json()["errors"]["query"]


def test_units_need_a_token(client, org):
    assert client.get("/api/v1/units").status_code == 401
    assert client.get("/api/v1/units/skole").status_code == 401
    # The token is checked before the body, so nobody learns the rules without one.
    assert client.post("/api/v1/units", json={"id": "bad id"}).status_code == 401


def test_unknown_unit_is_404(client, org, hr):
    assert client.get("/api/v1/units/nowhere", headers=hr).status_code == 404
    assert client.patch("/api/v1/units/nowhere", json={"name": "X"}, headers=hr).status_code == 404


def test_hr_creates_a_unit(client, org, hr, assessment_sessions):
    body = {"id": "bibliotek", "name": "Biblioteket", "parent_id": "kommune",
            "leader_id": "emp1", "tr_id": "emp2", "amr_id": None}
    response = client.post("/api/v1/units", json=body, headers=hr)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["leader_id"] == "emp1"
    with assessment_sessions() as session:
        assert session.get(Unit, "bibliotek").parent_id == "kommune"


def test_a_unit_id_is_taken_once(client, org, hr):
    response = client.post("/api/v1/units", json={"id": "skole", "name": "X"}, headers=hr)
    assert response.status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "No id"}, "id"),
    ({"id": "a/b", "name": "Slash"}, "id"),
    ({"id": "x" * 65, "name": "Long"}, "id"),
    ({"id": "new\n", "name": "Line break"}, "id"),
    ({"id": "new"}, "name"),
    ({"id": "new", "name": "   "}, "name"),
    ({"id": "new", "name": "Two\nlines"}, "name"),
    ({"id": "new", "name": "N" * 201}, "name"),
    ({"id": "new", "name": "N", "parent_id": "nowhere"}, "parent_id"),
    ({"id": "new", "name": "N", "leader_id": "nobody"}, "leader_id"),
    ({"id": "new", "name": "N", "tr_id": "nobody"}, "tr_id"),
    ({"id": "new", "name": "N", "amr_id": ""}, "amr_id"),
    ({"id": "new", "name": "N", "colour": "red"}, "colour"),
])
def test_a_bad_unit_is_refused_naming_the_field(client, org, hr, assessment_sessions, body, field):
    assert field in field_errors(client.post("/api/v1/units", json=body, headers=hr))
    assert count(assessment_sessions, Unit) == 3


def test_hr_updates_a_unit_partially(client, org, hr):
    response = client.patch("/api/v1/units/sfo", json={"name": "SFO", "tr_id": None}, headers=hr)
    assert response.status_code == 200
    unit = response.get_json()
    assert (unit["name"], unit["tr_id"], unit["amr_id"]) == ("SFO", None, "sfo-amr")
    moved = client.patch("/api/v1/units/sfo", json={"parent_id": "kommune"}, headers=hr)
    assert moved.get_json()["parent_id"] == "kommune"
    top = client.patch("/api/v1/units/sfo", json={"parent_id": None}, headers=hr)
    assert top.get_json()["parent_id"] is None


@pytest.mark.parametrize(("unit", "parent"), [
    ("skole", "skole"), ("skole", "sfo"), ("kommune", "sfo"),
])
def test_a_unit_cannot_go_below_itself(client, org, hr, assessment_sessions, unit, parent):
    response = client.patch(f"/api/v1/units/{unit}", json={"parent_id": parent,
                                                           "name": "Renamed"}, headers=hr)
    assert "below itself" in field_errors(response)["parent_id"][0]
    with assessment_sessions() as session:
        stored = session.get(Unit, unit)
        assert stored.name != "Renamed"
        assert stored.parent_id == {"skole": "kommune", "kommune": None}[unit]


def test_the_loop_check_asks_as_much_at_any_depth(assessment_sessions):
    depth = 1_000
    with assessment_sessions() as session:
        session.execute(insert(Unit), [
            {"id": f"c{n:04d}", "name": f"Chain {n}", "parent_id": f"c{n - 1:04d}" if n else None}
            for n in range(depth)])
        session.commit()

    def refused(below: str) -> tuple[int, str]:
        """The statements a move of the chain's top below `below` costs, and its error."""
        with assessment_sessions() as session, \
                counted_statements(session.get_bind()) as executed, \
                pytest.raises(Invalid) as raised:
            org_service.update_unit(session, unit_id="c0000", changes={"parent_id": below})
        return len(executed), raised.value.errors["parent_id"][0]

    foot, deep_error = refused(f"c{depth - 1:04d}")
    near, near_error = refused("c0001")
    assert foot == near
    assert deep_error.endswith(" → ".join(f"c{n:04d}" for n in (0, *range(depth - 1, -1, -1))))
    assert near_error.endswith("c0000 → c0001 → c0000")


def test_a_bad_update_names_the_field(client, org, hr):
    assert "leader_id" in field_errors(
        client.patch("/api/v1/units/sfo", json={"leader_id": "nobody"}, headers=hr)
    )
    assert "id" in field_errors(client.patch("/api/v1/units/sfo", json={"id": "x"}, headers=hr))


@pytest.mark.parametrize("roles", [(), ("leader",), ("service",), ("trio", "employee")])
def test_only_hr_writes_units(client, org, token, roles):
    headers = token("leader", *roles)
    assert client.post("/api/v1/units", json={"id": "n", "name": "N"},
                       headers=headers).status_code == 403
    assert client.patch("/api/v1/units/skole", json={"name": "N"},
                        headers=headers).status_code == 403


# People


def test_hr_and_notify_see_everyone(client, org, hr, token):
    for headers in (hr, token("notify", "service")):
        response = client.get("/api/v1/people?page_size=100", headers=headers)
        assert len(ids(response)) == 11
        assert client.get("/api/v1/people/sfo-emp", headers=headers).status_code == 200
    assert ids(client.get("/api/v1/people?unit_id=sfo", headers=hr)) == [
        "sfo-amr", "sfo-emp", "sfo-leader", "sfo-tr"
    ]


def test_people_by_id_are_the_visible_ones_among_them(client, org, hr, token):
    wanted = "/api/v1/people?id=sfo-emp&id=emp1&id=nobody&id=director"
    assert ids(client.get(wanted, headers=token("notify", "service"))) == [
        "director", "emp1", "sfo-emp"]
    assert ids(client.get(wanted, headers=token("sfo-leader", "leader"))) == ["sfo-emp"]


def test_at_most_100_people_by_id(client, org, hr):
    query = "&".join(f"id=p{n}" for n in range(101))
    response = client.get(f"/api/v1/people?{query}", headers=hr)
    assert response.status_code == 422
    assert "id" in response.get_json()["errors"]["query"]
    bad = client.get("/api/v1/people?id=not%20an%20id", headers=hr)
    assert bad.status_code == 422 and "id" in bad.get_json()["errors"]["query"]


def test_a_person_reads_themselves(client, org, token):
    response = client.get("/api/v1/people/emp1", headers=token("emp1", "employee"))
    assert response.status_code == 200
    person = response.get_json()
    assert person.pop("created_at") and person.pop("updated_at")
    assert person == {"id": "emp1", "name": "Eva Ansat", "email": "emp1@gentofte.test",
                      "language": "da", "unit_id": "skole", "left_on": None, "erased_at": None}


@pytest.mark.parametrize(("sub", "visible"), [
    ("emp1", ["emp1"]),
    ("tr", ["tr"]),
    ("sfo-leader", ["sfo-amr", "sfo-emp", "sfo-leader", "sfo-tr"]),
    ("leader", ["amr", "emp1", "emp2", "leader", "sfo-amr", "sfo-emp", "sfo-leader",
                "sfo-tr", "tr"]),
    ("director", ["amr", "director", "emp1", "emp2", "leader", "sfo-amr", "sfo-emp",
                  "sfo-leader", "sfo-tr", "tr"]),
    ("stranger", []),
])
def test_others_see_themselves_and_the_people_of_the_units_they_lead(
    client, org, token, sub, visible
):
    headers = token(sub, "employee", "leader")
    assert ids(client.get("/api/v1/people?page_size=100", headers=headers)) == visible
    for person_id in ("director", "leader", "emp1", "sfo-emp", "hr"):
        expected = 200 if person_id in visible else 404
        assert client.get(f"/api/v1/people/{person_id}", headers=headers).status_code == expected


def test_a_leader_sees_the_trio_of_their_units_even_from_elsewhere(client, org, hr, token):
    client.patch("/api/v1/units/sfo", json={"amr_id": "hr"}, headers=hr)
    headers = token("sfo-leader", "leader")
    assert client.get("/api/v1/people/hr", headers=headers).status_code == 200
    assert "hr" in ids(client.get("/api/v1/people", headers=headers))
    assert ids(client.get("/api/v1/people?unit_id=skole", headers=headers)) == []


def test_people_need_a_token(client, org):
    assert client.get("/api/v1/people").status_code == 401
    assert client.get("/api/v1/people/emp1").status_code == 401


def test_unknown_person_is_404(client, org, hr):
    assert client.get("/api/v1/people/nobody", headers=hr).status_code == 404
    assert client.patch("/api/v1/people/nobody", json={"name": "X"}, headers=hr).status_code == 404


def test_hr_creates_a_person(client, org, hr, assessment_sessions):
    body = {"id": "new.person_1", "name": "Nina Ny", "email": "nina@gentofte.test",
            "unit_id": "sfo"}
    response = client.post("/api/v1/people", json=body, headers=hr)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["language"] == "da"
    with assessment_sessions() as session:
        assert session.get(Person, "new.person_1").unit_id == "sfo"
    assert client.post("/api/v1/people", json=body, headers=hr).status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "N", "email": "n@gentofte.test"}, "id"),
    ({"id": "n", "email": "n@gentofte.test"}, "name"),
    ({"id": "n", "name": "N"}, "email"),
    ({"id": "n", "name": "N", "email": "not an address"}, "email"),
    ({"id": "n", "name": "N", "email": "n@gentofte.test", "language": "de"}, "language"),
    ({"id": "n", "name": "N", "email": "n@gentofte.test", "unit_id": "nowhere"}, "unit_id"),
    ({"id": "n", "name": "N\x00", "email": "n@gentofte.test"}, "name"),
    ({"id": "n", "name": 7, "email": "n@gentofte.test"}, "name"),
])
def test_a_bad_person_is_refused_naming_the_field(
    client, org, hr, assessment_sessions, body, field
):
    assert field in field_errors(client.post("/api/v1/people", json=body, headers=hr))
    assert count(assessment_sessions, Person) == 11


def test_hr_updates_a_person_partially(client, org, hr, token):
    response = client.patch("/api/v1/people/emp2", json={"language": "da", "unit_id": None},
                            headers=hr)
    assert response.status_code == 200
    person = response.get_json()
    assert (person["name"], person["language"], person["unit_id"]) == ("Emil Ansat", "da", None)
    assert "emp2" not in ids(client.get("/api/v1/people", headers=token("leader", "leader")))


def test_a_bad_person_update_changes_nothing(client, org, hr, assessment_sessions):
    response = client.patch("/api/v1/people/emp1",
                            json={"name": "Changed", "unit_id": "nowhere"}, headers=hr)
    assert "unit_id" in field_errors(response)
    with assessment_sessions() as session:
        assert session.get(Person, "emp1").name == "Eva Ansat"


@pytest.mark.parametrize("roles", [(), ("leader",), ("service",)])
def test_only_hr_writes_people(client, org, token, roles):
    headers = token("leader", *roles)
    body = {"id": "n", "name": "N", "email": "n@gentofte.test"}
    assert client.post("/api/v1/people", json=body, headers=headers).status_code == 403
    assert client.patch("/api/v1/people/leader", json={"name": "Me"},
                        headers=headers).status_code == 403


def test_the_api_is_documented(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"/api/v1/units", "/api/v1/units/{unit_id}", "/api/v1/people",
            "/api/v1/people/{person_id}", "/api/v1/org/import"} <= set(paths)
    assert set(paths["/api/v1/org/import"]["post"]["requestBody"]["content"]) == {
        "text/csv", "multipart/form-data"
    }


def test_tree_changes_wait_for_each_other(org, assessment_sessions):
    # Two moves that are fine alone and a loop together: the second sees the first.
    with assessment_sessions() as session:
        session.add_all([Unit(id="x", name="X"), Unit(id="y", name="Y")])
        session.commit()
    outcome = []

    def move_y_under_x():
        with assessment_sessions() as session:
            try:
                org_service.update_unit(session, unit_id="y", changes={"parent_id": "x"})
            except Invalid as exc:
                outcome.append((exc.errors, time.monotonic()))

    with assessment_sessions() as first:
        org_service.lock_tree(first)
        other = threading.Thread(target=move_y_under_x)
        other.start()
        time.sleep(0.3)  # time to reach the lock and wait on it: nothing tells when it does
        first.get(Unit, "x").parent_id = "y"
        first.commit()
        committed = time.monotonic()
    other.join(timeout=30)
    [(errors, finished)] = outcome
    assert errors == {"parent_id": ["a unit can't be placed below itself: y → x → y"]}
    assert finished >= committed
