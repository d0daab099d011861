"""Emails per second through notify, events to SMTP, next to a plain smtplib loop, in two mixes.

What is measured: one run starts a Redis of its own, the content and assessment
services under gunicorn (on SQLite; the assessment database holding 10,000 units,
each with its own leader, the first 1,000 of them also with a TR, an AMR and two
employees),
notify's consumer and Celery worker (the commands of make run, 4 worker processes) on a
fresh PostgreSQL database, as deployed, and an aiosmtpd sink in a process of its own
that accepts and drops every message. Two mixes of email, each against the same
emails sent by a plain smtplib loop:

  framework  one lederdialog.framework.published.v1 event on the stream, to the leaders
             of all 10,000 units: the consumer, the fan-out into jobs of 50, one lookup of
             a job's people in the assessment API, the templates, the claim and the
             record of each email and the SMTP hand-off over each worker process's
             connection
  dialogues  3,000 dialogues recorded by the teams' leaders (bench/organisation.py:
             work-community dialogues with the TRIO and two employees and two actions,
             leaders' private reflections, specific tasks with the TR, an employee and
             an action; 10,000 summaries), their events (dialogue.recorded and
             action.agreed, as the assessment service wrote them to its outbox) laid on
             the stream at once: per dialogue one job, which reads the dialogue, its unit,
             the names and the recipients in the assessment API and sends the summary,
             with its .ics, to everyone who may read it
  smtplib    the very emails of the mix (the framework notices rendered with notify's
             templates; the summaries composed by notify's own code from the recorded
             dialogues), sent in a loop with smtplib over one connection to the same
             sink, before and after the mix

Each notify round is timed from the events' arrival on the stream until notify's database
records every one of the mix's emails as sent.

How to read it: for each mix, each side's emails per second and the CPU milliseconds each
process spent per email; the ratio is notify's emails per second divided by the smtplib
loop's (the mean of its two rounds). The last line, `notify: ratio R (target 0.8)`, is the
lower of the two mixes' ratios.

Run: .venv/bin/python bench/notify.py  (--help for a smaller run). Needs PostgreSQL
(--admin-url). Takes about 6 minutes with the defaults, most of it recording the
dialogues and composing the smtplib loop's emails.
"""

from __future__ import annotations

import argparse
import math
import os
import smtplib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from common import (
    ADMIN_URL,
    GunicornServer,
    cpu_seconds,
    exit_cleanly_on_sigterm,
    fresh_database,
    postgresql_cpu_seconds,
    progress,
    ratio_line,
)
from organisation import KINDS, Team, dialogue_body, language
from redis import Redis
from sqlalchemy import func, select
from stack import OwnRedis, Sink, notify_consumer, notify_worker

from services.assessment import dialogues
from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.framework import FrameworkClient as AssessmentFramework
from services.assessment.models import Outbox, Person, Unit
from services.assessment.schemas.dialogues import DialogueBodySchema
from services.content import service as content_service
from services.content.app import MIGRATIONS as CONTENT_MIGRATIONS
from services.content.document import localize
from services.notify.app import MIGRATIONS as NOTIFY_MIGRATIONS
from services.notify.composing import build_message, message_id
from services.notify.config import load_notify_settings
from services.notify.framework import Framework
from services.notify.jobs import Owed, _compose, idempotency_key
from services.notify.mailings import DialogueSummary, FrameworkChanged, Loaded, Recipient
from services.notify.models import SENT, Delivery
from services.notify.rendering import Templates
from services.notify.runtime import bootstrap
from shared.db import make_engine, make_session_factory
from shared.events import new_event
from shared.http import http_session
from shared.migrations import upgrade
from shared.outbox import stream_fields

TARGET = 0.8
QUESTION = "settings.individual_leader.questions.individual_strengths.text"
SENDER = "noreply@lederdialog.local"
STREAM = "bench.events"


@dataclass(frozen=True)
class Email:
    """One message of a mix as it goes on the wire, and its envelope recipient."""

    to: str
    data: bytes


@dataclass
class Side:
    """One side of a mix: its emails per second (rounds) and CPU seconds per process."""

    rates: list[float]
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        return statistics.mean(self.rates)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000,
                        help="framework mix: units whose leaders get the notice (10000)")
    parser.add_argument("--dialogues", type=int, default=3_000,
                        help="dialogues mix: dialogues recorded, 10 summaries per 3 (3000)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="Celery worker processes (4, as make run and compose.yaml start)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"PostgreSQL ({ADMIN_URL})")
    args = parser.parse_args(argv)
    if args.emails < 1 or args.dialogues < 1 or args.concurrency < 1:
        parser.error("--emails, --dialogues and --concurrency must be at least 1")
    if math.ceil(args.dialogues / len(KINDS)) > args.emails:
        parser.error("--dialogues: at most 3 per unit (3 x --emails)")
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


def seed_assessment(url: str, leaders: int, teams: list[Team]) -> None:
    """A root unit and `leaders` units below it, each led by a person of its own; the
    teams' units also have their TR, AMR and employees."""
    upgrade(ASSESSMENT_MIGRATIONS, url)
    sessions = make_session_factory(make_engine(url))
    members = {team.number: team.people()[1:] for team in teams}
    with sessions() as session:
        session.add(Unit(id="root", name="Gentofte Kommune"))
        session.add_all(Person(id=f"l{n:05d}", name=f"Leder Nummer {n:05d}",
                               email=f"l{n:05d}@gentofte.test", language="da",
                               unit_id=f"u{n:05d}") for n in range(leaders))
        session.add_all(Person(id=person_id, name=name, email=f"{person_id}@gentofte.test",
                               language=language(k), unit_id=f"u{number:05d}")
                        for number, people in members.items()
                        for k, (person_id, name) in enumerate(people))
        session.flush()
        session.add_all(Unit(id=f"u{n:05d}", name=f"Enhed {n}", parent_id="root",
                             leader_id=f"l{n:05d}",
                             tr_id=f"t{n:05d}" if n in members else None,
                             amr_id=f"a{n:05d}" if n in members else None)
                        for n in range(leaders))
        session.commit()


def record_dialogues(url: str, content_url: str, teams: list[Team], count: int) -> list[str]:
    """count dialogues recorded by the assessment service's own code (its schema, checks and
    writes, as POST /api/v1/dialogues runs them), the teams taking turns with each kind; their
    events wait in its outbox. Returns their ids."""
    engine = make_engine(url)
    framework = AssessmentFramework(content_url, http_session())
    schema, recorded = DialogueBodySchema(), []
    for number in range(count):
        team, kind = teams[number // len(KINDS)], KINDS[number % len(KINDS)]
        body = schema.load(dialogue_body(team, kind, number))
        recorded.append(dialogues.record(engine, framework=framework, recorder_id=team.leader,
                                         body=body)["id"])
    engine.dispose()
    return recorded


def framework_emails(document: dict, changes: list[dict], count: int) -> list[Email]:
    """count messages like the leaders' notices (the same size), each its own Message-ID."""
    framework = Framework(2, "da", document)
    loaded = Loaded({"version_id": 2, "previous_version_id": 1, "changed_paths": [QUESTION]},
                    {"changes": changes}, [])
    templates, emails = Templates(), []
    for n in range(count):
        person = {"id": f"l{n:05d}", "name": f"Leder Nummer {n:05d}", "language": "da",
                  "email": f"l{n:05d}@gentofte.test"}
        context = {**FrameworkChanged(None).context(loaded, framework, Recipient(person["id"],
                                                                                 "leader")),
                   "person": person, "base_url": "http://localhost:8000"}
        emails.append(Email(person["email"], build_message(
            rendered=templates.render("framework_changed", "da", context),
            mail_from=f"Lederdialog <{SENDER}>", to_name=person["name"],
            to_address=person["email"], msg_id=message_id(f"bench|{n}", "lederdialog.local"),
            sent_at=datetime.now(UTC),
        )))
    return emails


def summary_emails(env: dict[str, str], dialogue_ids: list[str]) -> list[Email]:
    """The summaries notify owes for the dialogues, composed by notify's own code (its
    mailing's recipients, templates and MIME bytes) from the assessment and content APIs."""
    rt = bootstrap(load_notify_settings(env))
    mailing, emails = DialogueSummary(), []
    for dialogue_id in dialogue_ids:
        loaded = mailing.load(rt.directory, {"dialogue_id": dialogue_id})
        people = rt.directory.people([r.person_id for r in loaded.recipients])
        for recipient in loaded.recipients:
            key = idempotency_key(f"bench-{dialogue_id}", mailing.kind, recipient.person_id)
            # As a job composes each email (jobs._compose): the same bytes, Date aside.
            outgoing = _compose(mailing, loaded, Owed(recipient, key, None), people, rt)
            emails.append(Email(outgoing.email, outgoing.data))
    rt.engine.dispose()
    return emails


def smtplib_round(port: int, emails: list[Email]) -> float:
    """Emails per second of a plain smtplib loop over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for email in emails:
            connection.sendmail(SENDER, [email.to], email.data)
    return len(emails) / (time.perf_counter() - started)


def cpu_split(clocks: dict[str, Callable[[], float]], measure) -> tuple[float, dict[str, float]]:
    """measure()'s result and the CPU seconds each named part spent meanwhile."""
    before = {name: clock() for name, clock in clocks.items()}
    result = measure()
    return result, {name: clock() - before[name] for name, clock in clocks.items()}


def notify_round(redis_url: str, database_url: str, events: list[dict], kind: str,
                 emails: int) -> float:
    """Emails per second from the events' arrival on the stream to the last one of `kind`
    recorded as sent."""
    sessions = make_session_factory(make_engine(database_url))
    redis = Redis.from_url(redis_url)
    started = time.perf_counter()
    pipe = redis.pipeline(transaction=False)
    for event in events:
        pipe.xadd(STREAM, stream_fields(event))
    pipe.execute()
    sent, deadline = 0, started + 1800
    while sent < emails:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"notify sent {sent} of {emails} {kind} emails in 30 minutes")
        time.sleep(0.2)
        with sessions() as session:
            sent = session.scalar(select(func.count()).select_from(Delivery)
                                  .where(Delivery.state == SENT, Delivery.kind == kind))
    return emails / (time.perf_counter() - started)


def outbox_events(url: str) -> list[dict]:
    """The events the assessment service wrote, in order, as its relay would publish them."""
    with make_session_factory(make_engine(url))() as session:
        return list(session.scalars(select(Outbox.envelope).order_by(Outbox.id)))


def measure_mix(
    clocks: dict[str, Callable[[], float]], sink_port: int, emails: list[Email],
    notify: Callable[[], float],
) -> tuple[Side, Side]:
    """smtplib, notify, smtplib: the two sides of one mix."""
    rate, cpu = cpu_split(clocks, lambda: smtplib_round(sink_port, emails))
    smtp = Side([rate], cpu)
    progress(f"  smtplib: {rate:.0f} emails/s")
    rate, cpu = cpu_split(clocks, notify)
    notified = Side([rate], cpu)
    progress(f"  notify: {notified.rate:.0f} emails/s")
    smtp.rates.append(smtplib_round(sink_port, emails))
    progress(f"  smtplib: {smtp.rates[-1]:.0f} emails/s")
    return smtp, notified


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_cleanly_on_sigterm()
    teams = [Team(n) for n in range(math.ceil(args.dialogues / len(KINDS)))]
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        content_db, assessment_db = (f"sqlite:///{work / name}.db"
                                     for name in ("content", "assessment"))
        progress(f"seeding: framework versions 1 and 2, {args.emails} units with leaders, "
                 f"{len(teams)} of them with their TRIO and employees")
        document, changes = seed_content(content_db)
        seed_assessment(assessment_db, args.emails, teams)
        notify_db = stack.enter_context(fresh_database(args.admin_url, "notify"))
        upgrade(NOTIFY_MIGRATIONS, notify_db)

        redis = stack.enter_context(OwnRedis(work))
        sink = stack.enter_context(Sink(work / "sink.log"))
        base = {**os.environ, "REDIS_URL": redis.url, "LOG_LEVEL": "WARNING",
                "LEDERDIALOG_VAR_DIR": str(work)}
        content = stack.enter_context(GunicornServer(
            "services.content.app:create_app()", ready_path="/healthz", workers=1,
            env={**base, "DATABASE_URL": content_db}, log_path=work / "content.log"))
        progress(f"recording {args.dialogues} dialogues")
        dialogue_ids = record_dialogues(assessment_db, content.url(""), teams, args.dialogues)
        assessment = stack.enter_context(GunicornServer(
            "services.assessment.app:create_app()", ready_path="/healthz", workers=2,
            env={**base, "DATABASE_URL": assessment_db, "CONTENT_URL": content.url("")},
            log_path=work / "assessment.log"))
        env = {**base, "DATABASE_URL": notify_db, "SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
               "CONTENT_URL": content.url(""), "ASSESSMENT_URL": assessment.url(""),
               "EVENT_STREAM": STREAM, "LOG_LEVEL": "WARNING"}
        progress("composing the same emails for the smtplib loop")
        mixes = {"framework": framework_emails(document, changes, args.emails),
                 "dialogues": summary_emails(env, dialogue_ids)}
        worker = notify_worker(stack, env, work / "worker.log", args.concurrency)
        consumer = notify_consumer(stack, env, work / "consumer.log")

        clocks = {
            "notify consumer": lambda: cpu_seconds(consumer.pid),
            "notify worker": lambda: cpu_seconds(worker.pid),
            "assessment": assessment.cpu_seconds, "content": content.cpu_seconds,
            "redis": redis.cpu_seconds, "smtp sink": sink.cpu_seconds,
            "postgresql": postgresql_cpu_seconds, "bench": time.process_time,
        }
        published = new_event(
            type="lederdialog.framework.published.v1", source="/lederdialog/content",
            data={"version_id": 2, "previous_version_id": 1,
                  "published_at": datetime.now(UTC).isoformat(), "changed_paths": [QUESTION]})
        rounds = {
            "framework": lambda: notify_round(redis.url, notify_db, [published],
                                              "framework_changed", args.emails),
            "dialogues": lambda: notify_round(redis.url, notify_db,
                                              outbox_events(assessment_db), "dialogue_summary",
                                              len(mixes["dialogues"])),
        }
        results = {}
        for name, emails in mixes.items():
            size = statistics.mean(len(email.data) for email in emails)
            progress(f"{name}: {len(emails)} emails of {size:.0f} bytes on average")
            results[name] = measure_mix(clocks, sink.port, emails, rounds[name])

    print(f"{'mix':<10} {'side':<8} {'emails':>7} {'emails/s':>9}  CPU ms per email by process "
          "(rounds' emails/s)")
    ratios = {}
    for name, (smtp, notified) in results.items():
        count = len(mixes[name])
        for side, measured in (("smtplib", smtp), ("notify", notified)):
            split = ", ".join(f"{part} {seconds / count * 1000:.2f}"
                              for part, seconds in measured.cpu.items()
                              if seconds / count * 1000 >= 0.005)
            rounds_ = " ".join(f"{r:.0f}" for r in measured.rates)
            print(f"{name:<10} {side:<8} {count:>7} {measured.rate:>9.0f}  {split} ({rounds_})")
        ratios[name] = notified.rate / smtp.rate
    print("ratios: " + ", ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items()))
    print(ratio_line("notify", min(ratios.values()), TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
