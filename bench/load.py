"""Many people using the pages at once: errors, requests per second, p95 and p99 per kind.

What is measured: the web service (services/web, WEB_DEV_SIGN_IN=true, sessions in a Redis
of the run's own) in front of the content and assessment services, each under gunicorn as
`make run` starts them (`-c python:shared.gunicorn_conf`, --workers each; the web with 4
threads per worker, the APIs sync), on fresh PostgreSQL databases
(lederdialog_bench_<service>_<random>, migrated, dropped at the end). The rate limits are
on but set too high to refuse anything (bench/stack.py says why).
The organisation is generated (bench/organisation.py): a municipality and --people / 10
units, each with its leader, TR, AMR and 7 employees; every leader has recorded six
dialogues through the API beforehand (the three kinds twice), so employees own actions and
everyone has dialogues to read.

locust (headless, in a process of its own, bench/load_people.py) then plays --people
people at once, one simulated user each, started --spawn-rate a second, for --duration
seconds: the leaders, the TRIO members and the employees, each signed in through the
development sign-in and going from page to page as a browser does (the forms with their
CSRF tokens), pausing --think seconds on average between pages. Leaders read their
overview, the framework and their dialogues, change their actions' status and record
dialogues through the record form (the form, its review, save); TRIO members read their
view of the unit's dialogues; employees read their actions, change their status or move
their due date, and read the dialogues they were agreed in. The pages rather than the APIs:
they are what people use, and each page makes the API calls it needs, so the APIs are
loaded as people load them. The static files are left out: WhiteNoise serves them with a
year's caching, so a returning browser does not ask for them. Notify is not running: the
load on it is bench/e2e.py's. The development sign-in is not production's (OpenID
Connect): its page and its POST each read the whole organisation from the assessment API,
so the ramp-up costs more here than it would in production.

How to read it: a table of every kind of request (as the simulated browser asks for it)
with its count, errors, requests per second and p50, p95 and p99 in milliseconds (locust
rounds times above 100 ms to two significant digits), then the errors by kind and message
(0 expected: any answer but the page, or the redirect a form step gives, is one, and so is
an error in the simulated people's own code), and the CPU milliseconds each process spent
per request (locust's own included: it shares the machine). The last line is
`load: N errors, R requests/s` over the whole run, sign-ins and ramp-up included; the run
exits non-zero if N is not 0.

Run: .venv/bin/python bench/load.py  (--help for a shorter run). Needs PostgreSQL
(--admin-url). Takes about --duration + 30 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import requests
from common import (
    ADMIN_URL,
    REPO_ROOT,
    GunicornServer,
    exit_cleanly_on_sigterm,
    postgresql_cpu_seconds,
    progress,
)
from organisation import KINDS, Team, dialogue_body, org_csv
from stack import (
    GUNICORN_CONF,
    UNREFUSED_RATE_LIMITS,
    OwnRedis,
    bench_jwt,
    import_organisation,
    migrated_databases,
)

from scripts.processes import WEB
from shared.auth import mint_token
from shared.config import JWTSettings

PEOPLE_PER_UNIT = 10  # leader, TR, AMR and 7 employees
ROUNDS = 2  # dialogues of each kind each leader records beforehand
LOCUSTFILE = Path(__file__).with_name("load_people.py")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200,
                        help="people using the pages at once, a multiple of 10 (200)")
    parser.add_argument("--duration", type=int, default=180, help="seconds of load (180)")
    parser.add_argument("--spawn-rate", type=float, default=5.0,
                        help="people starting per second (5)")
    parser.add_argument("--think", type=float, default=10.0,
                        help="seconds a person pauses between pages, on average (10)")
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers per service (2, WEB_CONCURRENCY's default)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"PostgreSQL ({ADMIN_URL})")
    args = parser.parse_args(argv)
    if args.people < PEOPLE_PER_UNIT or args.people % PEOPLE_PER_UNIT:
        parser.error("--people must be a multiple of 10")
    for name in ("duration", "spawn_rate", "think", "workers"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be above 0")
    return args


def load_organisation(assessment_url: str, jwt: JWTSettings, teams: list[Team]) -> list[dict]:
    """Import the organisation and record each leader's dialogues; the people to play."""
    import_organisation(assessment_url, jwt, org_csv(teams))
    people = []
    for team in teams:
        owned: dict[str, list[str]] = {person_id: [] for person_id, _name in team.people()}
        token = mint_token(jwt, sub=team.leader, roles=["leader"])
        for number in range(ROUNDS * len(KINDS)):
            response = requests.post(
                f"{assessment_url}/api/v1/dialogues", timeout=30,
                json=dialogue_body(team, KINDS[number % len(KINDS)], number),
                headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 201:
                raise RuntimeError(f"dialogue refused: {response.status_code} {response.text}")
            for action in response.json()["actions"]:
                owned[action["owner_id"]].append(action["id"])
        employees = [team.employee(i) for i in range(team.employees)]
        kinds = {team.leader: "leader", team.tr: "trio", team.amr: "trio"}
        people += [{"id": person_id, "kind": kinds.get(person_id, "employee"),
                    "unit_id": team.unit_id, "actions": actions, "employees": employees}
                   for person_id, actions in owned.items()]
    return people


def run_locust(args: argparse.Namespace, web: GunicornServer, work: Path) -> float:
    """locust, headless, for the run's duration; its figures in work/locust_*.csv. Returns
    the CPU seconds locust spent."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
         "--users", str(args.people), "--spawn-rate", str(args.spawn_rate),
         "--run-time", f"{args.duration}s", "--stop-timeout", "10", "--host", web.url(""),
         "--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "BENCH_LOAD_PEOPLE": str(work / "people.json"),
             "BENCH_THINK_SECONDS": str(args.think)},
        timeout=args.duration + 120,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    (work / "locust.log").write_text(completed.stdout + completed.stderr)
    if not (work / "locust_stats.csv").exists():
        raise RuntimeError(f"locust failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def report(work: Path, cpu: dict[str, float]) -> int:
    """Print the figures; the number of errors (failed requests and errors in the simulated
    people's own code, which locust counts apart)."""
    rows = read_csv(work / "locust_stats.csv")
    failures = read_csv(work / "locust_failures.csv")
    exceptions = read_csv(work / "locust_exceptions.csv")
    print(f"{'request':<30} {'count':>7} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7}")
    for row in rows:
        name = "all" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        print(f"{name:<30} {row['Request Count']:>7} {row['Failure Count']:>6} "
              f"{float(row['Requests/s']):>7.2f} {row['50%']:>7} {row['95%']:>7} "
              f"{row['99%']:>7}")
    for failure in failures:
        print(f"error x{failure['Occurrences']}: {failure['Method']} {failure['Name']}: "
              f"{failure['Error'][:300]}")
    for exception in exceptions:
        where = " ".join(exception["Traceback"].strip().splitlines()[-2:][:1]).strip()
        print(f"error x{exception['Count']} in the simulated people's code: "
              f"{exception['Message'][:300]} ({where})")
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests_made = max(int(total["Request Count"]), 1)
    print("CPU ms per request by process: " + ", ".join(
        f"{name} {seconds / requests_made * 1000:.1f}" for name, seconds in cpu.items()))
    errors = int(total["Failure Count"]) + sum(int(e["Count"]) for e in exceptions)
    print(f"load: {errors} errors, {float(total['Requests/s']):.1f} requests/s")
    return errors


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_cleanly_on_sigterm()
    jwt, jwt_env = bench_jwt()
    teams = [Team(n, employees=PEOPLE_PER_UNIT - 3) for n in range(args.people // 10)]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        progress("migrating fresh PostgreSQL databases; starting Redis, content, assessment")
        databases = migrated_databases(stack, args.admin_url, ["content", "assessment"])
        redis = stack.enter_context(OwnRedis(work))
        env = {**os.environ, **jwt_env, **UNREFUSED_RATE_LIMITS, "REDIS_URL": redis.url,
               "LOG_LEVEL": "WARNING", "LEDERDIALOG_VAR_DIR": str(work), "WEB_DEV_SIGN_IN": "true"}

        def serve(service: str, ready: str = "/readyz", **extra: str) -> GunicornServer:
            return stack.enter_context(GunicornServer(
                f"services.{service}.app:create_app()", ready_path=ready,
                env={**env, **extra}, log_path=work / f"{service}.log", workers=args.workers,
                config=GUNICORN_CONF))

        content = serve("content", DATABASE_URL=databases["content"])
        env["CONTENT_URL"] = content.url("")
        assessment = serve("assessment", DATABASE_URL=databases["assessment"])
        env["ASSESSMENT_URL"] = assessment.url("")
        web = serve("web", GUNICORN_THREADS=str(WEB.threads))  # as make run runs it
        progress(f"importing {len(teams)} units of 10 people; each leader records "
                 f"{ROUNDS * len(KINDS)} dialogues")
        people = load_organisation(assessment.url(""), jwt, teams)
        (work / "people.json").write_text(json.dumps(people))
        progress(f"locust: {args.people} people for {args.duration} s, "
                 f"{args.think:g} s between pages on average")
        clocks = {"web": web.cpu_seconds, "assessment": assessment.cpu_seconds,
                  "content": content.cpu_seconds, "redis": redis.cpu_seconds,
                  "postgresql": postgresql_cpu_seconds}
        before = {name: clock() for name, clock in clocks.items()}
        locust_cpu = run_locust(args, web, work)
        cpu = {name: clock() - before[name] for name, clock in clocks.items()}
        errors = report(work, {**cpu, "locust": locust_cpu})
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; servers stopped, databases dropped")
