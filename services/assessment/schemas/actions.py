"""Schemas of agreed actions: as agreed in a dialogue, as shown, and as changed."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.assessment.models import ACTION_STATUSES


def key(**kwargs) -> fields.String:
    """A required key or id (a person, a unit, a focus area)."""
    return fields.String(required=True, validate=validate.Length(min=1, max=64), **kwargs)


class NewActionSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner_id = key()
    due_on = fields.Date(required=True)
    focus_area = key()
    commitment = key(metadata={"description": "A commitment key of the focus area"})


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
    kind = fields.String(metadata={"description": "status, due_on or completed"})
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


class ActionChangeRequestSchema(Schema):
    status = fields.String(validate=validate.OneOf(ACTION_STATUSES))
    due_on = fields.Date(metadata={"description": "A renegotiated due date; needs a reason"})
    reason = fields.String(validate=validate.Length(min=1, max=1000))

    @validates_schema
    def _something_and_why(self, data, **_kwargs):
        if "status" not in data and "due_on" not in data:
            raise ValidationError("give a new status, a new due_on or both", field_name="status")
        if "due_on" in data and "reason" not in data:
            raise ValidationError("say why the due date moves", field_name="reason")


class CompletionSchema(Schema):
    reflection = fields.String(
        required=True, validate=validate.Length(min=1, max=2000),
        metadata={"description": "A short reflection on how it went"},
    )
