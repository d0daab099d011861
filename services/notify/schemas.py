"""Request and response schemas of the dead-letter API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

STATUSES = ("dead", "retrying", "delivered")


class DeadLetterArgs(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "Only dead letters in this state (dead, retrying, delivered)"
    })


class DeadLetterSchema(Schema):
    id = fields.Integer()
    key = fields.String(metadata={"description": "The email's idempotency key"})
    kind = fields.String(metadata={"description": "Which kind of email"})
    person_id = fields.String(metadata={"description": "The recipient"})
    error = fields.String(metadata={"description": "What the SMTP server (or notify) said"})
    smtp_code = fields.Integer(allow_none=True)
    failures = fields.Integer(metadata={"description": "How many times it failed for good"})
    status = fields.String(metadata={"description": "dead, retrying or delivered"})
    created_at = fields.DateTime()
    failed_at = fields.DateTime()
    retried_at = fields.DateTime(allow_none=True)
