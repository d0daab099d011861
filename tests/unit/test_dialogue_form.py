"""The record-a-dialogue form without a server: reading it, writing it back, the API's body,
the web's own checks and the API's 422 at the form's fields."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from services.web import dialogue_form as form
from services.web import dialogue_form_errors as errors
from services.web.apis import ApiError

UNIT = {"id": "skole", "name": "Skovgårdsskolen", "leader_id": "leader", "tr_id": "tr",
        "amr_id": "amr", "as_leaders_leader": False}
PEOPLE = [{"id": "emp2", "name": "Emil Ansat"}, {"id": "amr", "name": "Anders Arbejdsmiljø"},
          {"id": "emp1", "name": "Eva Ansat"}, {"id": "tr", "name": "Tina Tillid"},
          {"id": "leader", "name": "Lars Leder"}]
AREAS = [
    {"key": "competent", "title": "Competent", "commitments": [{"key": "c1", "text": "C one"}]},
    {"key": "innovative", "title": "Innovative", "commitments": [{"key": "i1", "text": "I one"}]},
    {"key": "meaningful", "title": "Meaningful", "commitments": [{"key": "m1", "text": "M one"}]},
    {"key": "reliable", "title": "Reliable", "commitments": [{"key": "r1", "text": "R one"}]},
]
QUESTIONS = [{"key": "wc_collaboration", "text": "How do we work together?"},
             {"key": "wc_expectations", "text": "What does it require?"}]
KEYS = [question["key"] for question in QUESTIONS]


@pytest.fixture
def context() -> form.FormContext:
    return form.FormContext(
        units=[UNIT], recorder_id="leader", people=form.people_rows(UNIT, PEOPLE, "leader"),
        focus_areas=AREAS, questions=QUESTIONS, framework_version=1,
    )


def start(context, setting="work_community") -> dict:
    values = form.initial(unit_id="skole", setting=setting, unit_ids=["skole"],
                          today=date(2026, 12, 1))
    return form.complete(values, context)


def typed(context, **changes) -> dict:
    """A form as a leader fills it in: emp1 ticked too, one action, weights 40/30/20/10."""
    values = start(context)
    values["participants"][3]["included"] = True  # Emil Ansat
    values["answers"] = {"wc_collaboration": "Godt.\nMeget godt.", "wc_expectations": ""}
    for rating, weight in zip(values["focus_areas"].values(), ("40", "30", "20", "10"),
                              strict=True):
        rating.update(rating="3", weight=weight)
    values["strengths"] = {"meaningful": "Relationer", "reliable": ""}
    values["actions"][1] = {"title": "Møde", "owner_id": "emp2", "due_on": "2027-01-15",
                            "focus_area": "reliable", "commitment": "r1"}
    return {**values, **changes}


def test_the_unit_s_people_come_leader_and_trio_first_each_with_the_roles_they_may_take():
    rows = form.people_rows(UNIT, PEOPLE, "leader")
    assert [(row["id"], row["default_role"]) for row in rows] == [
        ("leader", "leader"), ("tr", "tr"), ("amr", "amr"), ("emp2", "employee"),
        ("emp1", "employee")]
    assert "tr" in rows[1]["roles"] and "amr" not in rows[1]["roles"]
    assert not {"tr", "amr"} & set(rows[3]["roles"])
    # The leader's leader recording a dialogue of a unit below takes part as that.
    sfo = {"id": "sfo", "leader_id": "sfo-leader", "tr_id": None, "amr_id": None}
    rows = form.people_rows(sfo, [{"id": "leader", "name": "Lars"}], "leader")
    assert rows[0]["default_role"] == "leader_of_leader"


def test_a_work_community_dialogue_starts_with_the_trio_taking_part(context):
    values = start(context)
    assert [(p["person_id"], p["included"], p["role"]) for p in values["participants"]] == [
        ("leader", True, "leader"), ("tr", True, "tr"), ("amr", True, "amr"),
        ("emp2", False, "employee"), ("emp1", False, "employee")]
    assert (values["visibility"], values["shown_for"], values["framework_version"]) == (
        "shared", "skole/work_community", "1")
    assert len(values["actions"]) == form.ACTION_ROWS
    assert set(values["focus_areas"]) == {"competent", "innovative", "meaningful", "reliable"}


def test_the_leaders_own_reflection_starts_private_with_no_one_ticked(context):
    values = start(context, "individual_leader")
    assert values["visibility"] == "private"
    assert not any(p["included"] for p in values["participants"])


def test_the_form_reads_back_exactly_what_it_wrote(context):
    values = typed(context)
    assert form.parse(MultiDict(form.pairs(values))) == values


def test_reading_strips_normalises_line_breaks_and_ignores_unknown_fields():
    values = form.parse(MultiDict([
        ("answers-wc_collaboration", "  a\r\nb \r\n"), ("participants-7-person_id", "emp1"),
        ("participants-7-included", "yes"), ("participants-2-person_id", "tr"),
        ("participants-2-role", "tr"), ("actions-4-title", "Møde"), ("is_admin", "yes"),
        ("answers-bad key", "x"), ("focus_areas-reliable-weight", "10"),
    ]))
    assert values["answers"] == {"wc_collaboration": "a\nb"}
    assert values["participants"] == [
        {"person_id": "tr", "included": False, "role": "tr"},
        {"person_id": "emp1", "included": True, "role": ""}]
    assert values["actions"] == [{**form.blank_action(), "title": "Møde"}]
    assert values["focus_areas"] == {"reliable": {"rating": "", "weight": "10"}}
    assert "is_admin" not in values


def test_ticks_and_roles_stay_for_the_same_unit_and_start_over_for_another(context):
    values = typed(context)
    values["participants"][0]["included"] = False
    values["participants"][4]["role"] = "tr"  # not emp1's to take: back to the default
    again = form.complete(values, context)
    assert [p["included"] for p in again["participants"]] == [False, True, True, True, False]
    assert again["participants"][4]["role"] == "employee"
    moved = form.complete({**values, "shown_for": "sfo/work_community"}, context)
    assert [p["included"] for p in moved["participants"]] == [True, True, True, False, False]


def test_a_new_setting_brings_its_default_visibility(context):
    values = typed(context, visibility="shared", setting="individual_leader")
    assert form.complete(values, context)["visibility"] == "private"
    same = typed(context, visibility="private")
    assert form.complete(same, context)["visibility"] == "private"


def test_the_body_holds_what_was_typed_and_no_blank_row(context):
    body = form.build_body(typed(context, follow_up_on="2027-03-01"), KEYS)
    assert body.json == {
        "setting": "work_community", "unit_id": "skole", "held_on": "2026-12-01",
        "participants": [{"person_id": "leader", "role": "leader"},
                         {"person_id": "tr", "role": "tr"}, {"person_id": "amr", "role": "amr"},
                         {"person_id": "emp2", "role": "employee"}],
        "answers": {"wc_collaboration": "Godt.\nMeget godt."},
        "focus_areas": [{"focus_area": area, "rating": 3, "weight": weight} for area, weight in
                        zip(("competent", "innovative", "meaningful", "reliable"),
                            (40, 30, 20, 10), strict=True)],
        "strengths": [{"focus_area": "meaningful", "text": "Relationer"}],
        "development_areas": [],
        "actions": [{"title": "Møde", "owner_id": "emp2", "due_on": "2027-01-15",
                     "focus_area": "reliable", "commitment": "r1"}],
        "follow_up_on": "2027-03-01", "visibility": "shared", "framework_version": 1,
    }
    assert body.rows["participants"] == [0, 1, 2, 3]
    assert body.rows["actions"] == [1]
    assert body.rows["strengths"] == ["meaningful"]


def test_only_a_specific_task_sends_its_task_and_only_the_setting_s_answers_go(context):
    values = typed(context, task_description="Skemalægning")
    assert "task_description" not in form.build_body(values, KEYS).json
    values = typed(context, setting="specific_task", task_description="Skemalægning")
    body = form.build_body(values, ["task_focus_areas"]).json
    assert body["task_description"] == "Skemalægning" and body["answers"] == {}


def test_what_is_not_a_number_goes_as_typed_for_the_api_to_refuse(context):
    values = typed(context)
    values["focus_areas"]["competent"]["weight"] = "forty"
    assert form.build_body(values, KEYS).json["focus_areas"][0]["weight"] == "forty"
    assert form.weight_total(values) is None


def test_a_filled_in_form_passes_the_web_s_checks(context):
    assert errors.check(typed(context), context) == {}


def test_the_web_checks_what_it_can_tell_at_once(context):
    values = typed(context, held_on="1.12.2026", follow_up_on="2027-02-30", visibility="all")
    values["focus_areas"]["competent"].update(rating="", weight="35")
    values["actions"][2]["title"] = "Halvt udfyldt"
    values["actions"][1]["commitment"] = "c1"  # not a commitment of "reliable"
    found = errors.check(values, context)
    assert set(found) == {
        "held_on", "follow_up_on", "visibility", "focus_areas-competent-rating", "focus_areas",
        "actions-2-owner_id", "actions-2-due_on", "actions-2-focus_area",
        "actions-2-commitment", "actions-1-commitment",
    }
    assert found["focus_areas"] == ["The weights sum to 95; they must sum to 100."]


def test_a_specific_task_needs_its_task_and_a_form_needs_its_unit_and_setting(context):
    found = errors.check(typed(context, setting="specific_task", task_description=""), context)
    assert list(found) == ["task_description"]
    assert set(errors.check(typed(context, unit_id="sfo", setting=""), context)) == {
        "unit_id", "setting"}


@pytest.mark.parametrize(("path", "field"), [
    ("held_on", "held_on"),
    ("task_description", "task_description"),
    ("participants.3.person_id", "participants-3-included"),
    ("participants.1.role", "participants-1-role"),
    ("participants._schema", "participants"),
    ("participants.9.role", "participants"),
    ("answers.wc_collaboration", "answers-wc_collaboration"),
    ("answers.wc_collaboration.value", "answers-wc_collaboration"),
    ("answers.unknown", "answers"),
    ("focus_areas", "focus_areas"),
    ("focus_areas._schema", "focus_areas"),
    ("focus_areas.2.weight", "focus_areas-meaningful-weight"),
    ("focus_areas.0.focus_area", "focus_areas-competent-rating"),
    ("strengths.0.text", "strengths-meaningful"),
    ("actions.0.due_on", "actions-1-due_on"),
    ("actions.0", "actions-1-title"),
    ("actions", "actions"),
    ("framework_version", "form"),
    ("_schema", "form"),
])
def test_each_api_error_path_has_its_field(context, path, field):
    body = form.build_body(typed(context), KEYS)
    assert errors.api_path_to_field(path, body, KEYS) == field


def test_a_422_from_the_api_shows_at_the_fields_and_in_the_summary_in_the_form_s_order(
        context):
    values = typed(context)
    body = form.build_body(values, KEYS)
    refusal = ApiError(422, "Unprocessable Entity", {"json": {
        "actions": {"0": {"due_on": ["due before the dialogue was held"]}},
        "focus_areas": {"_schema": ["the weights sum to 90, not 100"]},
        "participants": {"1": {"role": ["only the unit's own TR takes part as tr"]}},
    }})
    found = errors.from_api(refusal.field_errors(), body, KEYS)
    assert found == {
        "actions-1-due_on": ["due before the dialogue was held"],
        "focus_areas": ["the weights sum to 90, not 100"],
        "participants-1-role": ["only the unit's own TR takes part as tr"],
    }
    assert errors.summary(found, values, context) == [
        ("participants-1-role", "Role of Tina Tillid: only the unit's own TR takes part as tr"),
        ("focus_areas-competent-weight", "Weights: the weights sum to 90, not 100"),
        ("actions-1-due_on", "Due date of action 2: due before the dialogue was held"),
    ]


def test_every_field_has_a_label_and_radio_groups_link_to_their_first_button(context):
    values = typed(context)
    for key in errors.field_order(values, context):
        assert errors.field_label(key, context), key
    assert errors.field_label("answers-wc_expectations", context) == "What does it require?"
    assert errors.field_label("participants-4-included", context) == "Eva Ansat"
    assert errors.field_label("strengths-reliable", context) == "Strengths in Reliable"
    assert errors.anchor("setting", context) == "setting-individual_leader"
    assert errors.anchor("visibility", context) == "visibility-private"
    assert errors.anchor("focus_areas-reliable-rating", context) == "focus_areas-reliable-rating-1"
    assert errors.anchor("form", context) == "record-form"


def test_another_action_row_until_the_api_s_limit(context):
    values = start(context)
    assert len(form.add_action_row(values)["actions"]) == form.ACTION_ROWS + 1
    full = {**values, "actions": [form.blank_action()] * form.MAX_ACTIONS}
    assert len(form.add_action_row(full)["actions"]) == form.MAX_ACTIONS


DIALOGUE = {  # as GET /api/v1/dialogues/<id> gives it
    "id": "d-1", "unit_id": "skole", "leader_id": "leader", "setting": "work_community",
    "held_on": "2026-11-20", "follow_up_on": "2027-02-20", "visibility": "shared",
    "framework_version": 1, "revision": 1, "task_description": None,
    "amendable_until": "2026-12-04T09:00:00+00:00",
    "participants": [{"person_id": "leader", "role": "leader"},
                     {"person_id": "emp1", "role": "employee"}, {"person_id": "tr", "role": "tr"}],
    "answers": {"wc_collaboration": "Godt.\r\nMeget godt.", "wc_expectations": "Aftaler"},
    "focus_areas": [{"focus_area": area, "rating": rating, "weight": weight}
                    for area, rating, weight in zip(
                        ("competent", "innovative", "meaningful", "reliable"), (4, 3, 5, 2),
                        (40, 30, 20, 10), strict=True)],
    "strengths": [{"focus_area": "meaningful", "text": "Relationer"}],
    "development_areas": [{"focus_area": "reliable", "text": "Planlægning"}],
    "actions": [{"id": "a-1", "title": "Møde", "owner_id": "emp1", "due_on": "2027-01-15",
                 "status": "open"}],
    "people": {"leader": "Lars Leder", "emp1": "Eva Ansat", "tr": "Tina Tillid"},
}


def test_an_amendment_starts_from_the_dialogue_as_it_stands_without_its_actions():
    assert form.from_dialogue(DIALOGUE) == {
        "unit_id": "skole", "setting": "work_community", "held_on": "2026-11-20",
        "task_description": "", "follow_up_on": "2027-02-20", "visibility": "shared",
        "framework_version": "1", "shown_for": "skole/work_community",
        "participants": [{"person_id": "leader", "included": True, "role": "leader"},
                         {"person_id": "emp1", "included": True, "role": "employee"},
                         {"person_id": "tr", "included": True, "role": "tr"}],
        "answers": {"wc_collaboration": "Godt.\nMeget godt.", "wc_expectations": "Aftaler"},
        "focus_areas": {"competent": {"rating": "4", "weight": "40"},
                        "innovative": {"rating": "3", "weight": "30"},
                        "meaningful": {"rating": "5", "weight": "20"},
                        "reliable": {"rating": "2", "weight": "10"}},
        "strengths": {"meaningful": "Relationer"},
        "development_areas": {"reliable": "Planlægning"},
        "actions": [],
    }


def test_the_amendment_s_form_ticks_who_took_part_and_sends_the_dialogue_back(context):
    values = form.complete(form.from_dialogue(DIALOGUE), context)
    assert [(p["person_id"], p["included"], p["role"]) for p in values["participants"]] == [
        ("leader", True, "leader"), ("tr", True, "tr"), ("amr", False, "amr"),
        ("emp2", False, "employee"), ("emp1", True, "employee")]
    assert values["actions"] == [form.blank_action()] * form.ACTION_ROWS  # rows to add
    assert (values["visibility"], values["follow_up_on"]) == ("shared", "2027-02-20")
    assert errors.check(values, context) == {}
    assert form.parse(MultiDict(form.pairs(values))) == values
    body = form.build_body(values, KEYS).json
    assert body == {
        "setting": "work_community", "unit_id": "skole", "held_on": "2026-11-20",
        "participants": [{"person_id": "leader", "role": "leader"},
                         {"person_id": "tr", "role": "tr"},
                         {"person_id": "emp1", "role": "employee"}],
        "answers": {"wc_collaboration": "Godt.\nMeget godt.", "wc_expectations": "Aftaler"},
        "focus_areas": DIALOGUE["focus_areas"], "strengths": DIALOGUE["strengths"],
        "development_areas": DIALOGUE["development_areas"], "actions": [],
        "follow_up_on": "2027-02-20", "visibility": "shared", "framework_version": 1,
    }


def test_a_dialogue_s_texts_of_one_focus_area_become_one_and_its_task_is_kept():
    dialogue = {**DIALOGUE, "setting": "specific_task", "task_description": " Skema\r\n",
                "strengths": [{"focus_area": "meaningful", "text": "Relationer"},
                              {"focus_area": "meaningful", "text": "Humor "}],
                "development_areas": [], "answers": {}}
    values = form.from_dialogue(dialogue)
    assert values["task_description"] == "Skema"
    assert values["shown_for"] == "skole/specific_task"
    assert values["strengths"] == {"meaningful": "Relationer\n\nHumor"}
    assert (values["development_areas"], values["answers"]) == ({}, {})


def test_an_amendment_keeps_the_dialogue_s_unit_setting_and_version_whatever_is_sent(context):
    sent = {**form.complete(form.from_dialogue(DIALOGUE), context), "unit_id": "sfo",
            "setting": "individual_leader", "framework_version": "2", "shown_for": "sfo/x",
            "held_on": "2026-11-21"}
    kept = form.keep_fixed(sent, DIALOGUE)
    assert (kept["unit_id"], kept["setting"], kept["framework_version"], kept["shown_for"]) == (
        "skole", "work_community", "1", "skole/work_community")
    assert kept["held_on"] == "2026-11-21"  # the rest is as sent


def test_the_api_s_refusal_of_what_an_amendment_cannot_change_is_the_form_s():
    found = errors.at_form({"unit_id": ["cannot change the unit_id"], "held_on": ["in future"],
                            "form": ["x"]}, form.AMEND_FIXED)
    assert found == {"form": ["cannot change the unit_id", "x"], "held_on": ["in future"]}
