"""The Celery app of notify's worker and beat: `celery -A services.notify.celery_app worker`.

Tasks are acknowledged after they ran (a worker killed mid-task leaves its task
to be delivered again); beat only enqueues the reminder poll and, once a day, retention.
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging, worker_process_init, worker_ready

from services.notify.config import NotifySettings, load_notify_settings
from services.notify.metrics import serve_metrics
from services.notify.runtime import runtime
from shared.config import VAR_DIR
from shared.logs import configure_logging
from shared.retention import load_retention

# Every day at a quiet hour (UTC). Beat's schedule file remembers the last run, so a run
# missed while beat was down is made up when it starts again.
RETENTION_AT = crontab(hour=3, minute=15)


def make_celery(settings: NotifySettings) -> Celery:
    """A Celery app on the settings' Redis, configured for at-least-once delivery."""
    celery = Celery("notify", broker=settings.base.redis_url, include=["services.notify.tasks"])
    # Sweep for tasks of dead workers often enough that a short visibility timeout means
    # a quick redelivery.
    restore_every = max(1, min(10, settings.visibility_timeout // 10))
    celery.conf.update(
        task_default_queue=settings.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        # Tasks running when Redis goes away finish (and their acks fail); kombu has already
        # put them back, and their idempotency keys make the second run a no-op. Cancelling
        # them instead leaves their prefetch slots taken and the worker idle after reconnecting.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout,
            "unacked_restore_interval": restore_every,
            "unacked_restore_throttle": 1,
            # A worker killed while it restores holds the restore back only this long
            # (kombu's default is 5 minutes); a restore takes milliseconds.
            "unacked_mutex_expire": restore_every * 6,
            "socket_timeout": 10,
            "socket_connect_timeout": 5,
        },
        beat_schedule={
            "poll-reminders": {"task": "notify.poll_reminders",
                               "schedule": settings.poll_seconds},
            "retention": {"task": "notify.retention", "schedule": RETENTION_AT},
        },
        beat_schedule_filename=str(VAR_DIR / "notify-beat-schedule"),
    )
    return celery


def send_jobs(celery: Celery, jobs: list[dict]) -> None:
    """Put jobs (written down in the ledger already) on notify's queue, over one connection."""
    with celery.producer_or_acquire() as producer:
        for job in jobs:
            celery.send_task("notify.deliver", args=[job], producer=producer)


@setup_logging.connect
def _json_logs(**_kwargs) -> None:
    configure_logging("notify", load_notify_settings().base.log_level)


@worker_ready.connect
def _serve_metrics(**_kwargs) -> None:
    """With METRICS_PORT, the worker's main process serves what its pool counts."""
    serve_metrics(load_notify_settings().metrics_port)


@worker_process_init.connect
def _build_runtime(**_kwargs) -> None:
    """Each worker process builds its clients as it starts, not in its first job: loading
    the database driver alone takes a tenth of a second."""
    runtime()


app = make_celery(load_notify_settings())
load_retention()  # a RETENTION_* value not understood stops worker and beat as they start
