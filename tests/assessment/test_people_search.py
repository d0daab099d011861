"""Searching people by name or email (?q=): whatever the case, Danish letters too, only among
the people the caller may see, paginated, and a bad search is refused naming the field."""

from __future__ import annotations

import json

import pytest

from services.assessment.models import Person


def found(client, headers, query: str) -> list[str]:
    response = client.get(f"/api/v1/people?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [person["id"] for person in response.get_json()]


def test_hr_finds_people_by_part_of_their_name_whatever_the_case(client, org, hr):
    assert found(client, hr, "q=ansat") == ["emp1", "emp2", "sfo-emp"]
    assert found(client, hr, "q=LARS") == ["leader"]


def test_hr_finds_people_by_part_of_their_email(client, org, hr):
    assert found(client, hr, "q=sfo-tr@gentofte") == ["sfo-tr"]
    assert found(client, hr, "q=Amr%40") == ["amr", "sfo-amr"]


def test_danish_letters_match_in_either_case(client, org, hr, assessment_sessions):
    with assessment_sessions() as session:
        session.add(Person(id="soren", name="SØREN ÅGÅRD", email="s@gentofte.test",
                           language="da"))
        session.commit()
    assert found(client, hr, "q=%C3%B8ren") == ["soren"]  # "øren"
    assert found(client, hr, "q=%C3%A5g%C3%A5rd") == ["soren"]  # "ågård"
    assert "director" in found(client, hr, "q=DIREKT%C3%98R")  # "DIREKTØR"


def test_percent_and_underscore_are_plain_letters(client, org, hr):
    assert found(client, hr, "q=%25") == []  # "%"
    assert found(client, hr, "q=_") == []


def test_a_search_finds_no_one_the_caller_may_not_see(client, org, token):
    leader = token("sfo-leader", "leader")
    assert found(client, leader, "q=ansat") == ["sfo-emp"]
    assert found(client, leader, "q=Lars") == []
    assert found(client, token("emp1", "employee"), "q=ansat") == ["emp1"]


def test_a_search_goes_with_the_other_filters(client, org, hr):
    assert found(client, hr, "q=ansat&unit_id=skole") == ["emp1", "emp2"]
    assert found(client, hr, "q=ansat&id=emp2&id=sfo-emp") == ["emp2", "sfo-emp"]


def test_search_results_are_paginated(client, org, hr):
    response = client.get("/api/v1/people?q=ansat&page=2&page_size=2", headers=hr)
    assert [person["id"] for person in response.get_json()] == ["sfo-emp"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3


@pytest.mark.parametrize("q", ["", "   ", "x" * 101, "Lars%0ALeder"])
def test_a_bad_search_is_refused_naming_the_field(client, org, hr, q):
    response = client.get(f"/api/v1/people?q={q}", headers=hr)
    assert response.status_code == 422
    assert "q" in response.get_json()["errors"]["query"]


def test_the_longest_search_is_answered(client, org, hr):
    assert found(client, hr, "q=" + "x" * 100) == []
