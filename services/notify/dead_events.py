"""Dead events: stream entries the consumer sets aside, each with its error and the whole
entry, for HR to list and replay (service.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.notify import intake
from services.notify.failures import storable
from services.notify.models import WAITING, DeadEvent
from shared.db import conflict_insert

UNFIT, FAILED = "unfit", "failed"


def set_aside(
    session: Session, *, stream: str, entry_id: str, fields: dict[str, str], reason: str,
    error: str, attempts: int, now: datetime,
) -> None:
    """Keep the entry with its error (in session); one set aside before stays as it was."""
    event_id, kind = _identity(fields)
    values = {
        "stream": stream, "entry_id": entry_id, "event_id": event_id, "type": kind,
        "entry": fields, "reason": reason, "error": storable(error), "attempts": attempts,
        "status": WAITING, "created_at": now, "failed_at": now,
    }
    session.execute(conflict_insert(session, DeadEvent.__table__).values(values)
                    .on_conflict_do_nothing(index_elements=["stream", "entry_id"]))


def _identity(fields: dict[str, str]) -> tuple[str | None, str | None]:
    """The entry's event id and type, where they are short texts a column can hold."""
    try:
        event = intake.read(fields)
    except intake.Unfit:
        event = {"type": fields.get("type")}
    event_id, kind = event.get("id"), event.get("type")
    return (
        storable(event_id, 64) if isinstance(event_id, str) and len(event_id) <= 64 else None,
        storable(kind, 200) if isinstance(kind, str) and len(kind) <= 200 else None,
    )


def waiting(session: Session) -> int:
    """How many dead events wait for a replay."""
    return session.scalar(select(func.count()).where(DeadEvent.status == WAITING))
