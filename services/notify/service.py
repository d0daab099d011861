"""What HR admins do with what notify could not do: list dead letters and send one again,
list dead events and replay one. Plain functions, no Flask."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.notify import intake, ledger
from services.notify.dead_events import FAILED, UNFIT
from services.notify.failures import OUTAGES, describe, storable
from services.notify.models import REPLAYED, DeadEvent, DeadLetter
from shared.outbox import utcnow


class NotFound(Exception):
    """No such dead letter or dead event."""


class StillFailing(Exception):
    """A replayed entry failed again; the dead event keeps the new error."""


def list_newest_failures(
    session: Session, model: type[DeadLetter] | type[DeadEvent], *, status: str | None,
    page: int, page_size: int,
) -> tuple[list, int]:
    """One page of dead letters or dead events, newest failure first, and how many in all."""
    query = select(model)
    if status is not None:
        query = query.where(model.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(model.failed_at.desc(), model.id.desc())
                           .offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def retry_dead_letter(
    session: Session, *, dead_letter_id: int, enqueue: Callable[[dict], None]
) -> DeadLetter:
    """Send a dead letter's email again (same idempotency key, same Message-ID)."""
    letter = session.get(DeadLetter, dead_letter_id)
    if letter is None:
        raise NotFound(f"dead letter {dead_letter_id} not found")
    # Queued before the commit: if the commit fails, HR retries again and the key
    # keeps the email from going out twice.
    [job] = ledger.write_down(session, [{**letter.job, "dead_letter": letter.key}],
                              now=utcnow())
    enqueue(job)
    letter.status = "retrying"
    letter.retried_at = utcnow()
    session.commit()
    return letter


def replay_dead_event(
    session: Session, *, dead_event_id: int, take: Callable[[Session, dict[str, str]], str]
) -> DeadEvent:
    """Take the dead event's entry through the handlers again, as the consumer would.

    `take` is intake.take with the policy and the queue bound. Handled (or found handled
    meanwhile): the dead event is marked replayed in the same transaction. Failed again:
    StillFailing, the new error kept. An outage is passed on with nothing changed."""
    row = session.get(DeadEvent, dead_event_id)
    if row is None:
        raise NotFound(f"dead event {dead_event_id} not found")
    try:
        take(session, row.entry)
    except OUTAGES:
        session.rollback()
        raise
    except intake.Unfit as exc:
        raise _failed_again(session, dead_event_id, UNFIT, str(exc)) from None
    except Exception as exc:
        raise _failed_again(session, dead_event_id, FAILED, describe(exc)) from None
    row.status, row.replayed_at = REPLAYED, utcnow()
    session.commit()
    return row


def _failed_again(
    session: Session, dead_event_id: int, reason: str, error: str
) -> StillFailing:
    """Record the new failure, undoing whatever the handler wrote before it failed."""
    session.rollback()
    row = session.get(DeadEvent, dead_event_id)
    row.reason, row.error, row.attempts = reason, storable(error), row.attempts + 1
    row.failed_at = utcnow()
    session.commit()
    return StillFailing(row.error)
