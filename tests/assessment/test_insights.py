"""The balance insight: its figures per unit, subtree and period, suppression below 5, access."""

import uuid
from datetime import date, timedelta

import pytest

from services.assessment.models import (
    SETTINGS,
    Action,
    Dialogue,
    DialogueRevision,
    FocusRating,
    Participant,
)

URL = "/api/v1/insights/balance"
TODAY = date.today()
RECENTLY = TODAY - timedelta(days=10)
AREAS = ("competent_communities", "innovative_communities", "meaningful_communities",
         "reliable_communities")
SECRET = "Fortroligt: jeg overvejer at sige op"
SKOLE_PEOPLE = ("tr", "amr", "emp1", "emp2")  # with the leader: five people


def add_dialogue(sessions, *, unit="skole", leader="leader", held_on=RECENTLY,
                 setting="work_community", visibility="shared", participants=(),
                 ratings=(3, 3, 3, 3), weights=(25, 25, 25, 25), actions=()) -> str:
    """Store a dialogue as the dialogues API does; actions are (status, due_on) pairs."""
    dialogue_id = str(uuid.uuid4())
    with sessions() as session:
        session.add(Dialogue(
            id=dialogue_id, unit_id=unit, leader_id=leader, setting=setting, held_on=held_on,
            framework_version=1, visibility=visibility, follow_up_on=held_on + timedelta(90),
        ))
        session.flush()
        session.add(DialogueRevision(dialogue_id=dialogue_id, revision=1, recorded_by=leader,
                                     content={"answers": {"wc_expectations": SECRET}}))
        session.add_all(
            FocusRating(dialogue_id=dialogue_id, focus_area=area, rating=rating, weight=weight)
            for area, rating, weight in zip(AREAS, ratings, weights, strict=True)
        )
        session.add_all(Participant(dialogue_id=dialogue_id, person_id=person, role="employee")
                        for person in participants)
        session.add_all(
            Action(id=str(uuid.uuid4()), dialogue_id=dialogue_id, title=SECRET, owner_id=leader,
                   due_on=due_on, focus_area=AREAS[0], commitment="proactive_management",
                   status=status, completion_reflection=SECRET if status == "done" else None)
            for status, due_on in actions
        )
        session.commit()
    return dialogue_id


def balance(client, headers, **query) -> dict:
    response = client.get(URL, query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def focus_area(answer: dict, key: str) -> dict:
    [cell] = [cell for cell in answer["focus_areas"] if cell["focus_area"] == key]
    return cell


def settings(answer: dict) -> dict[str, int | None]:
    return {cell["setting"]: cell["dialogues"] for cell in answer["settings"]}


@pytest.fixture
def hr(token):
    """An HR admin's bearer header."""
    return token("hr", "hr_admin")


@pytest.fixture
def school_year(org, assessment_sessions):
    """Five dialogues in skole (leader and four participants) and five in sfo below it."""
    past, future = TODAY - timedelta(days=1), TODAY + timedelta(days=30)
    skole_actions = [
        [("done", past), ("done", future)], [("open", past)], [("in_progress", past)],
        [("dropped", past)], [("open", future)],
    ]
    for number, actions in enumerate(skole_actions):
        add_dialogue(assessment_sessions, participants=SKOLE_PEOPLE, actions=actions,
                     ratings=(number + 1, 3, 4, 2),
                     weights=(10, 20, 30, 40) if number == 4 else (40, 30, 20, 10))
    for setting in ("work_community",) * 3 + ("leader_group",) * 2:
        add_dialogue(assessment_sessions, unit="sfo", leader="sfo-leader", setting=setting,
                     participants=("sfo-tr", "sfo-amr", "sfo-emp", "emp1"),
                     ratings=(5, 5, 5, 5))
    return org


def test_figures_of_a_unit_alone(client, school_year, hr):
    answer = balance(client, hr, unit_id="skole", subtree="false")

    assert answer["unit_id"] == "skole" and answer["subtree"] is False
    assert answer["min_group_size"] == 5
    assert answer["dialogues"] == {"count": 5, "suppressed": False}
    assert focus_area(answer, "competent_communities") == {
        "focus_area": "competent_communities", "average_rating": 3.0, "average_weight": 34.0,
        "dialogues": 5, "suppressed": False,
    }
    assert focus_area(answer, "meaningful_communities")["average_rating"] == 4.0
    assert [cell["focus_area"] for cell in answer["focus_areas"]] == list(AREAS)
    assert settings(answer) == {"individual_leader": None, "work_community": 5,
                                "specific_task": None, "leader_group": None}
    assert all(cell["suppressed"] for cell in answer["settings"]
               if cell["setting"] != "work_community")
    assert answer["actions"] == {"agreed": 6, "done": 2, "overdue": 2, "suppressed": False}


def test_figures_of_a_unit_with_the_units_below(client, school_year, hr):
    answer = balance(client, hr, unit_id="skole")

    assert answer["subtree"] is True
    assert answer["dialogues"]["count"] == 10
    competent = focus_area(answer, "competent_communities")
    assert (competent["average_rating"], competent["average_weight"]) == (4.0, 29.5)
    assert competent["dialogues"] == 10
    assert settings(answer)["work_community"] == 8
    assert settings(answer)["leader_group"] is None, "two dialogues only"
    assert answer["actions"]["agreed"] == 6, "sfo agreed none"
    assert balance(client, hr, unit_id="kommune")["dialogues"]["count"] == 10
    assert balance(client, hr)["dialogues"]["count"] == 10, "no unit: the whole organisation"
    assert balance(client, hr)["unit_id"] is None


def test_fewer_than_five_dialogues_are_suppressed(client, org, assessment_sessions, hr):
    for _ in range(4):
        add_dialogue(assessment_sessions, participants=SKOLE_PEOPLE,
                     actions=[("open", RECENTLY)])

    answer = balance(client, hr, unit_id="skole")

    assert answer["dialogues"] == {"count": None, "suppressed": True}
    assert [cell["focus_area"] for cell in answer["focus_areas"]] == list(AREAS)
    assert all(cell == {"focus_area": cell["focus_area"], "average_rating": None,
                        "average_weight": None, "dialogues": None, "suppressed": True}
               for cell in answer["focus_areas"])
    assert all(cell["dialogues"] is None and cell["suppressed"] for cell in answer["settings"])
    assert answer["actions"] == {"agreed": None, "done": None, "overdue": None,
                                 "suppressed": True}


def test_dialogues_of_fewer_than_five_people_are_suppressed(client, org, assessment_sessions,
                                                            hr):
    for _ in range(6):
        add_dialogue(assessment_sessions, actions=[("open", RECENTLY)])

    answer = balance(client, hr, unit_id="skole")
    assert answer["dialogues"] == {"count": None, "suppressed": True}, "one leader, no one else"
    assert all(cell["suppressed"] for cell in answer["focus_areas"] + answer["settings"])
    assert answer["actions"]["suppressed"] is True

    add_dialogue(assessment_sessions, participants=SKOLE_PEOPLE)
    answer = balance(client, hr, unit_id="skole")
    assert answer["dialogues"] == {"count": 7, "suppressed": False}
    assert settings(answer)["work_community"] == 7
    assert focus_area(answer, "reliable_communities")["suppressed"] is False
    assert answer["actions"]["suppressed"] is True, "the dialogues with actions had one person"


def test_five_leaders_make_five_people_private_dialogues_included(client, org,
                                                                  assessment_sessions, hr):
    for leader in ("director", "leader", "sfo-leader", "tr", "amr"):
        add_dialogue(assessment_sessions, leader=leader, setting="individual_leader",
                     visibility="private", actions=[("done", RECENTLY)])
    add_dialogue(assessment_sessions, setting="leader_group")

    answer = balance(client, hr, unit_id="skole", subtree="false")

    assert answer["dialogues"] == {"count": 6, "suppressed": False}
    assert settings(answer)["individual_leader"] == 5, "private dialogues count too"
    assert settings(answer)["leader_group"] is None
    assert answer["actions"] == {"agreed": 5, "done": 5, "overdue": 0, "suppressed": False}


def test_the_period_filters_on_the_day_held(client, org, assessment_sessions, hr):
    long_ago = TODAY - timedelta(days=400)
    for held_on in (RECENTLY, long_ago):
        for person in (*SKOLE_PEOPLE, "emp1"):  # five dialogues, five people
            add_dialogue(assessment_sessions, held_on=held_on, participants=[person])

    def count(**period) -> int | None:
        return balance(client, hr, unit_id="skole", **period)["dialogues"]["count"]

    default = balance(client, hr, unit_id="skole")
    assert default["to"] == TODAY.isoformat()
    assert (TODAY - date.fromisoformat(default["from"])).days in (364, 365), "twelve months"
    assert count() == 5, "the last twelve months by default"
    assert count(**{"from": (long_ago - timedelta(1)).isoformat()}) == 10
    assert count(**{"from": long_ago.isoformat(), "to": long_ago.isoformat()}) == 5
    assert count(**{"from": (long_ago + timedelta(1)).isoformat(),
                    "to": (RECENTLY - timedelta(1)).isoformat()}) is None


@pytest.mark.parametrize(("sub", "roles", "unit_id", "status"), [
    ("hr", ("hr_admin",), "sfo", 200),
    ("leader", ("leader",), "skole", 200),
    ("leader", ("leader",), "sfo", 200),
    ("director", ("leader",), "skole", 200),
    ("sfo-leader", ("leader",), "sfo", 200),
    ("sfo-leader", ("leader",), "skole", 403),
    ("tr", ("leader",), "skole", 403),
    ("tr", ("trio",), "skole", 403),
    ("emp1", ("employee",), "skole", 403),
    ("hr", ("hr_admin",), "no-such-unit", 404),
    ("leader", ("leader",), "no-such-unit", 404),
])
def test_who_may_see_which_unit(client, org, token, sub, roles, unit_id, status):
    response = client.get(URL, query_string={"unit_id": unit_id}, headers=token(sub, *roles))
    assert response.status_code == status, response.get_json()
    if status == 403:
        assert response.get_json()["message"]


def test_leaders_name_a_unit_and_everyone_needs_a_token(client, org, token):
    response = client.get(URL, headers=token("leader", "leader"))
    assert response.status_code == 422
    assert "unit_id" in response.get_json()["errors"]["query"]
    response = client.get(URL, query_string={"unit_id": "skole"})
    assert response.status_code == 401


def test_no_text_and_no_person_in_the_answer(client, school_year, hr):
    answer = balance(client, hr, unit_id="skole")

    def strings(node):
        if isinstance(node, dict):
            return [s for key, value in node.items() for s in [key, *strings(value)]]
        if isinstance(node, list):
            return [s for item in node for s in strings(item)]
        return [node] if isinstance(node, str) else []

    allowed = {*AREAS, *SETTINGS, "skole", answer["from"], answer["to"]}
    keys = {"unit_id", "subtree", "from", "to", "min_group_size", "dialogues", "count",
            "suppressed", "focus_areas", "focus_area", "average_rating", "average_weight",
            "settings", "setting", "actions", "agreed", "done", "overdue"}
    assert set(strings(answer)) <= allowed | keys
    assert SECRET not in str(answer)


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2025-06-01", "to": "2025-05-31"}, "to"),
    ({"from": (TODAY + timedelta(1)).isoformat()}, "to"),
    ({"from": "1 June"}, "from"),
    ({"to": "2025-02-30"}, "to"),
    ({"subtree": "perhaps"}, "subtree"),
])
def test_invalid_query_names_the_field(client, org, hr, query, field):
    response = client.get(URL, query_string={"unit_id": "skole", **query}, headers=hr)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]
