"""The balance insight: figures per unit, subtree and fixed period; only whole blocks shown."""

import uuid
from datetime import date, timedelta

import pytest

from services.assessment import insight_store
from services.assessment.models import (
    SETTINGS,
    Action,
    Dialogue,
    DialogueRevision,
    FocusRating,
    Participant,
    Person,
    Unit,
)

URL = "/api/v1/insights/balance"
TODAY = date.today()
YEAR = TODAY.year - 1  # a whole year in the past: every quarter of it can hold dialogues
AREAS = ("competent_communities", "innovative_communities", "meaningful_communities",
         "reliable_communities")
SECRET = "Fortroligt: jeg overvejer at sige op"
SKOLE_PEOPLE = ("tr", "amr", "emp1", "emp2")


def day_in(quarter: int, year: int = YEAR) -> date:
    return date(year, 3 * quarter - 1, 15)


def add_dialogue(sessions, *, unit="skole", leader="leader", held_on=None,
                 setting="work_community", visibility="shared", participants=SKOLE_PEOPLE,
                 ratings=(3, 3, 3, 3), weights=(25, 25, 25, 25), actions=()) -> str:
    """Store a dialogue's rows and its insight mark, as recording it does; actions are
    (status, due_on) pairs."""
    held_on = held_on or day_in(1)
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
        insight_store.mark(session, unit, held_on)
        session.commit()
    return dialogue_id


def balance(client, headers, **query) -> dict:
    response = client.get(URL, query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def count(client, headers, **query) -> int | None:
    return balance(client, headers, **query)["dialogues"]["count"]


def focus_area(answer: dict, key: str) -> dict:
    [cell] = [cell for cell in answer["focus_areas"] if cell["focus_area"] == key]
    return cell


def settings(answer: dict) -> dict[str, int | None]:
    return {cell["setting"]: cell["dialogues"] for cell in answer["settings"]}


@pytest.fixture
def library(org, assessment_sessions):
    """A second unit below kommune, with a leader of its own: bibliotek."""
    with assessment_sessions() as session:
        session.add_all([Person(id=f"bib-{n}", name=f"Bib {n}", email=f"bib-{n}@gentofte.test",
                                unit_id="bibliotek") for n in ("leader", "tr", "emp")])
        session.flush()
        session.add(Unit(id="bibliotek", name="Hovedbiblioteket", parent_id="kommune",
                         leader_id="bib-leader", tr_id="bib-tr"))
        session.commit()
    return org


@pytest.fixture
def school_year(org, assessment_sessions):
    """Six dialogues in Q1 by three leaders in skole and sfo below it, with actions."""
    past, future = TODAY - timedelta(days=1), TODAY + timedelta(days=30)
    skole_actions = [[("done", past), ("done", future)], [("open", past)],
                     [("in_progress", past)], [("dropped", past)]]
    for number, actions in enumerate(skole_actions):
        add_dialogue(assessment_sessions, leader="leader" if number < 2 else "director",
                     actions=actions, ratings=(number + 1, 3, 4, 2), weights=(40, 30, 20, 10))
    for setting in ("work_community", "leader_group"):
        add_dialogue(assessment_sessions, unit="sfo", leader="sfo-leader", setting=setting,
                     participants=("sfo-tr", "sfo-amr", "sfo-emp"), ratings=(5, 5, 5, 5),
                     weights=(10, 20, 30, 40), actions=[("open", future)])
    return org


def test_figures_of_a_unit_with_the_units_below(client, school_year, hr):
    answer = balance(client, hr, unit_id="skole", period=f"{YEAR}-Q1")

    assert answer["unit_id"] == "skole" and answer["subtree"] is True
    assert answer["period"] == f"{YEAR}-Q1"
    assert (answer["from"], answer["to"]) == (f"{YEAR}-01-01", f"{YEAR}-03-31")
    assert (answer["min_group_size"], answer["min_people"], answer["min_leaders"]) == (5, 5, 3)
    assert answer["suppressed"] is False
    assert answer["dialogues"] == {"count": 6, "suppressed": False}
    assert focus_area(answer, "competent_communities") == {
        "focus_area": "competent_communities", "average_rating": 3.33, "average_weight": 30.0,
        "dialogues": 6, "suppressed": False,
    }
    assert [cell["focus_area"] for cell in answer["focus_areas"]] == list(AREAS)
    assert settings(answer) == {"individual_leader": 0, "work_community": 5,
                                "specific_task": 0, "leader_group": 1}
    assert answer["actions"] == {"agreed": 7, "done": 2, "overdue": 2, "suppressed": False}


def test_the_year_and_the_whole_organisation_hold_the_same_blocks(client, school_year, hr):
    assert count(client, hr, unit_id="skole", period=str(YEAR)) == 6
    assert count(client, hr, unit_id="kommune", period=f"{YEAR}-H1") == 6
    assert count(client, hr, period=str(YEAR)) == 6, "no unit: the whole organisation"
    assert balance(client, hr, period=str(YEAR))["unit_id"] is None
    assert count(client, hr, period=f"{YEAR}-Q2") == 0, "no dialogues: nothing to hide"


def test_a_unit_alone_is_not_a_block_of_its_own(client, school_year, hr):
    """skole alone has two leaders' dialogues: with its subtree it would give sfo's."""
    for unit in ("skole", "sfo"):
        answer = balance(client, hr, unit_id=unit, subtree="false", period=f"{YEAR}-Q1")
        assert answer["suppressed"] is True
        assert answer["dialogues"] == {"count": None, "suppressed": True}
        assert all(cell["average_rating"] is None and cell["suppressed"]
                   for cell in answer["focus_areas"])
        assert all(cell["dialogues"] is None for cell in answer["settings"])
        assert answer["actions"] == {"agreed": None, "done": None, "overdue": None,
                                     "suppressed": True}


def test_fewer_than_three_leaders_are_suppressed(client, org, assessment_sessions, hr):
    for _ in range(8):
        add_dialogue(assessment_sessions)
        add_dialogue(assessment_sessions, unit="sfo", leader="sfo-leader")

    answer = balance(client, hr, unit_id="skole", period=str(YEAR))
    assert answer["suppressed"] is True, "16 dialogues, 6 people, but two leaders"
    assert balance(client, hr, period=str(YEAR))["suppressed"] is True

    add_dialogue(assessment_sessions, leader="director")
    assert count(client, hr, unit_id="skole", period=str(YEAR)) == 17


def test_fewer_than_five_dialogues_or_people_are_suppressed(client, org, assessment_sessions,
                                                            hr):
    for leader in ("leader", "director", "sfo-leader"):
        add_dialogue(assessment_sessions, leader=leader, unit="skole", participants=())
    assert balance(client, hr, period=str(YEAR))["suppressed"] is True, "three dialogues"

    add_dialogue(assessment_sessions, participants=())
    add_dialogue(assessment_sessions, participants=())
    assert balance(client, hr, period=str(YEAR))["suppressed"] is True, "three people"

    add_dialogue(assessment_sessions, participants=("tr", "amr"))
    assert count(client, hr, period=str(YEAR)) == 6


def test_a_quarter_too_thin_leaves_only_the_half_and_the_year(client, school_year,
                                                              assessment_sessions, hr):
    add_dialogue(assessment_sessions, held_on=day_in(2))

    assert count(client, hr, period=str(YEAR)) == 7
    assert count(client, hr, period=f"{YEAR}-H1") == 7
    for quarter in (1, 2):
        assert balance(client, hr, period=f"{YEAR}-Q{quarter}")["suppressed"] is True
    assert count(client, hr, period=f"{YEAR}-Q3") == 0


def test_a_parent_takes_a_childs_block_so_its_own_figures_can_be_shown(
    client, library, assessment_sessions, hr
):
    """kommune's own dialogues (one leader) join the block of one of its children."""
    for leader in ("leader", "director", "sfo-leader"):
        for _ in range(2):
            add_dialogue(assessment_sessions, leader=leader,
                         unit="sfo" if leader == "sfo-leader" else "skole")
    add_dialogue(assessment_sessions, unit="kommune", leader="director")

    assert count(client, hr, unit_id="kommune", period=str(YEAR)) == 7
    assert balance(client, hr, unit_id="skole", period=str(YEAR))["suppressed"] is True


def test_private_dialogues_never_count(client, school_year, assessment_sessions, hr):
    for leader in ("leader", "director", "sfo-leader", "leader", "director"):
        add_dialogue(assessment_sessions, leader=leader, setting="individual_leader",
                     visibility="private", participants=(), ratings=(1, 1, 1, 1),
                     actions=[("open", TODAY - timedelta(days=3))])

    answer = balance(client, hr, unit_id="skole", period=f"{YEAR}-Q1")
    assert answer["dialogues"]["count"] == 6
    assert settings(answer)["individual_leader"] == 0
    assert focus_area(answer, "competent_communities")["average_rating"] == 3.33
    assert answer["actions"]["overdue"] == 2


def test_a_changed_dialogue_changes_the_figures(client, school_year, assessment_sessions, hr):
    add_dialogue(assessment_sessions, held_on=day_in(1), ratings=(4, 4, 4, 4))
    answer = balance(client, hr, unit_id="skole", period=f"{YEAR}-Q1")
    assert focus_area(answer, "competent_communities")["average_rating"] == 3.43

    with assessment_sessions() as session:
        session.query(FocusRating).filter_by(focus_area="competent_communities").update(
            {"rating": 1})
        for unit in ("skole", "sfo"):
            insight_store.mark(session, unit, day_in(1))
        session.commit()
    answer = balance(client, hr, unit_id="skole", period=f"{YEAR}-Q1")
    assert focus_area(answer, "competent_communities")["average_rating"] == 1.0


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


def test_this_year_by_default(client, org, hr):
    answer = balance(client, hr, unit_id="skole")
    assert answer["period"] == str(TODAY.year)
    assert (answer["from"], answer["to"]) == (f"{TODAY.year}-01-01", f"{TODAY.year}-12-31")


def test_no_text_and_no_person_in_the_answer(client, school_year, hr):
    answer = balance(client, hr, unit_id="skole", period=str(YEAR))

    def strings(node):
        if isinstance(node, dict):
            return [s for key, value in node.items() for s in [key, *strings(value)]]
        if isinstance(node, list):
            return [s for item in node for s in strings(item)]
        return [node] if isinstance(node, str) else []

    allowed = {*AREAS, *SETTINGS, "skole", str(YEAR), answer["from"], answer["to"]}
    keys = {"unit_id", "subtree", "period", "from", "to", "min_group_size", "min_people",
            "min_leaders", "suppressed", "dialogues", "count", "focus_areas", "focus_area",
            "average_rating", "average_weight", "settings", "setting", "actions", "agreed",
            "done", "overdue"}
    assert set(strings(answer)) <= allowed | keys
    assert SECRET not in str(answer)


@pytest.mark.parametrize(("query", "field"), [
    ({"period": "2025-06"}, "period"),
    ({"period": "2025-H3"}, "period"),
    ({"period": "2025-Q0"}, "period"),
    ({"period": "2025-01-01"}, "period"),
    ({"period": f"{TODAY.year + 2}"}, "period"),
    ({"period": f"{TODAY.year - 21}-Q1"}, "period"),
    ({"period": "９９９９"}, "period"),
    ({"subtree": "perhaps"}, "subtree"),
])
def test_invalid_query_names_the_field(client, org, hr, query, field):
    response = client.get(URL, query_string={"unit_id": "skole", **query}, headers=hr)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]




def test_the_blocks_are_built_again_when_figures_or_units_change(client, school_year,
                                                                 assessment_sessions, hr):
    def built():
        with assessment_sessions() as session:
            insight_store.refresh(session)
            return insight_store.blocks(session, YEAR)

    first = built()
    assert built() is first, "kept while nothing changes"

    add_dialogue(assessment_sessions)
    after_a_dialogue = built()
    assert after_a_dialogue is not first

    response = client.patch("/api/v1/units/sfo", json={"parent_id": "kommune"}, headers=hr)
    assert response.status_code == 200, response.get_json()
    assert built() is not after_a_dialogue
