"""The CloudEvents 1.0 envelope (structured JSON mode) used on the event stream."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from marshmallow import Schema, fields, validate

from shared.ids import new_uuid

SPEC_VERSION = "1.0"
TYPE_PATTERN = re.compile(r"^lederdialog\.[a-z_]+\.[a-z_]+\.v\d+$")


class CloudEventSchema(Schema):
    """The envelope as a contract: what the tests hold every event on the stream to."""

    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=validate.Length(min=1))
    type = fields.String(required=True, validate=validate.Regexp(TYPE_PATTERN))
    time = fields.String(required=True)
    subject = fields.String(allow_none=True)
    datacontenttype = fields.String(required=True, validate=validate.Equal("application/json"))
    data = fields.Dict(required=True)
    requestid = fields.String(allow_none=True)


def new_event(
    *, type: str, source: str, data: dict, subject: str | None = None,
    request_id: str | None = None,
) -> dict:
    """A fresh envelope with a new id and the current time.

    Only the type is checked here: the rest is built right below, and loading every
    envelope with CloudEventSchema cost more than building it.
    """
    if not TYPE_PATTERN.fullmatch(type):
        raise ValueError(f"event type {type!r} does not read lederdialog.<area>.<what>.v<n>")
    event = {
        "specversion": SPEC_VERSION,
        "id": str(new_uuid()),
        "source": source,
        "type": type,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data,
    }
    if request_id:
        event["requestid"] = request_id
    return event
