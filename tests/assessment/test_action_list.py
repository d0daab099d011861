"""GET /api/v1/actions: the actions a caller may see, filtered, soonest due first, by page."""

import json
from datetime import timedelta

import pytest

from services.assessment.dialogue_rules import local_today
from tests.support.dialogues import (
    action,
    dialogue_body,
    individual_body,
    participants_with,
    record,
)


def day(offset: int) -> str:
    """A day relative to the service's today (Danish time)."""
    return (local_today() + timedelta(days=offset)).isoformat()


def listed(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/actions", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def titles(client, headers, **query) -> list[str]:
    return [item["title"] for item in listed(client, headers, **query)]


@pytest.fixture
def leader(token):
    return token("leader", "leader")


@pytest.fixture
def agreed(client, org, leader) -> dict:
    """A shared skole dialogue's four actions: emp1's due yesterday and in a week, emp2's due
    today, and the leader's due yesterday, which is done."""
    dialogue = record(client, leader, dialogue_body(
        participants=participants_with("emp2"),
        actions=[action(title="week", due_on=day(7)),
                 action(title="yesterday", due_on=day(-1)),
                 action(title="today", owner_id="emp2", due_on=day(0)),
                 action(title="done", owner_id="leader", due_on=day(-1))],
    ))
    ids = {item["title"]: item["id"] for item in dialogue["actions"]}
    response = client.post(f"/api/v1/actions/{ids['done']}/complete", headers=leader,
                           json={"reflection": "Klaret."})
    assert response.status_code == 200
    return {"dialogue": dialogue, "ids": ids}


def test_each_item_is_the_action_as_read_alone_with_its_dialogue_facts(
        client, token, leader, agreed):
    dialogue = agreed["dialogue"]

    items = listed(client, leader)

    for item in items:
        alone = client.get(f"/api/v1/actions/{item['id']}", headers=leader).get_json()
        assert item == {**alone, "unit_id": "skole", "setting": dialogue["setting"],
                        "held_on": dialogue["held_on"], "owner_left_on": None}
    [done] = [item for item in items if item["title"] == "done"]
    assert done["history"][-1]["kind"] == "completed"
    assert done["reflection"] == "Klaret."


def test_sorted_by_due_date_then_id(client, leader, agreed):
    items = listed(client, leader)
    assert [item["due_on"] for item in items] == [day(-1), day(-1), day(0), day(7)]
    assert items[0]["id"] < items[1]["id"]


@pytest.mark.parametrize("query, expected", [
    ({"owner_id": "emp1"}, ["yesterday", "week"]),
    ({"owner_id": "emp2"}, ["today"]),
    ({"owner_id": "sfo-emp"}, []),
    ({"unit_id": "skole"}, ["done", "yesterday", "today", "week"]),
    ({"unit_id": "sfo"}, []),
    ({"status": "done"}, ["done"]),
    ({"status": ["open", "done"]}, ["done", "yesterday", "today", "week"]),
    ({"status": ["in_progress", "dropped"]}, []),
    ({"overdue": "true"}, ["yesterday"]),
    ({"overdue": "false"}, ["done", "today", "week"]),
    ({"overdue": "true", "owner_id": "emp2"}, []),
    ({"overdue": "false", "status": "open", "owner_id": "emp1"}, ["week"]),
], ids=lambda value: json.dumps(value) if isinstance(value, dict) else None)
def test_filters(client, leader, agreed, query, expected):
    assert sorted(titles(client, leader, **query)) == sorted(expected)


def test_an_action_in_progress_and_past_due_is_overdue(client, token, leader, agreed):
    response = client.patch(f"/api/v1/actions/{agreed['ids']['yesterday']}",
                            json={"status": "in_progress"}, headers=token("emp1", "employee"))
    assert response.status_code == 200
    assert titles(client, leader, overdue="true") == ["yesterday"]
    assert titles(client, leader, status="in_progress") == ["yesterday"]


def test_paginated_like_the_dialogues(client, leader, agreed):
    first = client.get("/api/v1/actions?page_size=3", headers=leader)
    second = client.get("/api/v1/actions?page_size=3&page=2", headers=leader)
    beyond = client.get("/api/v1/actions?page_size=3&page=3", headers=leader)

    pagination = json.loads(first.headers["X-Pagination"])
    assert (pagination["total"], pagination["total_pages"]) == (4, 2)
    # Both due yesterday: "yesterday" was agreed first, so its id sorts first.
    assert [a["title"] for a in first.get_json()] == ["yesterday", "done", "today"]
    assert [a["title"] for a in second.get_json()] == ["week"]
    assert beyond.status_code == 200
    assert beyond.get_json() == []


def test_each_caller_sees_what_they_may_read_and_their_own(client, token, agreed):
    everything = {"done", "yesterday", "today", "week"}
    for reader in ("tr", "amr", "director", "emp1", "emp2"):
        assert set(titles(client, token(reader, "employee"))) == everything, reader
    assert set(titles(client, token("notify", "service"))) == everything
    for stranger in ("sfo-leader", "sfo-tr", "sfo-emp"):
        assert titles(client, token(stranger, "leader", "trio")) == [], stranger


def test_a_private_dialogues_action_is_its_leaders_and_its_owners_alone(client, org, token,
                                                                         leader):
    private = record(client, leader, individual_body(
        participants=[{"person_id": "emp1", "role": "employee"}],
        actions=[action(title="private", owner_id="emp1"),
                 action(title="the leader's own", owner_id="leader")],
    ))
    owner = token("emp1", "employee")

    [own] = listed(client, owner)
    assert own["title"] == "private"
    assert (own["unit_id"], own["setting"], own["held_on"]) == (None, None, None), \
        "the owner may not read the dialogue, so is not told of it"
    assert own["dialogue_id"] == private["id"]
    assert listed(client, owner, unit_id="skole") == []
    assert sorted(titles(client, leader, unit_id="skole")) == ["private", "the leader's own"]
    assert {a["setting"] for a in listed(client, leader)} == {"individual_leader"}
    for reader in ("tr", "director", "emp2"):
        assert titles(client, token(reader, "employee", "leader", "trio")) == [], reader
    assert len(listed(client, token("notify", "service"))) == 2


def test_hr_admins_see_no_actions_unless_they_hold_another_role(client, token, agreed):
    hr_alone = client.get("/api/v1/actions", headers=token("hr", "hr_admin"))
    assert hr_alone.status_code == 403
    assert "HR" in hr_alone.get_json()["message"]
    assert len(listed(client, token("leader", "leader", "hr_admin"))) == 4
    assert listed(client, token("hr", "hr_admin", "employee")) == []


def test_no_token_no_list(client, agreed):
    assert client.get("/api/v1/actions").status_code == 401
    assert client.get("/api/v1/actions?status=nonsense").status_code == 401


BAD_QUERIES = {
    "an owner id with a space": ("owner_id=emp%201", "owner_id"),
    "an owner id with NUL": ("owner_id=emp1%00", "owner_id"),
    "a unit id too long": ("unit_id=" + "u" * 65, "unit_id"),
    "an empty unit id": ("unit_id=", "unit_id"),
    "an unknown status": ("status=forgotten", "status"),
    "one good and one unknown status": ("status=open&status=later", "status"),
    "more statuses than there are": ("status=open" + "&status=done" * 4, "status"),
    "overdue neither true nor false": ("overdue=maybe", "overdue"),
    "page 0": ("page=0", "page"),
    "a page past 32 bits": ("page=2147483648", "page"),
    "a page of 101": ("page_size=101", "page_size"),
}


@pytest.mark.parametrize("query, field", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_a_query_out_of_bounds_is_refused_naming_the_field(client, leader, agreed, query,
                                                           field):
    response = client.get(f"/api/v1/actions?{query}", headers=leader)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["query"]


def test_an_unknown_owner_or_unit_is_no_error(client, leader, agreed):
    assert listed(client, leader, owner_id="nobody", unit_id="nowhere") == []
