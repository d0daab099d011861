"""Request and response schemas of the dead-letter and dead-event API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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
