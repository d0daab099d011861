"""Dialogues recorded per second by `POST /api/v1/dialogues`, next to a minimal inserting app.

What is measured: the assessment service (services.assessment.app:create_app()) and the
minimal Flask app of bench/minimal_insert_app.py, which stores each POSTed JSON body as one
row, run side by side on one fresh PostgreSQL database (lederdialog_bench_assessment_<random>,
migrated like production and dropped at the end) under identical gunicorn settings. The
assessment service checks dialogues against a real content service (gunicorn, one worker,
its own migrated SQLite database in a temporary folder), which each worker asks for the
current framework version at most every 30 s. The organisation is one municipality with a
school: its leader, TR, AMR and two employees.

wrk (bench/assessment_load.lua, one thread, --connections 32) POSTs the same valid dialogue
(a work_community dialogue of the school with three participants, four ratings, one
strength, one development area and one action; ~1 KB of JSON) with the school leader's
bearer token (role leader) to both: the minimal app stores that very body, so both parse
and carry the same bytes. Every answer must be 201 and every run must leave as many new rows
as wrk counted answers, plus at most one per connection (requests still in flight when wrk
stops); otherwise the benchmark fails. After a warm-up of each, the two alternate, round
after round (minimal, assessment, minimal, assessment, ...).

Why 4 sync workers per app: the machine has 2 cores, shared with PostgreSQL and wrk. A
sync worker serves one request at a time and is idle while PostgreSQL executes and flushes
the commit, so 2 per core keep both cores busy; more only add context switches and database
connections. In short trials here 2 and 8 sync workers were slower than 4 for both apps,
and gthread (2 workers x 8 or 16 threads) served the service fewer dialogues per second with
about twice the p99 (its requests take turns on the GIL), while the minimal app gained from
keep-alive. Sync workers are also what production runs (shared/gunicorn_conf.py). The 32
clients queue on the listening socket, so their waiting shows in the latencies, as it would
in production. --workers changes the count for both apps.

How to read it: the table shows each side's median requests per second (dialogues or rows
stored per second), its latency at p50 and p99 (32 clients waiting their turn included),
the CPU time the server (gunicorn master and workers; not PostgreSQL) spent per request,
errors (always 0: any error fails the run) and every round's rps; a line below it gives
PostgreSQL's CPU time per request (all its processes, the other app idle meanwhile). The
last line, `assessment: ratio R (target 0.5)`, is dialogues per second divided by the
minimal app's inserts per second: the share of a bare one-row insert's throughput the whole
recording (token, validation, organisation and framework checks, rows in six tables
including two outbox events, in one statement, and the whole dialogue as the answer) keeps.
At 0.5 or more, recording a dialogue costs at most twice a bare insert.

Run: .venv/bin/python bench/assessment.py  (--help for shorter runs). Needs wrk, Redis
(the service's readiness check) and PostgreSQL (--admin-url; the user must be able to create
databases). Takes about 80 s with the defaults.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from common import (
    ADMIN_URL,
    REPO_ROOT,
    WRK_THREADS,
    GunicornServer,
    Round,
    Stats,
    WrkResult,
    exit_cleanly_on_sigterm,
    format_table,
    fresh_database,
    parse_wrk,
    postgresql_cpu_seconds,
    progress,
    ratio_line,
    require_wrk,
    wrk_arguments,
)
from minimal_insert_app import PATH as MINIMAL_PATH
from minimal_insert_app import inserts, metadata
from sqlalchemy import Engine, Table, func, select

from services.assessment.models import Dialogue, Person, Unit
from shared.auth import mint_token
from shared.config import JWTSettings
from shared.db import make_engine, make_session_factory

ASSESSMENT_APP = "services.assessment.app:create_app()"
CONTENT_APP = "services.content.app:create_app()"
MINIMAL_APP = "bench.minimal_insert_app:create_app()"
DIALOGUES_PATH = "/api/v1/dialogues"
LOAD_SCRIPT = Path(__file__).with_name("assessment_load.lua")
TARGET = 0.5
MINIMAL, ASSESSMENT = "minimal insert", "dialogue POST"
JWT_ISSUER, JWT_AUDIENCE = "lederdialog-bench", "lederdialog"
LEADER = "leader"
# (id, name, unit, language) and (id, name, parent, leader, TR, AMR); parents first.
PEOPLE = [
    ("director", "Dorthe Direktør", "kommune", "da"),
    (LEADER, "Lars Leder", "skole", "da"),
    ("tr", "Tina Tillid", "skole", "da"),
    ("amr", "Anders Arbejdsmiljø", "skole", "en"),
    ("emp1", "Eva Ansat", "skole", "da"),
    ("emp2", "Emil Ansat", "skole", "en"),
]
UNITS = [
    ("kommune", "Gentofte Kommune", None, "director", None, None),
    ("skole", "Skovgårdsskolen", "kommune", LEADER, "tr", "amr"),
]


@dataclass(frozen=True)
class Target:
    """One side of the comparison: its server, the path wrk POSTs to, the table it fills."""

    name: str
    server: GunicornServer
    path: str
    table: Table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return wrk_arguments(
        __doc__, argv,
        each="app", rounds=3, duration=10, warmup=3, connections=32, workers=4,
        admin_url=ADMIN_URL,
    )


def flask_migrate(app_module: str, env: dict[str, str]) -> None:
    """`flask migrate` of a service, as a deployment runs it before serving."""
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", app_module, "migrate"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{app_module} migrate failed:\n{completed.stdout}{completed.stderr}")


def load_organisation(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        session.add_all(
            Person(id=person_id, name=name, email=f"{person_id}@bench.test", language=language,
                   unit_id=unit_id)
            for person_id, name, unit_id, language in PEOPLE
        )
        session.flush()
        for unit_id, name, parent_id, leader_id, tr_id, amr_id in UNITS:
            session.add(Unit(id=unit_id, name=name, parent_id=parent_id, leader_id=leader_id,
                             tr_id=tr_id, amr_id=amr_id))
            session.flush()
        session.commit()


def dialogue_body() -> dict:
    """A valid work_community dialogue of the school, held a week ago, with one action."""
    held_on = date.today() - timedelta(days=7)
    weights = (40, 30, 20, 10)
    areas = ("competent_communities", "innovative_communities", "meaningful_communities",
             "reliable_communities")
    return {
        "setting": "work_community",
        "unit_id": "skole",
        "held_on": held_on.isoformat(),
        "participants": [
            {"person_id": LEADER, "role": "leader"},
            {"person_id": "emp1", "role": "employee"},
            {"person_id": "tr", "role": "tr"},
        ],
        "answers": {
            "wc_collaboration": "Vi samarbejder godt på tværs af årgangene.",
            "wc_expectations": "Klare aftaler om vikardækning.",
        },
        "focus_areas": [{"focus_area": area, "rating": 3, "weight": weight}
                        for area, weight in zip(areas, weights, strict=True)],
        "strengths": [{"focus_area": "meaningful_communities", "text": "Stærke relationer"}],
        "development_areas": [{"focus_area": "reliable_communities", "text": "Planlægning"}],
        "actions": [{
            "title": "Fælles planlægningsmøde hver fredag", "owner_id": "emp1",
            "due_on": (held_on + timedelta(days=30)).isoformat(),
            "focus_area": "reliable_communities", "commitment": "proactive_management",
        }],
    }


def post(url: str, body: bytes, token: str) -> tuple[int, str]:
    """One POST of a JSON body with a bearer token: the status and the answer's text."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", parts.path or "/", body=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}",
        })
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def rows(engine: Engine, table: Table) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def settled_rows(engine: Engine, table: Table) -> int:
    """The table's rows once the requests still in flight when wrk stopped are done."""
    count = rows(engine, table)
    while True:
        time.sleep(0.3)
        latest = rows(engine, table)
        if latest == count:
            return count
        count = latest


def run_wrk(
    wrk: str, target: Target, *, seconds: int, connections: int, env: dict[str, str]
) -> WrkResult:
    """POST with wrk for seconds; raise unless every answer was a 201."""
    completed = subprocess.run(
        [wrk, f"--threads={WRK_THREADS}", f"--connections={connections}",
         f"--duration={seconds}s", "--latency", "--script", str(LOAD_SCRIPT),
         target.server.url(target.path)],
        capture_output=True, text=True, env=env, check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    result = parse_wrk(completed.stdout)
    not_created = re.search(r"^not 201: (\d+)$", completed.stdout, re.MULTILINE)
    if not_created is None or int(not_created.group(1)) or result.errors:
        raise RuntimeError(f"{target.name}: not every answer was a 201:\n{completed.stdout}")
    return result


def checked_run(
    wrk: str, target: Target, engine: Engine, *, seconds: int, connections: int,
    env: dict[str, str],
) -> Round:
    """One wrk run, its server CPU per request, and a check of the rows it left."""
    before = rows(engine, target.table)
    cpu_before, database_before = target.server.cpu_seconds(), postgresql_cpu_seconds()
    result = run_wrk(wrk, target, seconds=seconds, connections=connections, env=env)
    cpu = target.server.cpu_seconds() - cpu_before
    database_cpu = postgresql_cpu_seconds() - database_before
    stored = settled_rows(engine, target.table) - before
    if not result.requests <= stored <= result.requests + connections:
        raise RuntimeError(
            f"{target.name}: wrk counted {result.requests} answers (at most {connections} "
            f"more in flight), but {stored} rows were stored in {target.table.name}"
        )
    return Round(result, server_cpu_us=cpu / max(result.requests, 1) * 1e6,
                 database_cpu_us=database_cpu / max(result.requests, 1) * 1e6)


def measure(
    args: argparse.Namespace, wrk: str, workdir: Path, database_url: str
) -> tuple[dict[str, Stats], dict[str, int]]:
    """The rounds of both apps, and the rows each table holds at the end."""
    jwt = JWTSettings(secret=secrets.token_hex(32), issuer=JWT_ISSUER, audience=JWT_AUDIENCE)
    common_env = {
        **os.environ, "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "EVENT_STREAM": f"lederdialog.bench.{secrets.token_hex(4)}", "LOG_LEVEL": "INFO",
        "JWT_ALGORITHM": "HS256", "JWT_SECRET": jwt.secret, "JWT_ISSUER": jwt.issuer,
        "JWT_AUDIENCE": jwt.audience,
        # One person at one address, hundreds of requests a second: the rate limits count
        # (their cost is in the figures) but never refuse.
        "RATE_LIMIT_PER_PERSON": "10000000/minute", "RATE_LIMIT_PER_ADDRESS": "10000000/minute",
    }
    content_env = {**common_env, "DATABASE_URL": f"sqlite:///{workdir / 'content.db'}"}
    progress("migrating the databases, loading the organisation")
    flask_migrate("services.content.app", content_env)
    engine = make_engine(database_url)
    try:
        with ExitStack() as servers:
            content = servers.enter_context(GunicornServer(
                CONTENT_APP, ready_path="/api/v1/framework", env=content_env,
                log_path=workdir / "content.log", workers=1,
            ))
            env = {**common_env, "DATABASE_URL": database_url, "CONTENT_URL": content.url("")}
            flask_migrate("services.assessment.app", env)
            load_organisation(engine)
            metadata.create_all(engine)
            targets = [
                Target(MINIMAL, servers.enter_context(GunicornServer(
                    MINIMAL_APP, ready_path="/healthz", env=env,
                    log_path=workdir / "minimal.log", workers=args.workers,
                )), MINIMAL_PATH, inserts),
                Target(ASSESSMENT, servers.enter_context(GunicornServer(
                    ASSESSMENT_APP, ready_path="/readyz", env=env,
                    log_path=workdir / "assessment.log", workers=args.workers,
                )), DIALOGUES_PATH, Dialogue.__table__),
            ]
            token = mint_token(jwt, sub=LEADER, roles=["leader"])
            stats = run_rounds(args, wrk, targets, engine, workdir, token)
        return stats, {target.name: rows(engine, target.table) for target in targets}
    finally:
        engine.dispose()


def run_rounds(
    args: argparse.Namespace, wrk: str, targets: list[Target], engine: Engine, workdir: Path,
    token: str,
) -> dict[str, Stats]:
    """Check one POST of each; warm each up; then alternate them, round after round."""
    body = json.dumps(dialogue_body(), ensure_ascii=False).encode()
    body_file = workdir / "dialogue.json"
    body_file.write_bytes(body)
    wrk_env = {**os.environ, "BENCH_BODY_FILE": str(body_file), "BENCH_TOKEN": token}
    for target in targets:
        status, answer = post(target.server.url(target.path), body, token)
        if status != 201:
            raise RuntimeError(f"{target.name}: POST answered {status}, not 201:\n{answer}")
    progress(f"one POST of each answered 201 (body: {len(body)} bytes of JSON)")
    for target in targets:
        progress(f"warm-up {target.name} ({args.warmup} s)")
        checked_run(wrk, target, engine, seconds=args.warmup, connections=args.connections,
                    env=wrk_env)
    stats = {target.name: Stats() for target in targets}
    for round_number in range(1, args.rounds + 1):
        for target in targets:
            round_ = checked_run(wrk, target, engine, seconds=args.duration,
                                 connections=args.connections, env=wrk_env)
            progress(
                f"round {round_number}/{args.rounds} {target.name}: {round_.result.rps:.0f} "
                f"rps, p99 {round_.result.p99_ms:.1f} ms, "
                f"CPU/request: server {round_.server_cpu_us:.0f} us, "
                f"PostgreSQL {round_.database_cpu_us:.0f} us"
            )
            stats[target.name].rounds.append(round_)
    return stats


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = require_wrk()
    exit_cleanly_on_sigterm()
    with (
        tempfile.TemporaryDirectory(prefix="bench-assessment-") as workdir,
        fresh_database(args.admin_url, "assessment") as database_url,
    ):
        stats, stored = measure(args, wrk, Path(workdir), database_url)
    minimal, assessment = stats[MINIMAL], stats[ASSESSMENT]
    print(
        f"gunicorn: {args.workers} sync workers per app; PostgreSQL, one fresh database; "
        f"wrk: {WRK_THREADS} thread, {args.connections} connections, POST; "
        f"{args.rounds} rounds x {args.duration} s, medians"
    )
    print(format_table(stats))
    print(
        f"p99 latency, {ASSESSMENT} / {MINIMAL}: "
        f"{assessment.latency_ms('p99_ms') / minimal.latency_ms('p99_ms'):.2f}; "
        f"server CPU per request: {assessment.cpu_us / minimal.cpu_us:.2f}; PostgreSQL CPU "
        f"per request: {assessment.database_cpu_us:.0f} us / {minimal.database_cpu_us:.0f} us"
    )
    print(
        f"rows stored (every run checked against wrk's count): {stored[ASSESSMENT]} dialogues, "
        f"{stored[MINIMAL]} minimal inserts"
    )
    print(ratio_line("assessment", assessment.rps / minimal.rps, TARGET))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; servers stopped, database dropped")
