"""Notify's Prometheus metrics.

The consumer, the Celery worker processes and the API each count in their own
process; give them one PROMETHEUS_MULTIPROC_DIR and the API's /metrics adds
them up.
"""

from prometheus_client import Counter, Gauge

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
EVENTS_CONSUMED = Counter(
    "lederdialog_notify_events_consumed_total", "Stream entries handled and acknowledged",
    ["type", "outcome"],
)
REMINDER_BACKLOG = Gauge(
    "lederdialog_notify_reminder_backlog",
    "Pending reminders: due (not yet handed to the queue) or scheduled for later",
    ["state"], multiprocess_mode="mostrecent",
)
