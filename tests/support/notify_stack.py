"""notify's processes for tests: the stream consumer, the Celery worker and beat.

Each runs as it would in production (the documented commands), with the
test's environment, logging to a file of its own.
"""

from __future__ import annotations

from pathlib import Path

from redis import Redis

from services.notify.celery_app import make_celery
from services.notify.config import load_notify_settings
from tests.support.notify_processes import Process, celery, python


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
