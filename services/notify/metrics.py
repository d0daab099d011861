"""Notify's Prometheus metrics.

The consumer, the Celery worker processes and the API each count in their own
process; give them one PROMETHEUS_MULTIPROC_DIR (`make run` does) and the
API's /metrics adds them up. Where they cannot share a folder (a container each), the
consumer and the worker serve their own /metrics on METRICS_PORT (`serve_metrics`).
"""

import os

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    multiprocess,
    start_http_server,
)

# `make run` makes the folder before it starts anything; in a container of its own, or
# started by hand, a process makes it itself.
if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

EMAILS_SENT = Counter(
    "lederdialog_notify_emails_sent_total", "Emails the SMTP server accepted", ["kind"]
)
EMAILS_RETRIED = Counter(
    "lederdialog_notify_emails_retried_total",
    "Emails put off for a retry after a temporary SMTP failure", ["kind"],
)
EMAILS_DEAD_LETTERED = Counter(
    "lederdialog_notify_emails_dead_lettered_total",
    "Emails given up on (5xx, bad address, or out of retries)", ["kind"],
)
JOBS_DEAD_LETTERED = Counter(
    "lederdialog_notify_jobs_dead_lettered_total",
    "Whole jobs given up on: their data cannot be sent (or a bug), or out of retries while a "
    "service was away; kind is `other` for a job of no known kind", ["kind"],
)
EVENTS_CONSUMED = Counter(
    "lederdialog_notify_events_consumed_total",
    "Stream entries acknowledged: handled, duplicate, ignored (a type notify has no use for) "
    "or set_aside; type is `other` for the types notify does not handle",
    ["type", "outcome"],
)
EVENT_FAILURES = Counter(
    "lederdialog_notify_event_failures_total",
    "Attempts at handling a stream entry that failed (then retried or set aside)", ["type"],
)
DEAD_EVENTS = Counter(
    "lederdialog_notify_dead_events_total",
    "Stream entries set aside as dead events: unfit (not an event of its schema) or failed "
    "(its handling failed on every attempt)", ["type", "reason"],
)
DEAD_EVENTS_WAITING = Gauge(
    "lederdialog_notify_dead_events_waiting", "Dead events not replayed yet",
    multiprocess_mode="mostrecent",
)
REMINDER_BACKLOG = Gauge(
    "lederdialog_notify_reminder_backlog",
    "Pending reminders: due (not yet handed to the queue) or scheduled for later",
    ["state"], multiprocess_mode="mostrecent",
)


def serve_metrics(port: int | None) -> None:
    """Serve /metrics on port, if one is given, from a thread of this process: what this
    process counts and, with PROMETHEUS_MULTIPROC_DIR, what every process counting in that
    folder does (a Celery worker's pool)."""
    if port is None:
        return
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(port, registry=registry)
