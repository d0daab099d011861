"""Bad dialogues are refused with 422 naming each field, and nothing of them is stored."""

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from services.assessment.app import create_app
from services.assessment.dialogue_rules import local_today
from services.assessment.models import Action, Dialogue, DialogueRevision, Outbox, Participant
from tests.support.dialogues import (
    HELD_ON,
    action,
    as_recorded,
    dialogue_body,
    individual_body,
    ratings,
    record,
)

TOMORROW = (date.today() + timedelta(days=2)).isoformat()
BEFORE_HELD = (HELD_ON - timedelta(days=1)).isoformat()
# The service's "today" is the Danish calendar day, which may be a day ahead of the tests'.
TODAY = local_today()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()


def error_at(errors: dict, path: str) -> list[str]:
    """The messages at a dotted path; a list's own errors sit under "_schema"."""
    node = errors
    for part in path.split("."):
        assert isinstance(node, dict) and part in node, f"no error at {path}: {errors}"
        node = node[part]
    return node["_schema"] if isinstance(node, dict) else node


def stored(sessions) -> dict[str, int]:
    with sessions() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Dialogue, DialogueRevision, Participant, Action, Outbox)}


NOTHING = {"Dialogue": 0, "DialogueRevision": 0, "Participant": 0, "Action": 0, "Outbox": 0}


def participants(*people: str) -> list[dict]:
    return [{"person_id": person, "role": "employee"} for person in people]


def leader_group(**overrides) -> dict:
    """A leader_group dialogue of unit skole, without answers."""
    return dialogue_body(**{"setting": "leader_group", "answers": {}, **overrides})


# Who takes part, who owns an action and when the follow-up is: recordings and amendments
# are held to these alike.
BAD_PEOPLE_AND_DATES = {
    "an owner who took no part": (dialogue_body(actions=[action(), action(owner_id="emp2")]),
                                  "actions.1.owner_id"),
    "an owner of another unit beside its leader": (
        leader_group(participants=participants("sfo-leader"),
                     actions=[action(owner_id="sfo-emp")]), "actions.0.owner_id"),
    "an employee as tr": (dialogue_body(participants=[{"person_id": "emp1", "role": "tr"}]),
                          "participants.0.role"),
    "the TR as amr": (dialogue_body(participants=[{"person_id": "emp1", "role": "employee"},
                                                  {"person_id": "tr", "role": "amr"}]),
                      "participants.1.role"),
    "another unit's TR as tr": (leader_group(participants=[
        {"person_id": "sfo-tr", "role": "tr"}], actions=[]), "participants.0.role"),
    "another unit's employee in a work-community dialogue": (
        dialogue_body(participants=participants("emp1", "sfo-emp")), "participants.1.person_id"),
    "another unit's leader in a shared individual dialogue": (
        individual_body(visibility="shared", participants=participants("sfo-leader")),
        "participants.0.person_id"),
    "a private dialogue beyond the unit": (
        leader_group(visibility="private", participants=participants("emp1", "sfo-leader")),
        "participants.1.person_id"),
    "a follow-up that has passed": (dialogue_body(follow_up_on=YESTERDAY), "follow_up_on"),
    "follow-up before the dialogue": (dialogue_body(follow_up_on=BEFORE_HELD), "follow_up_on"),
}
BAD_BODIES = {
    **BAD_PEOPLE_AND_DATES,
    "weights not summing to 100": (dialogue_body(focus_areas=ratings(40, 30, 20, 5)),
                                   "focus_areas"),
    "rating above 5": (dialogue_body(focus_areas=[{**ratings()[0], "rating": 6}, *ratings()[1:]]),
                       "focus_areas.0.rating"),
    "rating below 1": (dialogue_body(focus_areas=[*ratings()[:2], {**ratings()[2], "rating": 0},
                                                  ratings()[3]]), "focus_areas.2.rating"),
    "a focus area missing": (dialogue_body(focus_areas=ratings(50, 30, 20, 0)[:3]),
                             "focus_areas"),
    "a focus area twice": (dialogue_body(focus_areas=[*ratings(40, 30, 20, 10)[:3],
                                                      ratings(40, 30, 20, 10)[0]]),
                           "focus_areas.3.focus_area"),
    "an unknown focus area": (dialogue_body(focus_areas=[
        *ratings()[:3], {"focus_area": "happy_communities", "rating": 3, "weight": 10}]),
        "focus_areas.3.focus_area"),
    "due before the dialogue": (dialogue_body(actions=[action(), action(due_on=BEFORE_HELD)]),
                                "actions.1.due_on"),
    "an unknown question": (dialogue_body(answers={"what_else": "..."}), "answers.what_else"),
    "another setting's question": (dialogue_body(answers={"individual_strengths": "..."}),
                                   "answers.individual_strengths"),
    "a strength of no focus area": (dialogue_body(strengths=[{"focus_area": "x", "text": "t"}]),
                                    "strengths.0.focus_area"),
    "a development area of no focus area": (
        dialogue_body(development_areas=[{"focus_area": "x", "text": "t"}]),
        "development_areas.0.focus_area"),
    "a commitment of another focus area": (
        dialogue_body(actions=[action(focus_area="reliable_communities",
                                      commitment="shared_purpose")]),
        "actions.0.commitment"),
    "an action of no focus area": (dialogue_body(actions=[action(focus_area="x")]),
                                   "actions.0.focus_area"),
    "an owner outside the organisation": (dialogue_body(actions=[action(owner_id="ghost")]),
                                          "actions.0.owner_id"),
    "a participant outside the organisation": (
        dialogue_body(participants=participants("emp1", "ghost")), "participants.1.person_id"),
    "a participant twice": (dialogue_body(participants=participants("emp1", "emp1")),
                            "participants.1.person_id"),
    "an unknown participant role": (
        dialogue_body(participants=[{"person_id": "emp1", "role": "boss"}]),
        "participants.0.role"),
    "held in the future": (dialogue_body(held_on=TOMORROW, actions=[]), "held_on"),
    "a specific task without its description": (
        dialogue_body(setting="specific_task", answers={}), "task_description"),
    "a task description elsewhere": (dialogue_body(task_description="Skema"), "task_description"),
    "an unknown setting": (dialogue_body(setting="coffee_break"), "setting"),
    "an unknown visibility": (dialogue_body(visibility="public"), "visibility"),
    "no ratings": ({k: v for k, v in dialogue_body().items() if k != "focus_areas"},
                   "focus_areas"),
    "no date": ({k: v for k, v in dialogue_body().items() if k != "held_on"}, "held_on"),
    "a field nobody knows": (dialogue_body(mood="great"), "mood"),
    "an unpublished framework version": (dialogue_body(framework_version=99),
                                         "framework_version"),
    "an unknown unit": (dialogue_body(unit_id="nowhere"), "unit_id"),
    "held in year 9999": (dialogue_body(held_on="9999-12-31", actions=[]), "held_on"),
    "held decades ago": (dialogue_body(held_on="1990-01-01", actions=[]), "held_on"),
    "a follow-up in year 9999": (dialogue_body(follow_up_on="9999-12-31"), "follow_up_on"),
    "an action due in year 9999": (dialogue_body(actions=[action(due_on="9999-12-31")]),
                                   "actions.0.due_on"),
    "a version past 64 bits": (dialogue_body(framework_version=99999999999999999999),
                               "framework_version"),
    "a version past a database integer": (dialogue_body(framework_version=2**31),
                                          "framework_version"),
    "a rating as a float": (dialogue_body(focus_areas=[{**ratings()[0], "rating": 3.5},
                                                       *ratings()[1:]]), "focus_areas.0.rating"),
    "an action title with a line break": (
        dialogue_body(actions=[action(title="Møde\r\nBcc: alle@gentofte.dk")]), "actions.0.title"),
    "an action title with NUL": (dialogue_body(actions=[action(title="Møde\x00")]),
                                 "actions.0.title"),
    "an action title of spaces": (dialogue_body(actions=[action(title="   ")]),
                                  "actions.0.title"),
    "an answer with a lone surrogate": (dialogue_body(answers={"wc_collaboration": "\ud800"}),
                                        "answers.wc_collaboration.value"),
    "an answer with a control character": (
        dialogue_body(answers={"wc_collaboration": "bell\x07"}), "answers.wc_collaboration.value"),
    "a question key with a line break": (dialogue_body(answers={"wc_\ncollaboration": "x"}),
                                         "answers.wc_\ncollaboration.key"),
    "a unit id with NUL": (dialogue_body(unit_id="skole\x00"), "unit_id"),
    "a strength with a lone surrogate": (
        dialogue_body(strengths=[{"focus_area": "meaningful_communities", "text": "\udfff"}]),
        "strengths.0.text"),
}


@pytest.mark.parametrize("body, field", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_dialogue_is_refused_naming_the_field(client, org, token, assessment_sessions,
                                                  body, field):
    response = client.post("/api/v1/dialogues", json=body, headers=token("leader", "leader"))

    assert response.status_code == 422, response.get_json()
    assert error_at(response.get_json()["errors"]["json"], field)
    assert stored(assessment_sessions) == NOTHING


def test_every_violation_is_named_at_once(client, org, token):
    body = dialogue_body(
        focus_areas=ratings(10, 10, 10, 10), answers={"nonsense": "x"},
        follow_up_on=BEFORE_HELD,
        actions=[action(), action(owner_id="ghost", due_on=BEFORE_HELD)],
    )

    response = client.post("/api/v1/dialogues", json=body, headers=token("leader", "leader"))

    errors = response.get_json()["errors"]["json"]
    assert "sum to 40" in error_at(errors, "focus_areas")[0]
    for field in ("answers.nonsense", "follow_up_on", "actions.1.owner_id", "actions.1.due_on"):
        assert error_at(errors, field), field
    assert "0" not in errors["actions"], "the good action is not blamed"


@pytest.mark.parametrize("body, field", BAD_PEOPLE_AND_DATES.values(),
                         ids=BAD_PEOPLE_AND_DATES.keys())
def test_bad_amendment_is_refused_naming_the_field(client, org, token, assessment_sessions,
                                                   body, field):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body(setting=body["setting"], answers={},
                                                    participants=[], actions=[]))
    before = stored(assessment_sessions)

    response = client.put(f"/api/v1/dialogues/{dialogue['id']}", json=body, headers=leader)

    assert response.status_code == 422, response.get_json()
    assert error_at(response.get_json()["errors"]["json"], field)
    assert stored(assessment_sessions) == before
    assert as_recorded(
        client.get(f"/api/v1/dialogues/{dialogue['id']}", headers=leader).get_json()
    ) == dialogue


GOOD_PEOPLE_AND_DATES = {
    "an action owned by a participant": dialogue_body(),
    "an action owned by the leader, who is no participant": dialogue_body(
        participants=participants("emp1"), actions=[action(owner_id="leader")]),
    "the TR as tr and the AMR as amr": dialogue_body(participants=[
        {"person_id": "tr", "role": "tr"}, {"person_id": "amr", "role": "amr"}],
        actions=[action(owner_id="amr")]),
    "the unit below with its own TR, and its leader's leader": dialogue_body(
        unit_id="sfo", participants=[{"person_id": "sfo-tr", "role": "tr"},
                                     {"person_id": "leader", "role": "leader_of_leader"}],
        actions=[action(owner_id="sfo-tr")]),
    "another unit's leader in a leader_group dialogue, owning an action": leader_group(
        participants=[{"person_id": "emp1", "role": "employee"},
                      {"person_id": "sfo-leader", "role": "colleague"}],
        actions=[action(owner_id="sfo-leader")]),
    "the leader's leader in an individual dialogue": individual_body(
        participants=[{"person_id": "director", "role": "leader_of_leader"}]),
    "a private dialogue with the unit's people": individual_body(
        participants=participants("emp1", "tr", "leader")),
    "a follow-up today": dialogue_body(follow_up_on=TODAY.isoformat()),
    "a follow-up by default, for a dialogue held long ago": dialogue_body(
        held_on=(TODAY - timedelta(days=400)).isoformat(), actions=[]),
}


@pytest.mark.parametrize("body", GOOD_PEOPLE_AND_DATES.values(), ids=GOOD_PEOPLE_AND_DATES.keys())
def test_who_may_take_part_own_actions_and_when_to_follow_up(client, org, token, body):
    leader = token("leader", "leader")
    dialogue = record(client, leader, body)
    assert dialogue["follow_up_on"] >= TODAY.isoformat(), "a follow-up prompt will be sent"

    amended = client.put(f"/api/v1/dialogues/{dialogue['id']}", json=body, headers=leader)

    assert amended.status_code == 200, amended.get_json()
    assert amended.get_json()["participants"] == body["participants"]


def test_amendment_may_keep_a_follow_up_that_has_passed(client, org, token, assessment_sessions):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body(follow_up_on=TODAY.isoformat()))
    with assessment_sessions() as session:  # recorded earlier, its follow-up yesterday
        session.execute(update(Dialogue).values(follow_up_on=TODAY - timedelta(days=1)))
        session.commit()
    path = f"/api/v1/dialogues/{dialogue['id']}"

    kept = client.put(path, json=dialogue_body(follow_up_on=YESTERDAY), headers=leader)
    earlier = client.put(path, json=dialogue_body(
        follow_up_on=(TODAY - timedelta(days=2)).isoformat()), headers=leader)

    assert kept.status_code == 200, kept.get_json()
    assert kept.get_json()["follow_up_on"] == YESTERDAY
    assert earlier.status_code == 422
    assert error_at(earlier.get_json()["errors"]["json"], "follow_up_on")


def test_body_over_256_kib_is_refused(client, org, token):
    body = dialogue_body(answers={"wc_collaboration": "x" * (300 * 1024)})
    response = client.post("/api/v1/dialogues", json=body, headers=token("leader", "leader"))
    assert response.status_code == 413


@pytest.fixture
def content_down_client(assessment_settings, assessment_sessions):
    """A client of an assessment app whose content service cannot be reached."""
    app = create_app(dataclasses.replace(assessment_settings, content_url="http://127.0.0.1:9"))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["lederdialog.deps"].engine.dispose()
    app.extensions["lederdialog.deps"].redis.close()


def test_content_service_down_answers_503_and_stores_nothing(
    content_down_client, org, token, assessment_sessions
):
    response = content_down_client.post("/api/v1/dialogues", json=dialogue_body(),
                                        headers=token("leader", "leader"))

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert stored(assessment_sessions) == NOTHING


def test_amendment_while_content_service_is_down_changes_nothing(
    client, content_down_client, org, token, assessment_sessions
):
    leader = token("leader", "leader")
    dialogue = record(client, leader, dialogue_body())
    before = stored(assessment_sessions)

    response = content_down_client.put(f"/api/v1/dialogues/{dialogue['id']}",
                                       json=dialogue_body(answers={}), headers=leader)

    assert response.status_code == 503
    assert stored(assessment_sessions) == before
    assert as_recorded(
        client.get(f"/api/v1/dialogues/{dialogue['id']}", headers=leader).get_json()
    ) == dialogue
