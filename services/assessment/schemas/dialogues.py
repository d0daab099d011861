"""Schemas of dialogues: the body that records or amends one, and what readers get back."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.assessment.models import PARTICIPANT_ROLES, SETTINGS, VISIBILITIES
from services.assessment.schemas.actions import (
    DUE_YEARS_AHEAD,
    DUE_YEARS_BACK,
    ActionSummarySchema,
    NewActionSchema,
)
from shared.validation import Count, Day, Key, Text

# A dialogue is recorded after it is held (dialogue_rules says: not in the future), at most
# a few years later; lists of dialogues may look further back.
HELD_YEARS_BACK = DUE_YEARS_BACK
LISTED_YEARS_BACK = 20


class ParticipantSchema(Schema):
    person_id = Key(required=True)
    role = fields.String(
        required=True, validate=validate.OneOf(PARTICIPANT_ROLES),
        metadata={"description": "tr and amr only for the unit's own TR and AMR"},
    )


class FocusAreaRatingSchema(Schema):
    focus_area = Key(required=True)
    rating = Count(
        minimum=1, maximum=5, required=True, metadata={"description": "Where we stand, 1 to 5"},
    )
    weight = Count(
        minimum=0, maximum=100, required=True,
        metadata={"description": "Weight for this context; the four weights sum to 100"},
    )


class FocusAreaTextSchema(Schema):
    focus_area = Key(required=True)
    text = Text(max_length=2000, required=True)


def _area_texts(description: str) -> fields.List:
    return fields.List(fields.Nested(FocusAreaTextSchema), load_default=list,
                       validate=validate.Length(max=30), metadata={"description": description})


class DialogueBodySchema(Schema):
    """What a leader records (POST) or amends (PUT)."""

    setting = fields.String(required=True, validate=validate.OneOf(SETTINGS))
    unit_id = Key(required=True)
    held_on = Day(past_years=HELD_YEARS_BACK, future_years=1, required=True)
    task_description = Text(
        max_length=2000,
        metadata={"description": "The task (setting specific_task only, and required there)"},
    )
    framework_version = Count(
        metadata={"description": "Default: the current version (on amendment: the dialogue's)"},
    )
    participants = fields.List(
        fields.Nested(ParticipantSchema), load_default=list, validate=validate.Length(max=200),
        metadata={"description": (
            "People of the unit, its leader and TRIO, the leader's leader and the recorder; "
            "people of other units only in a shared leader_group dialogue"
        )},
    )
    answers = fields.Dict(
        keys=Key(), values=Text(max_length=10000), load_default=dict,
        validate=validate.Length(max=100),
        metadata={"description": "Reflection question key -> answer, for the setting's questions"},
    )
    focus_areas = fields.List(fields.Nested(FocusAreaRatingSchema), required=True,
                              validate=validate.Length(max=20),
                              metadata={"description": "Each focus area of the version once"})
    strengths = _area_texts("Strengths, each tied to a focus area")
    development_areas = _area_texts("Development areas, each tied to a focus area")
    actions = fields.List(
        fields.Nested(NewActionSchema), load_default=list, validate=validate.Length(max=50),
        metadata={"description": (
            "Actions agreed (on amendment: actions added), each owned by a participant "
            "or the dialogue's leader"
        )},
    )
    follow_up_on = Day(
        past_years=HELD_YEARS_BACK, future_years=DUE_YEARS_AHEAD,
        metadata={"description": (
            "Today or later (on amendment, the dialogue's current date may stay though it "
            "has passed). Default: three months after held_on, or today if that has passed"
        )},
    )
    visibility = fields.String(
        validate=validate.OneOf(VISIBILITIES),
        metadata={"description": "Default: private for individual_leader, shared otherwise"},
    )


# Retention removes a dialogue's texts some years after it was held (docs/privacy.md).
TEXTS_REMOVED_AT = fields.DateTime(allow_none=True, metadata={"description": (
    "When retention removed the texts (answers, task, strengths, development areas and "
    "action titles are then empty or \"—\"); null while they are kept"
)})


class DialogueFactsSchema(Schema):
    id = fields.String()
    unit_id = fields.String()
    leader_id = fields.String()
    setting = fields.String()
    held_on = fields.Date()
    visibility = fields.String()
    follow_up_on = fields.Date()
    framework_version = fields.Integer()
    revision = fields.Integer()


class DialogueSchema(DialogueFactsSchema):
    recorded_at = fields.DateTime()
    amended_at = fields.DateTime(allow_none=True)
    amendable_until = fields.DateTime()
    task_description = fields.String(allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema))
    answers = fields.Dict(keys=fields.String(), values=fields.String())
    focus_areas = fields.List(fields.Nested(FocusAreaRatingSchema))
    strengths = fields.List(fields.Nested(FocusAreaTextSchema))
    development_areas = fields.List(fields.Nested(FocusAreaTextSchema))
    actions = fields.List(fields.Nested(ActionSummarySchema))
    texts_removed_at = TEXTS_REMOVED_AT
    people = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": (
        "Person id -> name of the people the dialogue names: its leader, participants and "
        "action owners (GET only: whoever may read the dialogue learns who took part)"
    )})
    readers = fields.List(fields.String(), metadata={"description": (
        "The ids of the people who may read this dialogue (only the role service is told: "
        "notify emails its texts to them alone)"
    )})
    owners_told = fields.List(fields.String(), metadata={"description": (
        "The ids of the action owners who may not read this dialogue but are told of their "
        "own actions alone (none for a private dialogue; only the role service is told)"
    )})


class RevisionSchema(Schema):
    revision = fields.Integer()
    recorded_at = fields.DateTime()
    recorded_by = fields.String()
    texts_removed_at = TEXTS_REMOVED_AT
    content = fields.Dict(metadata={"description": "The dialogue's content as this revision said"})


class DialogueListArgs(Schema):
    unit_id = Key()
    setting = fields.String(validate=validate.OneOf(SETTINGS))
    held_from = Day(past_years=LISTED_YEARS_BACK, future_years=1, data_key="from",
                    metadata={"description": "held_on on or after"})
    held_to = Day(past_years=LISTED_YEARS_BACK, future_years=1, data_key="to",
                  metadata={"description": "held_on on or before"})
    follow_up_from = Day(past_years=LISTED_YEARS_BACK, future_years=DUE_YEARS_AHEAD,
                         metadata={"description": "follow_up_on on or after (follow-ups to come)"})

    @validates_schema
    def _period(self, data, **_kwargs):
        if "held_from" in data and "held_to" in data and data["held_from"] > data["held_to"]:
            raise ValidationError("the period ends before it starts", field_name="to")
