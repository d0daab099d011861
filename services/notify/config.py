"""Notify's settings: the shared ones plus SMTP, the follow-up policy and the queue's timings."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from zoneinfo import ZoneInfo

from shared.auth import RenewedToken
from shared.config import Settings, load_settings

SERVICE = "notify"


@dataclass(frozen=True)
class Policy:
    """When follow-up emails go out (days relative to a due or follow-up date)."""

    reminder_days_before: int = 7
    escalate_owner_after_days: int = 7
    escalate_up_after_days: int = 21
    send_hour: int = 8  # local time of day at which dated emails go out
    timezone: str = "Europe/Copenhagen"
    follow_up_focus_areas: int = 2  # how many of the highest-weighted areas a prompt quotes

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class EventRetry:
    """How often the consumer tries a stream entry whose handling fails, and how far apart."""

    max_attempts: int = 5  # then the entry is set aside as a dead event
    backoff: float = 2.0  # seconds before the second attempt, doubling after each
    backoff_max: float = 60.0

    def delay(self, attempts: int) -> float:
        """Seconds to wait, after `attempts` tries, before the next one."""
        return min(self.backoff * 2 ** min(max(attempts - 1, 0), 30), self.backoff_max)


@dataclass(frozen=True)
class NotifySettings:
    base: Settings
    smtp_url: str = "smtp://127.0.0.1:1025"
    smtp_timeout: float = 30.0
    mail_from: str = "Lederdialog <noreply@lederdialog.local>"
    service_token: str | None = None
    policy: Policy = field(default_factory=Policy)
    queue: str = "notify"  # the Celery queue of notify's jobs
    poll_seconds: float = 60.0  # how often beat looks for due reminders
    poll_batch: int = 500
    retry_backoff: float = 2.0  # first retry after this many seconds, doubling
    retry_backoff_max: float = 300.0
    max_retries: int = 12
    visibility_timeout: int = 3600
    consumer_name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    consumer_batch: int = 100
    consumer_block_ms: int = 2000
    claim_idle_ms: int = 60_000  # entries pending this long with a dead consumer are claimed
    event_retry: EventRetry = field(default_factory=EventRetry)
    metrics_port: int | None = None  # the consumer and the worker serve /metrics on it

    def token(self) -> Callable[[], str]:
        """What gives the bearer token notify shows the assessment API at each call:
        SERVICE_TOKEN as given, or in development one minted and renewed in time."""
        if self.service_token:
            return partial(str, self.service_token)
        return RenewedToken(self.base.jwt, sub="notify", roles=["service"])


def load_notify_settings(environ: dict[str, str] | None = None, **overrides) -> NotifySettings:
    """Notify's settings from the environment; keyword overrides win (tests)."""
    env = os.environ if environ is None else environ
    base = overrides.pop("base", None) or load_settings(SERVICE, env)
    policy = overrides.pop("policy", None) or Policy(
        reminder_days_before=int(env.get("NOTIFY_REMINDER_DAYS_BEFORE", 7)),
        escalate_owner_after_days=int(env.get("NOTIFY_ESCALATE_OWNER_AFTER_DAYS", 7)),
        escalate_up_after_days=int(env.get("NOTIFY_ESCALATE_UP_AFTER_DAYS", 21)),
        send_hour=int(env.get("NOTIFY_SEND_HOUR", 8)),
        timezone=env.get("NOTIFY_TIMEZONE", Policy.timezone),
        follow_up_focus_areas=int(env.get("NOTIFY_FOLLOW_UP_FOCUS_AREAS", 2)),
    )
    event_retry = overrides.pop("event_retry", None) or EventRetry(
        max_attempts=int(env.get("NOTIFY_EVENT_MAX_ATTEMPTS", EventRetry.max_attempts)),
        backoff=float(env.get("NOTIFY_EVENT_RETRY_BACKOFF_SECONDS", EventRetry.backoff)),
        backoff_max=float(env.get("NOTIFY_EVENT_RETRY_BACKOFF_MAX_SECONDS",
                                  EventRetry.backoff_max)),
    )
    values = {
        "smtp_url": env.get("SMTP_URL", NotifySettings.smtp_url),
        "smtp_timeout": float(env.get("SMTP_TIMEOUT_SECONDS", NotifySettings.smtp_timeout)),
        "mail_from": env.get("MAIL_FROM", NotifySettings.mail_from),
        "service_token": env.get("SERVICE_TOKEN") or None,
        "queue": env.get("NOTIFY_QUEUE", NotifySettings.queue),
        "poll_seconds": float(env.get("NOTIFY_POLL_SECONDS", NotifySettings.poll_seconds)),
        "poll_batch": int(env.get("NOTIFY_POLL_BATCH", NotifySettings.poll_batch)),
        "retry_backoff": float(env.get("NOTIFY_RETRY_BACKOFF_SECONDS", 2.0)),
        "retry_backoff_max": float(env.get("NOTIFY_RETRY_BACKOFF_MAX_SECONDS", 300.0)),
        "max_retries": int(env.get("NOTIFY_MAX_RETRIES", NotifySettings.max_retries)),
        "visibility_timeout": int(env.get("NOTIFY_VISIBILITY_TIMEOUT_SECONDS", 3600)),
        "consumer_batch": int(env.get("NOTIFY_CONSUMER_BATCH", NotifySettings.consumer_batch)),
        "claim_idle_ms": int(float(env.get("NOTIFY_CLAIM_IDLE_SECONDS", 60)) * 1000),
    }
    if env.get("METRICS_PORT"):
        values["metrics_port"] = _port(env["METRICS_PORT"])
    if env.get("NOTIFY_CONSUMER_NAME"):
        values["consumer_name"] = env["NOTIFY_CONSUMER_NAME"]
    values.update(overrides)
    settings = NotifySettings(base=base, policy=policy, event_retry=event_retry, **values)
    if settings.retry_backoff_max * 2 > settings.visibility_timeout:
        # A retry waiting longer than the visibility timeout is delivered a second time.
        raise ValueError("NOTIFY_VISIBILITY_TIMEOUT_SECONDS must be at least twice "
                         "NOTIFY_RETRY_BACKOFF_MAX_SECONDS")
    if settings.event_retry.max_attempts < 1:
        raise ValueError("NOTIFY_EVENT_MAX_ATTEMPTS must be at least 1")
    return settings


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"METRICS_PORT must be a port number (1 to 65535), not {text!r}")
    return int(text)
