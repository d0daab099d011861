"""Each event type's `data` as a marshmallow schema: what producers promise, consumers check.

The types and their fields are documented in docs/events.md. Every value is bounded: ids
and keys of 1 to 64 characters on one line, whole numbers a database column holds, dates
as ISO dates within DATE_YEARS of today, lists of sane length. Fields beyond a schema are
left out of what `load` returns (producers may add fields without a new version); a
producer's test can refuse them with `load(data, unknown=RAISE)`.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from shared.dialogue_settings import SETTING_QUESTIONS
from shared.events import CloudEventSchema
from shared.validation import Count, Day, Key, Line, one_line

# Wider than any producer's window (five years each way), so that an event which waited in
# the stream or is replayed months later still fits; narrow enough that no date computed
# from one (a reminder weeks after it, an .ics end date) runs past the calendar's end.
DATE_YEARS = 20
VISIBILITIES = ("private", "shared")
ACTION_STATUSES = ("open", "in_progress", "done", "dropped")


def EventDay(**kwargs) -> fields.Date:
    """An ISO date within DATE_YEARS of today."""
    return Day(past_years=DATE_YEARS, future_years=DATE_YEARS, **kwargs)


class _Data(Schema):
    class Meta:
        unknown = EXCLUDE


class EnvelopeSchema(CloudEventSchema):
    """The CloudEvents envelope with its id and request id bounded."""

    class Meta:
        unknown = EXCLUDE  # CloudEvents extension attributes

    id = Key(required=True)
    requestid = fields.String(allow_none=True, validate=[validate.Length(max=128), one_line])


class FrameworkPublished(_Data):
    version_id = Count(required=True)
    previous_version_id = Count(required=True, allow_none=True)
    published_at = fields.AwareDateTime(required=True)
    changed_paths = fields.List(Line(max_length=300), required=True,
                                validate=validate.Length(max=10_000))


class DialogueFacts(_Data):
    """dialogue.recorded and dialogue.amended."""

    dialogue_id = Key(required=True)
    revision = Count(required=True)
    unit_id = Key(required=True)
    leader_id = Key(required=True)
    setting = fields.String(required=True, validate=validate.OneOf(SETTING_QUESTIONS))
    held_on = EventDay(required=True)
    framework_version = Count(required=True)
    visibility = fields.String(required=True, validate=validate.OneOf(VISIBILITIES))
    follow_up_on = EventDay(required=True)
    participant_ids = fields.List(Key(), required=True, validate=validate.Length(max=1000))
    action_ids = fields.List(Key(), required=True, validate=validate.Length(max=1000))
    focus_weights = fields.Dict(keys=Key(), values=Count(minimum=0, maximum=100),
                                required=True, validate=validate.Length(max=50))


class _ActionIds(_Data):
    action_id = Key(required=True)
    dialogue_id = Key(required=True)
    unit_id = Key(required=True)
    leader_id = Key(required=True)
    owner_id = Key(required=True)


class ActionAgreed(_ActionIds):
    due_on = EventDay(required=True)
    focus_area = Key(required=True)
    commitment = Key(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ACTION_STATUSES))


class ActionUpdated(_ActionIds):
    status = fields.String(required=True, validate=validate.OneOf(ACTION_STATUSES))
    previous_status = fields.String(required=True, validate=validate.OneOf(ACTION_STATUSES))
    due_on = EventDay(required=True)
    # Only compared with due_on, and it may be a date stored before dates were bounded:
    # moving an action off such a date must not be refused.
    previous_due_on = fields.Date(required=True)
    # The owner before; events from before owners could change lack it.
    previous_owner_id = Key()


class ActionCompleted(_ActionIds):
    completed_at = fields.AwareDateTime(required=True)


class PersonErased(_Data):
    """The former id is what consumers know the person by; the pseudonym replaces it."""

    person_id = Key(required=True)
    pseudonym = Key(required=True)


class PersonLeft(_Data):
    """A person left the organisation: mail them no more; their open actions, listed, need
    a new owner."""

    person_id = Key(required=True)
    unit_id = Key(required=True, allow_none=True)
    left_on = EventDay(required=True)
    open_action_ids = fields.List(Key(), required=True, validate=validate.Length(max=10_000))


DATA_SCHEMAS: dict[str, Schema] = {
    "lederdialog.framework.published.v1": FrameworkPublished(),
    "lederdialog.dialogue.recorded.v1": DialogueFacts(),
    "lederdialog.dialogue.amended.v1": DialogueFacts(),
    "lederdialog.action.agreed.v1": ActionAgreed(),
    "lederdialog.action.updated.v1": ActionUpdated(),
    "lederdialog.action.completed.v1": ActionCompleted(),
    "lederdialog.person.erased.v1": PersonErased(),
    "lederdialog.person.left.v1": PersonLeft(),
}
ENVELOPE = EnvelopeSchema()


def load_event(event: object) -> dict:
    """The event with its `data` as its type's schema has it (JSON values, documented fields
    only); ValidationError with the messages by field (`data.<field>` for the payload's)."""
    if not isinstance(event, dict):
        raise ValidationError("an event is a JSON object")
    errors = ENVELOPE.validate(event)
    kind = event.get("type")
    schema = DATA_SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None and "type" not in errors:
        errors["type"] = [f"no schema for the type {kind[:200]!r}"]
    data = None
    if schema is not None and isinstance(event.get("data"), dict):
        try:
            data = schema.load(event["data"])
        except ValidationError as exc:
            errors.update({f"data.{name}": messages for name, messages in exc.messages.items()})
    if errors:
        raise ValidationError(errors)
    return {**event, "data": schema.dump(data)}
