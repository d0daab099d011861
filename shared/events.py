"""The CloudEvents 1.0 envelope (structured JSON mode) used on the event stream, and the
stream's trimming."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from marshmallow import Schema, fields, validate
from redis import Redis

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


def _entry_id(value: bytes | str) -> tuple[int, int]:
    """A stream entry id ("<ms>-<seq>") as numbers, in the order Redis keeps them."""
    ms, _, seq = (value.decode() if isinstance(value, bytes) else value).partition("-")
    return int(ms), int(seq or 0)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def oldest_entry_at(redis: Redis, stream: str) -> datetime | None:
    """When the oldest entry still on the stream was added (None if the stream is empty)."""
    first = redis.xrange(stream, count=1)
    if not first:
        return None
    return datetime.fromtimestamp(_entry_id(first[0][0])[0] / 1000, UTC)


def trim_stream(
    redis: Redis, stream: str, *, before: datetime, group: str, batch: int = 10_000
) -> int:
    """Remove the entries added before `before`, but none the consumer group still needs:
    none after the last one it was delivered, none from its oldest unacknowledged one on.
    Without the group (no consumer has started) nothing is removed. Returns how many.

    Whole nodes go first, `batch` entries per command so Redis is never held up for long,
    then the few older entries left in the node that straddles the limit.
    """
    if not redis.exists(stream):
        return 0
    found = [g for g in redis.xinfo_groups(stream) if _text(g["name"]) == group]
    if not found:
        return 0
    last_ms, last_seq = _entry_id(found[0]["last-delivered-id"])
    limits = [(_ms(before), 0), (last_ms, last_seq + 1)]  # entries after it: not delivered
    pending = redis.xpending(stream, group)
    if pending["pending"]:
        limits.append(_entry_id(pending["min"]))
    minid = "{}-{}".format(*min(limits))
    removed = 0
    while taken := redis.xtrim(stream, minid=minid, approximate=True, limit=batch):
        removed += taken
    return removed + redis.xtrim(stream, minid=minid, approximate=False)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
