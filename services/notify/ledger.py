"""The job ledger: every job is written down before it goes on the queue, crossed off after.

Redis as Celery's broker can lose a task: kombu takes it off the queue's list (BRPOP) and
records it as unacknowledged in a second command, so a Redis that dies in between, or an
answer lost with the connection, loses it. Beat's poll (tasks.poll_reminders) therefore
hands a job to the queue again when its row is still open a visibility timeout after it
was queued; its idempotency keys keep a second run from sending anything twice.

A job's row is written in the transaction that decides to send it (the consumer's,
beat's, the fan-out's, the dead-letter retry's), which queues it before committing, as
it did before the ledger: its task may run first. Crossing off therefore writes the
whole row as an upsert, which waits for that commit (or inserts the row if it rolled
back: the job is on the queue all the same).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from services.notify.models import DONE, OPEN, QueuedJob
from shared.db import conflict_insert
from shared.ids import new_uuid

KEPT_FOR = timedelta(days=7)  # finished rows are deleted after this


def write_down(session: Session, jobs: list[dict], *, now: datetime) -> list[dict]:
    """The jobs, each with a new `job_id`, their rows added to session's transaction."""
    stamped = [{**job, "job_id": new_uuid().hex} for job in jobs]
    session.add_all(QueuedJob(id=job["job_id"], job=job, status=OPEN, queued_at=now)
                    for job in stamped)
    session.flush()
    return stamped


def cross_off(session: Session, job: dict, *, now: datetime) -> None:
    """Mark a job finished (sent, nothing to send, or given up on); commits."""
    _set(session, job, status=DONE, queued_at=now, finished_at=now)


def postpone(session: Session, job: dict, *, until: datetime) -> None:
    """A job waiting for its retry at `until` is not lost before then; commits."""
    _set(session, job, status=OPEN, queued_at=until, finished_at=None)


def _set(session: Session, job: dict, **values) -> None:
    if "job_id" not in job:  # queued before the ledger existed
        return
    # Mostly the row is there (committed): a plain UPDATE. Else its writer has not
    # committed yet (the upsert waits for it) or rolled back (the upsert inserts it).
    updated = session.execute(
        update(QueuedJob).where(QueuedJob.id == job["job_id"]).values(**values)).rowcount
    if not updated:
        statement = conflict_insert(session, QueuedJob.__table__).values(
            id=job["job_id"], job=job, **values)
        session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=values))
    session.commit()


def take_lost(session: Session, *, now: datetime, after: timedelta, limit: int) -> list[dict]:
    """Open jobs queued longer ago than `after`, marked as queued now (in session)."""
    rows = list(session.scalars(
        select(QueuedJob).where(QueuedJob.status == OPEN, QueuedJob.queued_at < now - after)
        .order_by(QueuedJob.queued_at).limit(limit).with_for_update(skip_locked=True)
    ))
    if rows:
        session.execute(update(QueuedJob).where(QueuedJob.id.in_([r.id for r in rows]))
                        .values(queued_at=now))
    return [row.job for row in rows]


def forget_finished(session: Session, *, now: datetime) -> None:
    """Delete the rows of jobs finished more than KEPT_FOR ago (in session)."""
    session.execute(delete(QueuedJob).where(QueuedJob.status == DONE,
                                            QueuedJob.finished_at < now - KEPT_FOR))
