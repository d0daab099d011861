"""Notify's Celery tasks: send one job's emails; hand due reminders to the queue."""

from __future__ import annotations

import structlog
from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from services.notify import scheduling
from services.notify.directory import Unavailable
from services.notify.jobs import run_job
from services.notify.metrics import REMINDER_BACKLOG
from services.notify.runtime import runtime
from shared.outbox import utcnow

log = structlog.get_logger(__name__)


@shared_task(bind=True, name="notify.deliver", acks_late=True, reject_on_worker_lost=True)
def deliver(self, job: dict) -> None:
    """Send the emails a job still owes; retry later with backoff on temporary failures."""
    rt = runtime()
    settings = rt.settings
    retries = self.request.retries
    # The id of the HTTP request that caused the event follows it into the email's logs.
    structlog.contextvars.bind_contextvars(
        task_id=self.request.id, kind=job["kind"], request_id=job.get("request_id")
    )
    try:
        failure = run_job(
            job, rt=rt, last_try=retries >= settings.max_retries,
            enqueue=lambda part: deliver.apply_async(args=[part]),
        )
    except Unavailable as exc:
        failure = exc
    finally:
        structlog.contextvars.unbind_contextvars("task_id", "kind", "request_id")
    if failure is None:
        return
    if retries >= settings.max_retries:
        log.error("giving up on a job", source=job["source"], error=str(failure))
        return
    countdown = get_exponential_backoff_interval(
        factor=settings.retry_backoff, retries=retries,
        maximum=settings.retry_backoff_max, full_jitter=False,
    )
    log.info("retrying later", source=job["source"], error=str(failure), countdown=countdown)
    raise self.retry(exc=failure, countdown=countdown, max_retries=settings.max_retries)


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
            for row in rows:
                deliver.apply_async(args=[scheduling.job_for(row)])
            scheduling.mark_enqueued(session, rows)
            session.commit()
            handed += len(rows)
            if len(rows) < rt.settings.poll_batch:
                for state, count in scheduling.backlog(session, now=now).items():
                    REMINDER_BACKLOG.labels(state).set(count)
                break
    if handed:
        log.info("reminders handed to the queue", count=handed)
    return handed
