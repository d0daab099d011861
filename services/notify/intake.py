"""One stream entry through notify: read, checked against its schema, handled, handed on.

The consumer takes the entries of a batch this way in one transaction, and a dead-event
replay takes a set-aside entry the same way. The caller owns the transaction: `take`
queues the jobs (before the commit: a crash in between queues them again, and their
idempotency keys keep that from sending twice) and leaves the commit to the caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from services.notify import ledger
from services.notify.config import Policy
from services.notify.handling import HANDLERS, Context, Handler
from services.notify.models import ProcessedEvent
from shared.event_schemas import load_event

HANDLED, DUPLICATE, IGNORED = "handled", "duplicate", "ignored"


class Unfit(Exception):
    """The entry is no event of its type's schema: no later try can handle it."""


def entry_fields(fields: dict) -> dict[str, str]:
    """A stream entry's fields as text, as a dead event keeps them (bytes not UTF-8 replaced)."""
    return {_text(name): _text(value) for name, value in fields.items()}


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def read(fields: dict[str, str]) -> dict:
    """The event in the entry's `event` field, a JSON object; Unfit if there is none."""
    if "event" not in fields:
        raise Unfit("the stream entry has no field `event`")
    try:
        event = json.loads(fields["event"])
    except (ValueError, RecursionError) as exc:
        raise Unfit(f"the field `event` is not JSON: {exc}") from None
    if not isinstance(event, dict):
        raise Unfit("the field `event` is not a JSON object")
    return event


def event_type(fields: dict[str, str], handlers: dict[str, Handler] = HANDLERS) -> str:
    """The entry's `type` field if notify handles that type, else `other` (a bounded label)."""
    kind = fields.get("type")
    return kind if kind in handlers else "other"


def take(
    session: Session, fields: dict[str, str], *, policy: Policy, now: datetime,
    enqueue: Callable[[list[dict]], None], handlers: dict[str, Handler] = HANDLERS,
) -> str:
    """Handle one entry in session (not committed): handled, duplicate or ignored.

    Unfit if it does not fit its schema; whatever its handler raises is passed on."""
    event = read(fields)
    kind = event.get("type")
    handler = handlers.get(kind) if isinstance(kind, str) else None
    if handler is None:
        return IGNORED
    try:
        event = load_event(event)
    except ValidationError as exc:
        messages = json.dumps(exc.messages, sort_keys=True)
        raise Unfit(f"does not fit its schema: {messages}") from None
    if session.get(ProcessedEvent, event["id"]) is not None:
        return DUPLICATE
    jobs = handler(Context(session=session, event=event, policy=policy, now=now), event["data"])
    session.add(ProcessedEvent(event_id=event["id"], type=kind))
    if jobs:
        enqueue(ledger.write_down(session, jobs, now=now))
    return HANDLED
