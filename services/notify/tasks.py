"""Notify's Celery tasks: send one job's emails; hand due reminders to the queue; delete what
is past its retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from redis import Redis
from sqlalchemy.orm import Session

from services.notify import deliveries, ledger, retention, scheduling
from services.notify.failures import OUTAGES, describe
from services.notify.jobs import job_key, run_job
from services.notify.metrics import JOBS_DEAD_LETTERED, REMINDER_BACKLOG
from services.notify.runtime import Runtime, runtime
from shared.outbox import utcnow
from shared.retention import load_retention

log = structlog.get_logger(__name__)


@shared_task(bind=True, name="notify.deliver", acks_late=True, reject_on_worker_lost=True)
def deliver(self, job: dict) -> None:
    """Send the emails a job still owes; retry later with backoff on temporary failures.

    A job that fails for a reason no retry can fix (its data, or a bug it meets), or that
    runs out of retries, is dead-lettered whole; either way it is crossed off."""
    rt = runtime()
    settings = rt.settings
    retries = self.request.retries
    # The id of the HTTP request that caused the event follows it into the email's logs.
    structlog.contextvars.bind_contextvars(
        task_id=self.request.id, kind=job.get("kind"), request_id=job.get("request_id")
    )
    given_up = None  # why the job is dead-lettered, if it is
    try:
        failure = run_job(
            job, rt=rt, last_try=retries >= settings.max_retries,
            enqueue=lambda parts: queue_parts(rt, parts),
        )
    except OUTAGES as exc:
        failure = exc
    except Exception as exc:  # its data, or a bug it meets: no later try does better
        failure, given_up = None, describe(exc)
    finally:
        structlog.contextvars.unbind_contextvars("task_id", "kind", "request_id")
    if failure is not None and retries < settings.max_retries:
        countdown = get_exponential_backoff_interval(
            factor=settings.retry_backoff, retries=retries,
            maximum=settings.retry_backoff_max, full_jitter=False,
        )
        log.info("retrying later", source=job.get("source"), error=str(failure),
                 countdown=countdown)
        with rt.session_factory() as session:
            ledger.postpone(session, job, until=utcnow() + timedelta(seconds=countdown))
        raise self.retry(exc=failure, countdown=countdown, max_retries=settings.max_retries)
    if failure is not None:
        given_up = f"gave up after {retries} retries: {describe(failure)}"
    with rt.session_factory() as session:
        if given_up is not None:
            _dead_letter(session, job, given_up, kinds=rt.mailings)
        elif job.get("dead_letter"):
            deliveries.job_letter_done(session, job["dead_letter"])
        ledger.cross_off(session, job, now=utcnow())


def _dead_letter(session: Session, job: dict, error: str, kinds: dict) -> None:
    key = job_key(job)
    letter = {name: value for name, value in job.items() if name not in ("job_id", "dead_letter")}
    deliveries.dead_letter_job(session, key=key, job=letter, error=error)
    kind = job.get("kind")
    JOBS_DEAD_LETTERED.labels(kind if isinstance(kind, str) and kind in kinds else "other").inc()
    log.error("job dead-lettered", key=key, source=job.get("source"), error=error)


def hand_over(session: Session, jobs: list[dict], *, now: datetime) -> None:
    """Write the jobs down in the ledger (in session) and put them on the queue."""
    for job in ledger.write_down(session, jobs, now=now):
        deliver.apply_async(args=[job])


def queue_parts(rt: Runtime, parts: list[dict]) -> None:
    """The parts of a fan-out, written down and queued."""
    with rt.session_factory() as session:
        hand_over(session, parts, now=utcnow())
        session.commit()


@shared_task(name="notify.poll_reminders", acks_late=True)
def poll_reminders() -> int:
    """Hand every due reminder to the queue (run by beat every NOTIFY_POLL_SECONDS)."""
    rt = runtime()
    handed = 0
    while True:
        with rt.session_factory() as session:
            now = utcnow()
            rows = scheduling.take_due(session, now=now, limit=rt.settings.poll_batch)
            # Queued before the commit: a crash in between queues them again, and
            # their idempotency keys keep that from sending twice.
            hand_over(session, [scheduling.job_for(row) for row in rows], now=now)
            scheduling.mark_enqueued(session, rows)
            session.commit()
            handed += len(rows)
            if len(rows) < rt.settings.poll_batch:
                for state, count in scheduling.backlog(session, now=now).items():
                    REMINDER_BACKLOG.labels(state).set(count)
                break
    if handed:
        log.info("reminders handed to the queue", count=handed)
    requeue_lost(rt)
    return handed


def requeue_lost(rt: Runtime) -> None:
    """Hand to the queue again the jobs still open a visibility timeout after queueing."""
    after = timedelta(seconds=rt.settings.visibility_timeout)
    with rt.session_factory() as session:
        now = utcnow()
        lost = ledger.take_lost(session, now=now, after=after, limit=rt.settings.poll_batch)
        for job in lost:
            log.warning("queueing again a job not finished in time", job_id=job["job_id"],
                        kind=job["kind"], source=job["source"])
            deliver.apply_async(args=[job])
        ledger.forget_finished(session, now=now)
        session.commit()


@shared_task(name="notify.retention", acks_late=True)
def apply_retention() -> dict[str, int]:
    """Delete notify's records past RETENTION_EMAIL_LOG_DAYS and trim the event stream to
    RETENTION_STREAM_DAYS (run by beat every day)."""
    rt = runtime()
    redis = Redis.from_url(rt.settings.base.redis_url)
    try:
        removed = retention.apply_retention(rt.session_factory, load_retention(), utcnow(),
                                            redis=redis, stream=rt.settings.base.event_stream)
    finally:
        redis.close()
    log.info("retention done", **removed)
    return removed
