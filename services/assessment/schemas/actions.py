"""Schemas of agreed actions: as agreed in a dialogue, as shown, and as changed."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.assessment.models import ACTION_STATUSES
from services.assessment.org import ID_RULES
from shared.validation import Day, Key, Line, Text

# An action falls due within a few years; a renegotiated date may lie in the past
# when it is recorded late, but not further back than a dialogue may be held.
DUE_YEARS_BACK, DUE_YEARS_AHEAD = 5, 5
DIALOGUE_FACT = "Of the action's dialogue; null if you own the action but may not read the dialogue"


def due_date(**kwargs) -> fields.Date:
    return Day(past_years=DUE_YEARS_BACK, future_years=DUE_YEARS_AHEAD, **kwargs)


class NewActionSchema(Schema):
    title = Line(max_length=200, required=True)
    owner_id = Key(
        required=True,
        metadata={"description": "A participant of the dialogue, or its leader"},
    )
    due_on = due_date(required=True)
    focus_area = Key(required=True)
    commitment = Key(required=True, metadata={"description": "A commitment key of the focus area"})


class ActionSummarySchema(Schema):
    id = fields.String()
    title = fields.String()
    owner_id = fields.String()
    due_on = fields.Date()
    focus_area = fields.String()
    commitment = fields.String()
    status = fields.String(metadata={"description": "open, in_progress, done or dropped"})
    completed_at = fields.DateTime(allow_none=True)


class ActionChangeSchema(Schema):
    kind = fields.String(metadata={
        "description": "status, due_on, completed or owner (old and new value: the owners' ids)"})
    old_value = fields.String(allow_none=True)
    new_value = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    changed_by = fields.String()
    changed_at = fields.DateTime()


class ActionSchema(ActionSummarySchema):
    dialogue_id = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    reflection = fields.String(allow_none=True)
    history = fields.List(fields.Nested(ActionChangeSchema))


class ActionListItemSchema(ActionSchema):
    unit_id = fields.String(allow_none=True, metadata={"description": DIALOGUE_FACT})
    setting = fields.String(allow_none=True, metadata={"description": DIALOGUE_FACT})
    held_on = fields.Date(allow_none=True, metadata={"description": DIALOGUE_FACT})
    owner_left_on = fields.Date(allow_none=True, metadata={
        "description": "The day the owner left; null: they work here"})


class ActionListArgs(Schema):
    owner_id = fields.String(validate=ID_RULES, metadata={"description": "Only this person's"})
    unit_id = fields.String(validate=ID_RULES, metadata={
        "description": "Only those of this unit's dialogues (of the dialogues you may read)"
    })
    statuses = fields.List(
        fields.String(validate=validate.OneOf(ACTION_STATUSES)), data_key="status",
        validate=validate.Length(max=len(ACTION_STATUSES)),
        metadata={"description": "Only these statuses: open, in_progress, done, dropped "
                                 "(?status=open&status=in_progress)"},
    )
    overdue = fields.Boolean(metadata={
        "description": "true: only open or in_progress ones due before today (Danish time); "
                       "false: only the others"
    })
    owner_left = fields.Boolean(metadata={
        "description": "true: only open or in_progress ones whose owner left, of the "
                       "dialogues you lead (you give them a new owner); false: only the others"
    })


class ActionChangeRequestSchema(Schema):
    status = fields.String(validate=validate.OneOf(ACTION_STATUSES))
    due_on = due_date(metadata={"description": "A renegotiated due date; needs a reason"})
    owner_id = fields.String(validate=ID_RULES, metadata={
        "description": "A new owner (the dialogue's leader alone): one of the people of the "
                       "leader's units who has not left"})
    reason = Text(max_length=1000)

    @validates_schema
    def _something_and_why(self, data, **_kwargs):
        if not {"status", "due_on", "owner_id"} & set(data):
            raise ValidationError("give a new status, due_on or owner_id", field_name="status")
        if "due_on" in data and "reason" not in data:
            raise ValidationError("say why the due date moves", field_name="reason")


class CompletionSchema(Schema):
    reflection = Text(
        max_length=2000, required=True,
        metadata={"description": "A short reflection on how it went"},
    )
