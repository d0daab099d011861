"""GET /api/v1/overview: a person's own open actions and the year of each unit they lead.

The organisation is `Org` (tests/assessment/conftest.py): kommune (led by "director") >
skole (leader "leader", TR "tr", AMR "amr", employees "emp1", "emp2") > sfo.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from services.assessment import overview
from services.assessment.dialogue_rules import local_today
from services.assessment.models import SETTINGS, Dialogue
from tests.support.dialogues import (
    action,
    dialogue_body,
    individual_body,
    participants_with,
    record,
)
from tests.support.statements import counted_statements

TODAY = local_today()
NEW_YEAR = date(TODAY.year, 1, 1)


def day(offset: int) -> str:
    """A day relative to the service's today (Danish time)."""
    return (TODAY + timedelta(days=offset)).isoformat()


def this_year(**overrides) -> dict:
    """A skole dialogue held on New Year's Day (this year, and never in the future), followed
    up in 60 days, with the actions given (none by default)."""
    return dialogue_body(**{"held_on": NEW_YEAR.isoformat(), "follow_up_on": day(60),
                            "actions": [], **overrides})


def view(client, token, who: str, *roles: str) -> dict:
    response = client.get("/api/v1/overview", headers=token(who, *roles))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def titles(items: list[dict]) -> list[str]:
    return [item["title"] for item in items]


@pytest.fixture
def leader(token):
    return token("leader", "leader")


@pytest.fixture
def year(client, org, token, leader, assessment_sessions) -> dict:
    """A year of skole's:

    - shared work_community dialogues: "first" (actions: emp1 "week", emp2 "tomorrow",
      the leader's own "mine", and "done", which is done) and "second" (emp1 "today";
      followed up in 10 days);
    - the leader's private reflection (individual_leader, followed up today);
    - a private work_community dialogue with emp1 and tr, where emp1 owns "hidden";
    - a shared dialogue held last year, followed up in 30 days, with emp1's "old";
    - the director's (the leader's leader's) shared leader_group dialogue, owning "director's";
    - the director's private specific_task dialogue (not the leader's to read);
    - a shared dialogue whose follow-up has passed (moved back in the database).
    """
    first = record(client, leader, this_year(
        participants=participants_with("emp2"),
        actions=[action(title="week", due_on=day(7)),
                 action(title="tomorrow", owner_id="emp2", due_on=day(1)),
                 action(title="mine", owner_id="leader", due_on=day(3)),
                 action(title="done", owner_id="leader", due_on=day(2))],
    ))
    done = next(a["id"] for a in first["actions"] if a["title"] == "done")
    response = client.post(f"/api/v1/actions/{done}/complete", headers=leader,
                           json={"reflection": "Klaret."})
    assert response.status_code == 200
    second = record(client, leader, this_year(
        follow_up_on=day(10), actions=[action(title="today", due_on=day(0))]))
    reflection = record(client, leader, individual_body(
        held_on=NEW_YEAR.isoformat(), follow_up_on=day(0)))
    private = record(client, leader, this_year(
        visibility="private", follow_up_on=day(5),
        actions=[action(title="hidden", due_on=day(4))]))
    last_year = record(client, leader, dialogue_body(
        held_on=(NEW_YEAR - timedelta(days=1)).isoformat(), follow_up_on=day(30),
        actions=[action(title="old", due_on=day(9))]))
    director = token("director", "leader")
    directors = record(client, director, this_year(
        setting="leader_group", answers={},
        participants=[{"person_id": "leader", "role": "leader"}],
        follow_up_on=day(20),
        actions=[action(title="director's", owner_id="director", due_on=day(8))]))
    directors_private = record(client, director, this_year(
        setting="specific_task", task_description="Skemalægning", answers={},
        visibility="private", participants=[], follow_up_on=day(1),
        actions=[action(title="director's private", owner_id="director", due_on=day(6))]))
    passed = record(client, leader, this_year(follow_up_on=day(0)))
    with assessment_sessions() as session:
        session.execute(update(Dialogue).where(Dialogue.id == passed["id"])
                        .values(follow_up_on=TODAY - timedelta(days=1)))
        session.commit()
    return {"first": first, "second": second, "reflection": reflection, "private": private,
            "last_year": last_year, "directors": directors,
            "directors_private": directors_private, "passed": passed}


def test_the_leader_sees_the_unit_year_follow_ups_and_open_actions(client, token, year):
    seen = view(client, token, "leader", "leader")

    assert seen["year"] == TODAY.year
    assert seen["today"] == TODAY.isoformat()
    [skole] = seen["units"]
    assert skole["unit"] == client.get("/api/v1/units/skole", headers=token("leader", "leader")
                                       ).get_json()
    assert skole["held"] == {"individual_leader": 1, "work_community": 4,
                             "specific_task": 0, "leader_group": 1}
    assert [d["id"] for d in skole["follow_ups"]] == [
        year[name]["id"] for name in ("reflection", "private", "second", "directors",
                                      "last_year", "first")]
    assert titles(skole["open_actions"]) == [
        "today", "tomorrow", "mine", "hidden", "week", "director's", "old"]
    assert titles(seen["own_actions"]) == ["mine"]


def test_every_setting_is_counted_zeros_included(client, token, org):
    [kommune] = view(client, token, "director", "leader")["units"]
    assert kommune["held"] == dict.fromkeys(SETTINGS, 0)
    assert kommune["follow_ups"] == kommune["open_actions"] == []


def test_items_are_as_the_lists_of_actions_and_dialogues_show_them(client, token, leader, year):
    seen = view(client, token, "leader", "leader")
    [skole] = seen["units"]

    listed_actions = client.get("/api/v1/actions", headers=leader, query_string={
        "unit_id": "skole", "status": ["open", "in_progress"]}).get_json()
    assert skole["open_actions"] == listed_actions
    own = client.get("/api/v1/actions", headers=leader, query_string={
        "owner_id": "leader", "status": ["open", "in_progress"]}).get_json()
    assert seen["own_actions"] == own
    listed_dialogues = client.get("/api/v1/dialogues", headers=leader, query_string={
        "unit_id": "skole", "follow_up_from": TODAY.isoformat()}).get_json()
    assert skole["follow_ups"] == sorted(listed_dialogues, key=lambda d: d["follow_up_on"])


def test_names_are_those_of_the_listed_actions_owners(client, token, year):
    """The leader may not see the director by the people rule, but the director's dialogue,
    which the leader reads, names him as its action's owner."""
    seen = view(client, token, "leader", "leader")
    assert seen["names"] == {"leader": "Lars Leder", "emp1": "Eva Ansat",
                             "emp2": "Emil Ansat", "director": "Dorthe Direktør"}
    assert client.get("/api/v1/people/director",
                      headers=token("leader", "leader")).status_code == 404


def test_an_employee_sees_their_own_actions_and_leads_no_unit(client, token, year):
    seen = view(client, token, "emp1", "employee")

    assert seen["units"] == []
    assert titles(seen["own_actions"]) == ["today", "hidden", "week", "old"]
    assert seen["names"] == {"emp1": "Eva Ansat"}


def test_a_private_dialogues_action_shows_to_its_leader_and_owner_only(client, token, year):
    hidden = next(a["id"] for a in year["private"]["actions"])

    def shows(who, *roles):
        seen = view(client, token, who, *roles)
        return [item for items in [seen["own_actions"],
                                   *(unit["open_actions"] for unit in seen["units"])]
                for item in items if item["id"] == hidden]

    [as_leader] = shows("leader", "leader")
    assert as_leader["unit_id"] == "skole"
    [as_owner] = shows("emp1", "employee")  # owns it, may not read its dialogue
    assert (as_owner["unit_id"], as_owner["setting"], as_owner["held_on"]) == (None,) * 3
    for who, roles in (("tr", ("trio", "employee")), ("amr", ("trio", "employee")),
                       ("director", ("leader",)), ("emp2", ("employee",))):
        assert shows(who, *roles) == [], who


def test_a_tr_sees_only_their_own_actions(client, token, year):
    seen = view(client, token, "tr", "trio", "employee")
    assert seen == {"year": TODAY.year, "today": TODAY.isoformat(), "own_actions": [],
                    "units": [], "names": {}}


def test_the_leaders_leader_sees_their_own_unit_and_their_own_actions(client, token, year):
    seen = view(client, token, "director", "leader")

    [kommune] = seen["units"]
    assert kommune["unit"]["id"] == "kommune"
    assert kommune["held"] == dict.fromkeys(SETTINGS, 0)  # skole's dialogues are skole's
    assert titles(seen["own_actions"]) == ["director's private", "director's"]
    assert seen["names"] == {"director": "Dorthe Direktør"}


def test_the_private_dialogue_of_the_leaders_leader_is_not_counted_for_the_leader(
        client, token, year):
    [skole] = view(client, token, "leader", "leader")["units"]
    assert skole["held"]["specific_task"] == 0
    assert year["directors_private"]["id"] not in {d["id"] for d in skole["follow_ups"]}
    assert "director's private" not in titles(skole["open_actions"])


def test_units_are_sorted_by_name(client, token, org, hr):
    response = client.patch("/api/v1/units/sfo", headers=hr, json={"leader_id": "leader"})
    assert response.status_code == 200
    units = view(client, token, "leader", "leader")["units"]
    assert [unit["unit"]["name"] for unit in units] == ["SFO Skovgården", "Skovgårdsskolen"]


def test_lists_are_bounded(client, token, year, monkeypatch):
    monkeypatch.setattr(overview, "MAX_ACTIONS", 2)
    monkeypatch.setattr(overview, "MAX_FOLLOW_UPS", 3)

    seen = view(client, token, "leader", "leader")

    [skole] = seen["units"]
    assert titles(skole["open_actions"]) == ["today", "tomorrow"]
    assert len(skole["follow_ups"]) == 3
    assert titles(view(client, token, "emp1", "employee")["own_actions"]) == ["today", "hidden"]


def test_a_handful_of_statements_however_much_is_shown(client, token, year, assessment_app,
                                                       hr):
    client.patch("/api/v1/units/sfo", headers=hr, json={"leader_id": "leader"})
    engine = assessment_app.extensions["lederdialog.deps"].engine
    with counted_statements(engine) as statements:
        view(client, token, "leader", "leader")
    assert len(statements) <= 6


def test_an_hr_admin_alone_is_refused_as_the_lists_refuse_them(client, org, hr, token):
    assert client.get("/api/v1/overview", headers=hr).status_code == 403
    seen = view(client, token, "hr", "hr_admin", "employee")
    assert seen["units"] == seen["own_actions"] == []


def test_a_token_is_needed(client, org):
    assert client.get("/api/v1/overview").status_code == 401
