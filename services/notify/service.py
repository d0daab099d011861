"""What HR admins do with dead letters: list them, send one again. Plain functions, no Flask."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.notify import ledger
from services.notify.models import DeadLetter
from shared.outbox import utcnow


class NotFound(Exception):
    """No such dead letter."""


def list_dead_letters(
    session: Session, *, status: str | None, page: int, page_size: int
) -> tuple[list[DeadLetter], int]:
    """One page of dead letters, newest failure first, and how many there are in all."""
    query = select(DeadLetter)
    if status is not None:
        query = query.where(DeadLetter.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(DeadLetter.failed_at.desc(), DeadLetter.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
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
    [job] = ledger.write_down(session, [letter.job], now=utcnow())
    enqueue(job)
    letter.status = "retrying"
    letter.retried_at = utcnow()
    session.commit()
    return letter
