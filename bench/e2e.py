"""End to end: from a leader's POST of a dialogue to its summaries accepted by the mail server.

What is measured: the whole system as deployed, on this machine: the content, assessment
and notify services under gunicorn (`-c python:shared.gunicorn_conf`, --workers each) on
fresh PostgreSQL databases (lederdialog_bench_<service>_<random>, migrated, dropped at the
end), the assessment service's outbox relay, notify's consumer and Celery worker (the
commands of make run, --concurrency processes), a Redis of the run's own, and an SMTP
server (aiosmtpd) in this script that accepts every message and notes when. The demo
organisation (scripts/demo/organisation.csv) is imported through the API. The rate limits
are on but set too high to refuse anything (bench/stack.py): two leaders doing the work of
many would spend a person's budget in a minute.

Its leaders (l.leder of Skovgårdsskolen, p.leder of Kildegården) then record the demo's
three dialogues in turn (scripts/demo/dialogues.json: a shared work-community dialogue
whose summary goes to 5 people, the leader's private reflection to 1, a specific task to
4) through POST /api/v1/dialogues at a steady --rate for --duration seconds, open loop:
each POST goes out at its scheduled moment from a pool of threads, whether or not the ones
before it were answered. One dialogue of each kind is recorded first and waited for, to
check the path and learn how many summaries each kind gets (notify's own recipient rule,
asked of the assessment API); those are not counted.

For each POST: the time from sending it to the moment the SMTP server accepted the last
of its dialogue's summaries (every recipient has theirs; the first to arrive is shown too).
Each email is matched to its dialogue by the dialogue's link in its text. The path: the
POST and its commit (the outbox row with it), the relay's poll (every RELAY_POLL_SECONDS,
0.5), the stream, the consumer, the Celery queue, the worker's lookups in the assessment
and content APIs, the templates and the SMTP hand-off.

How to read it: the counts first: dialogues POSTed and recorded (any answer but 201 is
reported), summaries expected and received (every one must arrive within --drain seconds
after the last POST: the missing ones are reported, and a dialogue missing one counts as
infinitely slow), duplicates. Then p50, p95, p99 and the slowest of both times, of the
POSTs' own answers, and of the three stages the time until every summary splits into
(bench/e2e_stages.py: until the event is on the stream, until notify's consumer took it,
until the summaries were accepted); the p50 by fifth of the run, which grows from fifth
to fifth when the system falls behind the rate rather than being slow at it; how late the
client sent (its lag behind the schedule, which would bias the figures if large); and the
CPU seconds each process spent during the run. The last line, `e2e: p95 S s (target
2.0)`, is the p95 of the time until every recipient has the summary. The run exits
non-zero if a POST failed or an email is missing.

Run: .venv/bin/python bench/e2e.py  (--help for a shorter run). Needs PostgreSQL
(--admin-url). Takes about --duration + 40 s.
"""

from __future__ import annotations

import argparse
import email
import json
import math
import os
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests
from aiosmtpd.controller import Controller
from common import (
    ADMIN_URL,
    REPO_ROOT,
    GunicornServer,
    cpu_seconds,
    exit_cleanly_on_sigterm,
    free_port,
    postgresql_cpu_seconds,
    progress,
)
from e2e_stages import STAGES, event_times
from stack import (
    GUNICORN_CONF,
    UNREFUSED_RATE_LIMITS,
    OwnRedis,
    bench_jwt,
    import_organisation,
    migrated_databases,
    notify_consumer,
    notify_worker,
    outbox_relay,
)

from services.notify.directory import Directory
from services.notify.mailings import DialogueSummary
from shared.auth import mint_token
from shared.config import JWTSettings
from shared.http import http_session

TARGET_S = 2.0
DEMO = REPO_ROOT / "scripts" / "demo"
LINK = re.compile(rb"/dialogues/([0-9a-f-]{36})")
STREAM = "lederdialog.events"


@dataclass
class Accepted:
    """A message the SMTP server accepted, when, and for whom."""

    at: float
    to: tuple[str, ...]
    data: bytes


@dataclass
class TimingSink:
    """An aiosmtpd server in this process that accepts every message and notes when."""

    port: int = field(default_factory=free_port)
    accepted: list[Accepted] = field(default_factory=list)
    _controller: Controller | None = None

    async def handle_DATA(self, _server, _session, envelope) -> str:
        self.accepted.append(Accepted(time.time(), tuple(envelope.rcpt_tos),
                                      envelope.original_content))
        return "250 OK"

    def __enter__(self) -> TimingSink:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._controller.stop()


@dataclass
class Post:
    """One dialogue POSTed: its kind (index in the demo's dialogues), when, and the answer."""

    kind: int
    sent_at: float = 0.0
    scheduled_at: float = 0.0
    answered_at: float = 0.0
    status: int | None = None
    dialogue_id: str | None = None
    error: str = ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="dialogues per second (20)")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of POSTs at that rate (60)")
    parser.add_argument("--drain", type=float, default=60.0,
                        help="seconds to wait after the last POST for the last emails (60)")
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers per service (2, WEB_CONCURRENCY's default)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="Celery worker processes (4, as make run and compose.yaml start)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"PostgreSQL ({ADMIN_URL})")
    args = parser.parse_args(argv)
    for name in ("rate", "duration", "drain", "workers", "concurrency"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be above 0")
    return args


def demo_dialogues() -> list[tuple[str, dict]]:
    """(recorder, body) of the demo's dialogues, dated from today as `make demo` dates them."""
    found = []
    for dialogue in json.loads((DEMO / "dialogues.json").read_text()):
        body = dialogue["body"]
        held_on = date.today() - timedelta(days=dialogue["days_ago"])
        actions = [{**{k: v for k, v in a.items() if k != "due_in_days"},
                    "due_on": max(held_on, date.today() + timedelta(days=a["due_in_days"]))
                    .isoformat()} for a in body["actions"]]
        found.append((dialogue["recorded_by"],
                      {**body, "held_on": held_on.isoformat(), "actions": actions}))
    return found


class Leaders:
    """POSTs dialogues as their recorders, one keep-alive HTTP session per thread."""

    def __init__(self, assessment_url: str, jwt: JWTSettings, kinds: list[tuple[str, dict]]):
        self._url = f"{assessment_url}/api/v1/dialogues"
        self._kinds = [(json.dumps(body).encode(),
                        {"Authorization": f"Bearer {mint_token(jwt, sub=sub, roles=['leader'])}",
                         "Content-Type": "application/json"}) for sub, body in kinds]
        self._local = threading.local()

    def post(self, post: Post) -> Post:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False
        body, headers = self._kinds[post.kind]
        post.sent_at = time.time()
        try:
            response = session.post(self._url, data=body, headers=headers, timeout=30)
            post.status = response.status_code
            if response.status_code == 201:
                post.dialogue_id = response.json()["id"]
            else:
                post.error = response.text[:300]
        except requests.RequestException as exc:
            post.error = f"{type(exc).__name__}: {exc}"
        post.answered_at = time.time()
        return post


def dialogue_of(message: bytes) -> str | None:
    """The dialogue a summary is about: the id in the link of its text part."""
    for part in email.message_from_bytes(message).walk():
        if part.get_content_type() == "text/plain":
            found = LINK.search(part.get_payload(decode=True) or b"")
            if found:
                return found.group(1).decode()
    return None


class Arrivals:
    """Which summaries the sink has accepted: dialogue id -> recipient -> when the first one
    to them was accepted. Reads each message once, as it catches up with the sink."""

    def __init__(self, sink: TimingSink):
        self._sink = sink
        self._read = len(sink.accepted)  # from now on
        self.by_dialogue: dict[str, dict[str, float]] = defaultdict(dict)
        self.copies: dict[str, int] = defaultdict(int)  # emails per dialogue, duplicates too

    def update(self) -> Arrivals:
        for message in self._sink.accepted[self._read:]:
            self._read += 1
            dialogue_id = dialogue_of(message.data)
            if dialogue_id is not None:
                self.copies[dialogue_id] += len(message.to)
                for recipient in message.to:
                    self.by_dialogue[dialogue_id].setdefault(recipient, message.at)
        return self

    def complete(self, post: Post, expected: list[int]) -> bool:
        return len(self.by_dialogue.get(post.dialogue_id, ())) >= expected[post.kind]


def wait_for(arrived: Arrivals, posts: list[Post], expected: list[int], until: float) -> None:
    """Until every recorded dialogue has its expected summaries, or the time is up."""
    waiting = [p for p in posts if p.dialogue_id]
    while waiting and time.time() < until:
        time.sleep(0.5)
        arrived.update()
        waiting = [p for p in waiting if not arrived.complete(p, expected)]


def expected_summaries(assessment_url: str, jwt: JWTSettings, posts: list[Post]) -> list[int]:
    """How many summaries each kind's dialogue gets: notify's recipient rule, asked of the
    assessment API with notify's service token (the posts are one of each kind)."""
    session = http_session(token=mint_token(jwt, sub="notify", roles=["service"]))
    directory = Directory(assessment_url, session)
    return [len(DialogueSummary().load(directory, {"dialogue_id": p.dialogue_id}).recipients)
            for p in sorted(posts, key=lambda p: p.kind)]


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile (inf counts as slower than anything)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def run_open_loop(leaders: Leaders, kinds: int, rate: float, duration: float) -> list[Post]:
    """A POST every 1/rate seconds for duration seconds, each sent at its moment."""
    count = max(1, round(rate * duration))
    posts = [Post(kind=n % kinds) for n in range(count)]
    # Enough threads that a slow answer never holds up the next POST: a few seconds' worth.
    with ThreadPoolExecutor(max_workers=min(256, max(16, math.ceil(rate * 4)))) as pool:
        start = time.time() + 0.1
        for number, post in enumerate(posts):
            post.scheduled_at = start + number / rate
            delay = post.scheduled_at - time.time()
            if delay > 0:
                time.sleep(delay)
            pool.submit(leaders.post, post)
    return posts


def fmt(seconds: float) -> str:
    return "missing" if math.isinf(seconds) else f"{seconds:.3f}"


def report(posts: list[Post], expected: list[int], arrived: Arrivals,
           events: dict[str, tuple[float, float]], cpu: dict[str, float],
           args: argparse.Namespace) -> bool:
    """Print the figures; whether every POST was recorded and every summary arrived."""
    recorded = [p for p in posts if p.dialogue_id]
    refused = [p for p in posts if not p.dialogue_id]
    owed = sum(expected[p.kind] for p in recorded)
    received = sum(min(len(arrived.by_dialogue.get(p.dialogue_id, ())), expected[p.kind])
                   for p in recorded)
    duplicates = sum(arrived.copies[p.dialogue_id] - len(arrived.by_dialogue[p.dialogue_id])
                     for p in recorded if p.dialogue_id in arrived.by_dialogue)
    to_all, to_first, stages = [], [], {stage: [] for stage in STAGES}
    for post in recorded:
        times = sorted(arrived.by_dialogue.get(post.dialogue_id, {}).values())
        to_first.append(times[0] - post.sent_at if times else math.inf)
        complete = len(times) >= expected[post.kind]
        to_all.append(times[-1] - post.sent_at if complete else math.inf)
        if complete and post.dialogue_id in events:
            on_stream, taken = events[post.dialogue_id]
            for stage, seconds in zip(STAGES, (on_stream - post.sent_at, taken - on_stream,
                                               times[-1] - taken), strict=True):
                stages[stage].append(seconds)
    print(f"dialogues: {len(posts)} POSTed at {args.rate:g}/s for {args.duration:g} s "
          f"(open loop), {len(recorded)} recorded (201), {len(refused)} refused or failed")
    for post in refused[:5]:
        print(f"  refused: {post.status} {post.error}")
    print(f"summaries: {owed} expected, {received} received, {owed - received} missing "
          f"(waited {args.drain:g} s after the last POST), "
          f"{duplicates} duplicates")
    print(f"{'seconds from the POST':<38} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    for name, values in (("until every recipient's summary", to_all),
                         ("until the first summary", to_first),
                         ("the POST's answer", [p.answered_at - p.sent_at for p in recorded]),
                         *((f"  stage: {stage}", stages[stage]) for stage in STAGES)):
        if values:
            print(f"{name:<38} " + " ".join(f"{fmt(percentile(values, q)):>8}"
                                            for q in (50, 95, 99, 100)))
    if to_all:
        fifth = math.ceil(len(to_all) / 5)
        print("p50 until every recipient's summary, by fifth of the run: " + " ".join(
            fmt(percentile(to_all[n:n + fifth], 50)) for n in range(0, len(to_all), fifth)))
    lag = [p.sent_at - p.scheduled_at for p in posts]
    print(f"client lag behind the schedule: p99 {percentile(lag, 99) * 1000:.1f} ms, "
          f"max {max(lag) * 1000:.1f} ms")
    print("CPU seconds during the run: " + ", ".join(
        f"{name} {seconds:.1f}" for name, seconds in cpu.items()))
    p95 = percentile(to_all, 95) if to_all else math.inf
    print(f"e2e: p95 {p95:.2f} s (target {TARGET_S:.1f})")
    return not refused and owed == received


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_cleanly_on_sigterm()
    jwt, jwt_env = bench_jwt()
    kinds = demo_dialogues()
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        progress("migrating fresh PostgreSQL databases; starting Redis and the SMTP server")
        databases = migrated_databases(stack, args.admin_url,
                                       ["content", "assessment", "notify"])
        redis = stack.enter_context(OwnRedis(work))
        sink = stack.enter_context(TimingSink())
        env = {**os.environ, **jwt_env, **UNREFUSED_RATE_LIMITS, "REDIS_URL": redis.url,
               "EVENT_STREAM": STREAM, "LOG_LEVEL": "WARNING", "LEDERDIALOG_VAR_DIR": str(work),
               "SMTP_URL": f"smtp://127.0.0.1:{sink.port}"}

        def serve(service: str, **extra: str) -> GunicornServer:
            return stack.enter_context(GunicornServer(
                f"services.{service}.app:create_app()", ready_path="/readyz",
                env={**env, **extra, "DATABASE_URL": databases[service]},
                log_path=work / f"{service}.log", workers=args.workers, config=GUNICORN_CONF))

        progress("starting content, assessment (and its relay), notify (API, consumer, worker)")
        content = serve("content")
        env["CONTENT_URL"] = content.url("")
        assessment = serve("assessment")
        env["ASSESSMENT_URL"] = assessment.url("")
        relay = outbox_relay(stack, "services.assessment.app",
                             {**env, "DATABASE_URL": databases["assessment"]},
                             work / "relay.log")
        notify = serve("notify")
        notify_env = {**env, "DATABASE_URL": databases["notify"]}
        worker = notify_worker(stack, notify_env, work / "worker.log", args.concurrency)
        consumer = notify_consumer(stack, notify_env, work / "consumer.log")
        import_organisation(assessment.url(""), jwt, (DEMO / "organisation.csv").read_bytes())
        leaders = Leaders(assessment.url(""), jwt, kinds)

        progress("one dialogue of each kind first: the path works, and who gets each")
        first = [leaders.post(Post(kind=n)) for n in range(len(kinds))]
        if any(p.dialogue_id is None for p in first):
            raise RuntimeError(f"a first dialogue was refused: {[p.error for p in first]}")
        expected = expected_summaries(assessment.url(""), jwt, first)
        arrived = Arrivals(sink)
        wait_for(arrived, first, expected, time.time() + 60)
        if not all(arrived.complete(p, expected) for p in first):
            raise RuntimeError("the first dialogues' summaries did not all arrive in 60 s")
        progress(f"summaries per kind: {expected}; now {args.rate:g} dialogues/s for "
                 f"{args.duration:g} s")
        arrived = Arrivals(sink)  # the first dialogues' summaries are not counted

        clocks = {
            "assessment": assessment.cpu_seconds, "content": content.cpu_seconds,
            "relay": lambda: cpu_seconds(relay.pid), "notify API": notify.cpu_seconds,
            "notify consumer": lambda: cpu_seconds(consumer.pid),
            "notify worker": lambda: cpu_seconds(worker.pid), "redis": redis.cpu_seconds,
            "postgresql": postgresql_cpu_seconds, "bench and SMTP": time.process_time,
        }
        before = {name: clock() for name, clock in clocks.items()}
        posts = run_open_loop(leaders, len(kinds), args.rate, args.duration)
        progress(f"{len(posts)} POSTs sent; waiting for the summaries (at most {args.drain:g} s)")
        wait_for(arrived, posts, expected, time.time() + args.drain)
        cpu = {name: clock() - before[name] for name, clock in clocks.items()}
        events = event_times(redis.url, STREAM, databases["notify"])
        complete = report(posts, expected, arrived.update(), events, cpu, args)
    return 0 if complete else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; servers stopped, databases dropped")
