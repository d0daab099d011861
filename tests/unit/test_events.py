"""The CloudEvents envelope every service puts on the stream."""

import pytest

from shared.events import CloudEventSchema, new_event


def test_a_new_event_is_a_valid_envelope_with_its_own_id():
    first, second = (
        new_event(type="lederdialog.dialogue.recorded.v1", source="/lederdialog/assessment",
                  subject="dialogues/d-1", data={"dialogue_id": "d-1"}, request_id="r-1")
        for _ in range(2)
    )
    assert CloudEventSchema().load(first) == first
    assert first["id"] != second["id"]
    assert first["requestid"] == "r-1" and first["time"].endswith("Z")


@pytest.mark.parametrize("bad_type", [
    "dialogue.recorded.v1", "lederdialog.dialogue.recorded", "lederdialog.Dialogue.recorded.v1",
])
def test_a_misspelt_event_type_is_refused(bad_type):
    with pytest.raises(ValueError, match="event type"):
        new_event(type=bad_type, source="/lederdialog/assessment", data={})
