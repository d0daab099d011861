"""The CloudEvents 1.0 envelope (structured JSON mode) used on the event stream."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from marshmallow import Schema, fields, validate

SPEC_VERSION = "1.0"
TYPE_PREFIX = "lederdialog."


class CloudEventSchema(Schema):
    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=validate.Length(min=1))
    type = fields.String(
        required=True, validate=validate.Regexp(r"^lederdialog\.[a-z_]+\.[a-z_]+\.v\d+$")
    )
    time = fields.String(required=True)
    subject = fields.String(allow_none=True)
    datacontenttype = fields.String(required=True, validate=validate.Equal("application/json"))
    data = fields.Dict(required=True)
    requestid = fields.String(allow_none=True)


# One instance for every envelope: building a schema costs twice as much as loading with it,
# and loading keeps no state between calls.
_ENVELOPE = CloudEventSchema()


def new_event(
    *, type: str, source: str, data: dict, subject: str | None = None,
    request_id: str | None = None,
) -> dict:
    """A fresh, valid envelope with a new id and the current time."""
    event = {
        "specversion": SPEC_VERSION,
        "id": str(uuid.uuid4()),
        "source": source,
        "type": type,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data,
    }
    if request_id:
        event["requestid"] = request_id
    return _ENVELOPE.load(event)
