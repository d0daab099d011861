"""GET /api/v1/me: who the caller's token names, with their person record and units."""

import pytest

from tests.assessment.conftest import PEOPLE


def me(client, headers) -> dict:
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def unit_ids(shown: dict) -> dict[str, list[str]]:
    return {name: [unit["id"] for unit in shown[name]]
            for name in ("leads", "tr_of", "amr_of", "leads_parent_of")}


def test_a_leader_sees_their_record_and_units_as_the_apis_show_them(client, org, token):
    leader = token("leader", "leader")

    shown = me(client, leader)

    assert (shown["sub"], shown["roles"]) == ("leader", ["leader"])
    assert shown["person"] == client.get("/api/v1/people/leader", headers=leader).get_json()
    assert shown["leads"] == [client.get("/api/v1/units/skole", headers=leader).get_json()]
    assert shown["leads_parent_of"] == [client.get("/api/v1/units/sfo",
                                                   headers=leader).get_json()]
    assert (shown["tr_of"], shown["amr_of"]) == ([], [])


@pytest.mark.parametrize("sub, places", [
    ("director", {"leads": ["kommune"], "leads_parent_of": ["skole"]}),
    ("tr", {"tr_of": ["skole"]}),
    ("amr", {"amr_of": ["skole"]}),
    ("sfo-leader", {"leads": ["sfo"]}),
    ("sfo-amr", {"amr_of": ["sfo"]}),
    ("emp1", {}),
    ("hr", {}),
])
def test_each_place_a_person_holds_is_listed(client, org, token, sub, places):
    shown = me(client, token(sub, "employee"))
    assert shown["person"]["id"] == sub
    assert unit_ids(shown) == {"leads": [], "tr_of": [], "amr_of": [], "leads_parent_of": [],
                               **places}


def test_units_are_sorted_by_name(client, org, token, hr):
    for unit_id, name in (("anneks", "anneks"), ("boernehus", "Børnehuset"),
                          ("aeldre", "Ældreplejen")):
        response = client.post("/api/v1/units", headers=hr, json={
            "id": unit_id, "name": name, "parent_id": "kommune", "leader_id": "leader",
            "tr_id": "emp1"})
        assert response.status_code == 201, response.get_json()

    shown = me(client, token("leader", "leader"))

    assert [unit["name"] for unit in shown["leads"]] == [
        "anneks", "Børnehuset", "Skovgårdsskolen", "Ældreplejen"]
    assert [unit["id"] for unit in me(client, token("emp1", "employee"))["tr_of"]] == [
        "anneks", "boernehus", "aeldre"]
    assert [unit["id"] for unit in me(client, token("director", "leader"))
            ["leads_parent_of"]] == ["anneks", "boernehus", "skole", "aeldre"]


def test_a_subject_who_is_no_person_gets_null_and_no_units(client, org, token):
    assert me(client, token("notify", "service")) == {
        "sub": "notify", "roles": ["service"], "person": None,
        "leads": [], "tr_of": [], "amr_of": [], "leads_parent_of": [],
    }


def test_every_role_of_the_token_is_told_sorted(client, org, token):
    shown = me(client, token("tr", "trio", "employee", "hr_admin"))
    assert shown["roles"] == ["employee", "hr_admin", "trio"]
    assert shown["person"]["name"] == dict((p[0], p[1]) for p in PEOPLE)["tr"]


def test_a_token_with_no_role_is_still_answered(client, org, token):
    assert me(client, token("emp2"))["roles"] == []


def test_without_a_valid_token_it_is_401(client, org):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer x.y.z"}).status_code == 401
