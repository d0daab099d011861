"""Each event type's schema: the documented examples fit, and every value is bounded."""

import json
import re
from datetime import date, timedelta

import pytest
from marshmallow import RAISE, ValidationError

from shared.config import REPO_ROOT
from shared.event_schemas import DATA_SCHEMAS, load_event
from shared.events import new_event

DOCS = (REPO_ROOT / "docs" / "events.md").read_text()
EXAMPLES = dict(re.findall(r"^### `([a-z._0-9]+)`\n.*?```json\n(.*?)```", DOCS, re.S | re.M))


def envelope(kind: str, data: dict) -> dict:
    return new_event(type=kind, source="/lederdialog/test", data=data)


def example(kind: str) -> dict:
    return json.loads(EXAMPLES[kind])


def messages(kind: str, data: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_event(envelope(kind, data))
    return caught.value.messages


def test_every_type_notify_reads_is_documented_with_an_example():
    assert set(EXAMPLES) == set(DATA_SCHEMAS)


@pytest.mark.parametrize("kind", sorted(DATA_SCHEMAS))
def test_the_documented_example_fits_and_comes_back_as_json(kind):
    data = example(kind)
    loaded = load_event(envelope(kind, data))
    assert loaded["data"] == data
    assert DATA_SCHEMAS[kind].load(data, unknown=RAISE)  # the example has no stray field


def test_fields_beyond_the_schema_are_left_out():
    data = {**example("lederdialog.person.erased.v1"), "name": "Not passed on"}
    assert load_event(envelope("lederdialog.person.erased.v1", data))["data"] == {
        "person_id": data["person_id"], "pseudonym": data["pseudonym"]}
    with pytest.raises(ValidationError, match="Unknown field"):
        DATA_SCHEMAS["lederdialog.person.erased.v1"].load(data, unknown=RAISE)


@pytest.mark.parametrize(("kind", "change", "field"), [
    ("lederdialog.dialogue.recorded.v1", {"follow_up_on": None}, "follow_up_on"),
    ("lederdialog.dialogue.recorded.v1", {"follow_up_on": "9999-12-31"}, "follow_up_on"),
    ("lederdialog.dialogue.recorded.v1", {"held_on": "22/11/2026"}, "held_on"),
    ("lederdialog.dialogue.recorded.v1", {"revision": "1"}, "revision"),
    ("lederdialog.dialogue.recorded.v1", {"revision": 2**31}, "revision"),
    ("lederdialog.dialogue.recorded.v1", {"setting": "party"}, "setting"),
    ("lederdialog.dialogue.recorded.v1", {"leader_id": "x" * 65}, "leader_id"),
    ("lederdialog.dialogue.recorded.v1", {"leader_id": "lead\ner"}, "leader_id"),
    ("lederdialog.dialogue.recorded.v1", {"participant_ids": ["p"] * 1001}, "participant_ids"),
    ("lederdialog.dialogue.recorded.v1", {"focus_weights": {"a": 101}}, "focus_weights"),
    ("lederdialog.dialogue.amended.v1", {"visibility": "public"}, "visibility"),
    ("lederdialog.action.agreed.v1", {"due_on": "9999-12-31"}, "due_on"),
    ("lederdialog.action.agreed.v1", {"due_on": 20271231}, "due_on"),
    ("lederdialog.action.agreed.v1", {"action_id": 5}, "action_id"),
    ("lederdialog.action.updated.v1", {"due_on": "0001-01-01"}, "due_on"),
    ("lederdialog.action.updated.v1", {"dialogue_id": ""}, "dialogue_id"),
    ("lederdialog.action.updated.v1", {"status": "done?"}, "status"),
    ("lederdialog.action.completed.v1", {"completed_at": "2026-12-18T09:41:07"}, "completed_at"),
    ("lederdialog.framework.published.v1", {"version_id": True}, "version_id"),
    ("lederdialog.framework.published.v1", {"changed_paths": "a.b"}, "changed_paths"),
    ("lederdialog.person.erased.v1", {"person_id": None}, "person_id"),
])
def test_a_value_out_of_bounds_is_refused_naming_its_field(kind, change, field):
    data = {**example(kind), **change}
    assert f"data.{field}" in messages(kind, data)


@pytest.mark.parametrize("kind", sorted(DATA_SCHEMAS))
def test_a_missing_field_is_refused_naming_it(kind):
    data = example(kind)
    missing = sorted(data)[0]
    del data[missing]
    assert messages(kind, data)[f"data.{missing}"] == ["Missing data for required field."]


def test_dates_are_bounded_around_today():
    kind = "lederdialog.action.agreed.v1"
    near = (date.today() + timedelta(days=365 * 19)).isoformat()
    assert load_event(envelope(kind, {**example(kind), "due_on": near}))
    far = (date.today() + timedelta(days=365 * 21)).isoformat()
    assert "data.due_on" in messages(kind, {**example(kind), "due_on": far})


def test_an_action_may_be_moved_off_a_date_stored_before_dates_were_bounded():
    kind = "lederdialog.action.updated.v1"
    assert load_event(envelope(kind, {**example(kind), "previous_due_on": "9999-12-31"}))


@pytest.mark.parametrize(("event", "field"), [
    ({"type": "lederdialog.person.erased.v1", "data": {"person_id": "p"}}, "id"),
    ({**envelope("lederdialog.person.erased.v1", {"person_id": "p"}), "id": "i" * 65}, "id"),
    ({**envelope("lederdialog.person.erased.v1", {"person_id": "p"}), "data": []}, "data"),
    (envelope("lederdialog.round.started.v1", {}), "type"),
    ({**envelope("lederdialog.person.erased.v1", {}), "type": ["x"]}, "type"),
])
def test_the_envelope_is_checked_too(event, field):
    with pytest.raises(ValidationError) as caught:
        load_event(event)
    assert field in caught.value.messages


def test_only_a_json_object_is_an_event():
    with pytest.raises(ValidationError, match="JSON object"):
        load_event(["lederdialog.person.erased.v1"])
