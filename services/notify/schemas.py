"""Request and response schemas of notify's API: dead letters, dead events, a person's emails."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.notify.export import LIMIT
from shared.validation import one_line

STATUSES = ("dead", "retrying", "delivered")
DEAD_EVENT_STATUSES = ("dead", "replayed")


def status_filter(what: str, statuses: tuple[str, ...]) -> type[Schema]:
    """The query of a list of dead letters or dead events: ?status= one of statuses."""
    return Schema.from_dict({"status": fields.String(validate=validate.OneOf(statuses), metadata={
        "description": f"Only {what} in this state ({', '.join(statuses)})"
    })}, name=f"{what.title().replace(' ', '')}Args")


DeadLetterArgs = status_filter("dead letters", STATUSES)
DeadEventArgs = status_filter("dead events", DEAD_EVENT_STATUSES)


class DeadLetterSchema(Schema):
    id = fields.Integer()
    key = fields.String(metadata={"description": "The email's idempotency key"})
    kind = fields.String(metadata={"description": "Which kind of email"})
    person_id = fields.String(allow_none=True, metadata={
        "description": "The recipient; none when a whole job could not run"})
    error = fields.String(metadata={"description": "What the SMTP server (or notify) said"})
    smtp_code = fields.Integer(allow_none=True)
    failures = fields.Integer(metadata={"description": "How many times it failed for good"})
    status = fields.String(metadata={"description": "dead, retrying or delivered"})
    created_at = fields.DateTime()
    failed_at = fields.DateTime()
    retried_at = fields.DateTime(allow_none=True)


class DeadEventSchema(Schema):
    id = fields.Integer()
    stream = fields.String(metadata={"description": "The event stream it was read from"})
    entry_id = fields.String(metadata={"description": "The stream entry's id"})
    event_id = fields.String(allow_none=True, metadata={
        "description": "The event's id, if the entry holds a readable one"})
    type = fields.String(allow_none=True, metadata={"description": "The event's type"})
    reason = fields.String(metadata={
        "description": "unfit (not an event of its schema: retrying cannot help) or failed "
                       "(its handling failed on every attempt)"})
    error = fields.String(metadata={
        "description": "The schema's messages by field, or the handler's exception"})
    attempts = fields.Integer(metadata={"description": "How many times it was handled"})
    status = fields.String(metadata={"description": "dead or replayed"})
    entry = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "The whole stream entry (id, type, event) as read"})
    created_at = fields.DateTime()
    failed_at = fields.DateTime()
    replayed_at = fields.DateTime(allow_none=True)


class PersonPathSchema(Schema):
    # The people's ids as the assessment service takes them (services/assessment/org.py).
    person_id = fields.String(required=True, validate=[
        validate.Regexp(r"^[A-Za-z0-9._-]{1,64}$",
                        error="must be 1 to 64 letters, digits, '.', '_' or '-'"),
        one_line,
    ], metadata={"description": "The person's id"})


class PersonDeliverySchema(Schema):
    kind = fields.String(metadata={"description": "Which kind of email"})
    state = fields.String(metadata={
        "description": "sending (being handed to the SMTP server), sent, failed (not taken "
                       "yet; retried) or dead (given up)"})
    attempts = fields.Integer(metadata={"description": "How many times it was handed over"})
    updated_at = fields.DateTime(metadata={"description": "When its state last changed"})


class PlannedEmailSchema(Schema):
    kind = fields.String(metadata={"description": "Which kind of reminder"})
    due_at = fields.DateTime(metadata={"description": "When it is to go out"})
    dialogue_id = fields.String()
    action_id = fields.String(allow_none=True, metadata={
        "description": "The action it is about; none for a dialogue's follow-up prompt"})


class PersonDeadLetterSchema(Schema):
    kind = fields.String(metadata={"description": "Which kind of email"})
    status = fields.String(metadata={"description": "dead, retrying or delivered"})
    error = fields.String(metadata={"description": "What the SMTP server (or notify) said"})
    smtp_code = fields.Integer(allow_none=True)
    failed_at = fields.DateTime()


class PersonEmailsSchema(Schema):
    person_id = fields.String()
    deliveries = fields.List(fields.Nested(PersonDeliverySchema), metadata={
        "description": "Emails sent or tried to them, newest first"})
    planned = fields.List(fields.Nested(PlannedEmailSchema), metadata={
        "description": "Reminders planned for them by name (as owner of the action or "
                       "leader of the dialogue), soonest first"})
    dead_letters = fields.List(fields.Nested(PersonDeadLetterSchema), metadata={
        "description": "Emails to them given up on, newest failure first"})
    truncated = fields.List(fields.String(), metadata={
        "description": f"The lists that hold only their first {LIMIT:,} rows"})
