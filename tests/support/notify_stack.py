"""notify's processes for tests: the stream consumer, the Celery worker and beat.

Each runs as it would in production (the documented commands), with the
test's environment (`notify_environment`), logging to a file of its own. The
assessment service they read is an `Assessment`: its outbox goes onto the
stream when the test says so.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from redis import Redis

from services.notify.celery_app import make_celery
from services.notify.config import load_notify_settings
from shared.outbox import OutboxRelay
from tests.support.notify_processes import Process, celery, python
from tests.support.waiting import wait_until


class Assessment:
    """The running assessment service: its URL, a test client, and its outbox relay."""

    def __init__(self, *, url: str, app, relay: OutboxRelay):
        self.url = url
        self.client = app.test_client()
        self.relay = relay

    def publish(self) -> None:
        """Put everything in the outbox onto the stream."""
        while self.relay.run_once():
            pass


def notify_environment(
    *, database_url: str, redis_url: str, stream: str, assessment_url: str, content_url: str,
    smtp_url: str, public_base_url: str, jwt_settings, var_dir: Path,
) -> dict[str, str]:
    """The environment of notify's processes in a test: its database, the stream it reads,
    a queue of its own, the services it asks, the SMTP server, the web its links lead to;
    dated emails at midnight (Danish time), and quick retries and polls."""
    return {
        **os.environ,
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "EVENT_STREAM": stream,
        "NOTIFY_QUEUE": f"test.notify.{uuid.uuid4().hex}", "ASSESSMENT_URL": assessment_url,
        "CONTENT_URL": content_url, "SMTP_URL": smtp_url,
        "PUBLIC_BASE_URL": public_base_url, "JWT_SECRET": jwt_settings.secret,
        "JWT_ISSUER": jwt_settings.issuer, "LEDERDIALOG_VAR_DIR": str(var_dir),
        "NOTIFY_SEND_HOUR": "0", "NOTIFY_TIMEZONE": "Europe/Copenhagen",
        "NOTIFY_VISIBILITY_TIMEOUT_SECONDS": "10",
        "NOTIFY_RETRY_BACKOFF_SECONDS": "0.5", "NOTIFY_RETRY_BACKOFF_MAX_SECONDS": "4",
        "NOTIFY_CLAIM_IDLE_SECONDS": "5", "NOTIFY_POLL_SECONDS": "1",
        "NOTIFY_EVENT_MAX_ATTEMPTS": "3", "NOTIFY_EVENT_RETRY_BACKOFF_SECONDS": "0.2",
        "NOTIFY_EVENT_RETRY_BACKOFF_MAX_SECONDS": "1",
    }


class NotifyStack:
    def __init__(self, *, env: dict[str, str], log_dir: Path):
        self.env = env
        self.settings = load_notify_settings(environ=env)
        self._log_dir = log_dir
        self._processes: dict[str, Process] = {}
        self._celery = make_celery(self.settings)

    def _start(self, name: str, command: list[str], ready: str) -> Process:
        process = Process(name, command, env=self.env, log_dir=self._log_dir).start()
        self._processes[name] = process
        process.wait_for_log(ready, timeout=60)
        return process

    def start_consumer(self) -> Process:
        return self._start("consumer", python("-m", "services.notify.consumer"),
                           "consumer started")

    def start_worker(self, concurrency: int = 2) -> Process:
        # Each start gets a fresh log, so "ready" is this start's.
        name = f"worker-{sum(n.startswith('worker') for n in self._processes)}"
        return self._start(name, celery(
            "worker", "--pool", "prefork", f"--concurrency={concurrency}", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
        ), "ready.")

    def start_beat(self) -> Process:
        name = f"beat-{sum(n.startswith('beat') for n in self._processes)}"
        return self._start(name, celery(
            "beat", "--loglevel", "INFO",
            "--schedule", str(self._log_dir / f"{name}-schedule"),
        ), "beat: Starting")

    def start(self) -> NotifyStack:
        """The consumer and one worker."""
        self.start_worker()
        self.start_consumer()
        return self

    def process(self, name: str) -> Process:
        return self._processes[name]

    def workers(self) -> list[Process]:
        return [p for n, p in self._processes.items() if n.startswith("worker") and p.running]

    def poll_reminders(self) -> None:
        """What beat does every NOTIFY_POLL_SECONDS: ask a worker to queue the due reminders."""
        self._celery.send_task("notify.poll_reminders")

    def polls_finished(self) -> int:
        """How many reminder polls the workers have run to the end (Celery logs each)."""
        return sum("notify.poll_reminders[" in line and "succeeded" in line
                   for line in self.worker_logs().splitlines())

    def wait_for_polls(self, count: int, timeout: float = 30.0) -> None:
        """Wait until the workers have run count more reminder polls (beat asks for one every
        NOTIFY_POLL_SECONDS): each has handed to the queue whatever was due or lost."""
        wanted = self.polls_finished() + count
        wait_until(lambda: self.polls_finished() >= wanted, timeout=timeout, message=lambda: (
            f"{self.polls_finished()} of {wanted} reminder polls finished:\n{self.logs()}"))

    def send_job(self, job: dict) -> None:
        self._celery.send_task("notify.deliver", args=[job])

    def logs(self) -> str:
        return "\n".join(f"===== {name}\n{process.log()[-6000:]}"
                         for name, process in self._processes.items())

    def worker_logs(self) -> str:
        return "\n".join(p.log() for n, p in self._processes.items() if n.startswith("worker"))

    def stop(self) -> None:
        for process in self._processes.values():
            process.terminate()  # all at once: each takes a moment to wind down
        for process in self._processes.values():
            process.stop()
        queue = self.settings.queue
        redis = Redis.from_url(self.settings.base.redis_url)
        redis.delete(queue, *redis.keys(f"{queue}\x06*"))
        redis.close()
