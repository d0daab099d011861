"""Requests per second of a leader's overview page, next to the same page from a fixed dict.

What is measured: the web service (services/web) under gunicorn as `make run` starts it
(`-c python:shared.gunicorn_conf`, the threads per worker scripts/processes.py gives it,
WEB_DEV_SIGN_IN=true, Redis sessions at REDIS_URL, default redis://127.0.0.1:6379/0), in front
of the content service (one fresh, migrated SQLite database in a temporary folder) and the
assessment service (a fresh PostgreSQL database, lederdialog_bench_web_<random>, migrated and
dropped at the end), 2 sync workers each.
The demo organisation (scripts/demo/organisation.csv) is imported through the API, and its
school leader l.leder records 20 dialogues of Skovgårdsskolen through it (the demo's two,
alternating, held a week apart: 20 open actions, follow-ups, this year's counts).

The web runs bench/web_app.py: the real app plus GET /bench/overview-fixed, which renders
the same template in the same layout, behind the same sign-in check and Redis session, from
the context the real overview gave its template once (captured before the runs). Signed in
as l.leder through the development sign-in, wrk (one thread, 16 connections, the session
cookie) loads in turn, after a warm-up of each, round after round

  overview        GET /overview               one API call, GET /api/v1/overview: the
                                              leader's actions, and per led unit this year's
                                              dialogues per setting, its follow-ups, its open
                                              actions, the owners' names
  fixed dict      GET /bench/overview-fixed   the same page without it
  fixed + me      GET /bench/overview-fixed-me  the same page after GET /api/v1/me, the
                                              cheapest authenticated API call (one indexed
                                              lookup): the floor any page with one call to
                                              the assessment service stands on

The table shows each one's median requests/s, p50/p99 latency, server CPU (the web's gunicorn
only) per request, errors and every round's rps; below it, p95 at 16 clients for both.

Then the bytes of a first visit, each page as the person who would visit it (/framework and
/sign-in signed out, /trio as the school's TR, the rest as l.leder): the HTML; every stylesheet
and script it links; and the fonts of every @font-face of those stylesheets, as a browser
fetches them (src in order up to the first file in a format it reads, so DKFDS's regular face
costs its .eot and its .woff): an upper bound, since a browser fetches only the faces the
page's text uses. The icons the stylesheet's other url()s name are left out. Bodies only,
uncompressed (Accept-Encoding: identity) and as sent for Accept-Encoding: gzip (WhiteNoise's
precompressed files, made first with `python -m whitenoise.compress` as `make run` does; the
HTML itself is not compressed by the app). /dialogues/new is reported, not measured, while
it is not there (404), like any page that does not answer 200.

How to read it: the last line, `web: ratio R (target 0.5)`, is overview rps divided by
fixed-dict rps, the share of the page's own rendering throughput left once it gets its data
from the APIs. At 0.5 or more, the API calls cost at most as much as everything else. The
line before it, `floor: ratio F`, is fixed + me rps divided by fixed-dict rps: the ratio a
page reaches with one authenticated call that asks the database almost nothing, the ceiling
for any real overview on this machine.

Run: .venv/bin/python bench/web.py  (--help for shorter runs). Needs wrk, Redis and PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import requests
from assessment import flask_migrate
from common import (
    ADMIN_URL,
    REPO_ROOT,
    WRK_THREADS,
    GunicornServer,
    Scenario,
    Stats,
    exit_cleanly_on_sigterm,
    format_table,
    fresh_database,
    progress,
    ratio_line,
    require_wrk,
    run_alternating,
    wrk_arguments,
)
from page_bytes import body_bytes, print_first_visits
from web_app import CONTEXT_FILE, FIXED_PATH, FLOOR_PATH, capture_overview

from scripts.processes import WEB
from services.web.static_files import STATIC
from shared.auth import mint_token
from shared.config import JWTSettings

GUNICORN_CONF = "python:shared.gunicorn_conf"
DEMO = REPO_ROOT / "scripts" / "demo"
LEADER, TRIO_MEMBER, UNIT = "l.leder", "t.tillid", "skovgaard"
DIALOGUES = 20
TARGET = 0.5
OVERVIEW, FIXED, FLOOR = "overview", "fixed dict", "fixed + me"
COOKIE = "lederdialog"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return wrk_arguments(
        __doc__, argv,
        each="page", rounds=3, duration=5, warmup=2, connections=16, workers=2,
        workers_help="web gunicorn workers", admin_url=ADMIN_URL,
    )


def load_organisation(assessment_url: str, jwt: JWTSettings) -> tuple[str, str]:
    """Import the demo organisation, record the leader's dialogues; one dialogue and action id."""
    def bearer(sub: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(jwt, sub=sub, roles=[role])}"}

    response = requests.post(
        f"{assessment_url}/api/v1/org/import", data=(DEMO / "organisation.csv").read_bytes(),
        headers={**bearer("hr.admin", "hr_admin"), "Content-Type": "text/csv"}, timeout=10)
    response.raise_for_status()
    bodies = [d["body"] for d in json.loads((DEMO / "dialogues.json").read_text())
              if d["recorded_by"] == LEADER and d["body"]["unit_id"] == UNIT]
    recorded = []
    for number in range(DIALOGUES):
        held_on = date.today() - timedelta(days=7 * (number + 1))
        body = {**bodies[number % len(bodies)], "held_on": held_on.isoformat()}
        body["actions"] = [
            {**{k: v for k, v in a.items() if k != "due_in_days"},
             "due_on": max(held_on, date.today() + timedelta(days=a["due_in_days"])).isoformat()}
            for a in body["actions"]]
        response = requests.post(f"{assessment_url}/api/v1/dialogues", json=body,
                                 headers=bearer(LEADER, "leader"), timeout=10)
        if response.status_code != 201:
            raise RuntimeError(f"dialogue refused: {response.status_code} {response.text}")
        recorded.append(response.json())
    with_action = next(d for d in recorded if d["actions"])
    return with_action["id"], with_action["actions"][0]["id"]


def sign_in(web: GunicornServer, sub: str) -> str:
    """The development sign-in, as a browser does it: the Cookie header of the new session."""
    browser = requests.Session()
    page = browser.get(web.url("/sign-in"), timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if page.status_code != 200 or csrf is None:
        raise RuntimeError(f"GET /sign-in answered {page.status_code} without a CSRF token")
    answer = browser.post(web.url("/sign-in/dev"), allow_redirects=False, timeout=10,
                          data={"csrf_token": csrf.group(1), "sub": sub, "next": "/overview"})
    if answer.status_code != 302 or COOKIE not in browser.cookies:
        raise RuntimeError(f"signing in as {sub} answered {answer.status_code}")
    return f"{COOKIE}={browser.cookies[COOKIE]}"


def run_benchmark(args: argparse.Namespace, wrk: str, workdir: Path, database_url: str) -> None:
    jwt = JWTSettings(secret=secrets.token_hex(32), issuer="lederdialog-bench",
                      audience="lederdialog")
    env = {
        **os.environ, "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "EVENT_STREAM": f"lederdialog.bench.{secrets.token_hex(4)}", "LOG_LEVEL": "INFO",
        "JWT_ALGORITHM": "HS256", "JWT_SECRET": jwt.secret, "JWT_ISSUER": jwt.issuer,
        "JWT_AUDIENCE": jwt.audience, "WEB_DEV_SIGN_IN": "true",
        CONTEXT_FILE: str(workdir / "overview.json"),
        # One person at one address, hundreds of requests a second: the rate limits count
        # (their cost is in the figures) but never refuse.
        "RATE_LIMIT_PER_PERSON": "10000000/minute", "RATE_LIMIT_PER_ADDRESS": "10000000/minute",
    }
    content_env = {**env, "DATABASE_URL": f"sqlite:///{workdir / 'content.db'}"}
    progress("compressing the static files, migrating, loading the organisation")
    subprocess.run([sys.executable, "-m", "whitenoise.compress", "-q", str(STATIC)], check=True)
    flask_migrate("services.content.app", content_env)
    with ExitStack() as servers:
        def serve(name: str, app: str, ready: str, service_env: dict, workers: int = 2):
            return servers.enter_context(GunicornServer(
                app, ready_path=ready, env=service_env, log_path=workdir / f"{name}.log",
                workers=workers, config=GUNICORN_CONF))

        content = serve("content", "services.content.app:create_app()", "/readyz", content_env)
        env.update(CONTENT_URL=content.url(""), DATABASE_URL=database_url)
        flask_migrate("services.assessment.app", env)
        assessment = serve("assessment", "services.assessment.app:create_app()", "/readyz", env)
        dialogue_id, action_id = load_organisation(assessment.url(""), jwt)
        env["ASSESSMENT_URL"] = assessment.url("")
        web = serve("web", "bench.web_app:create_app()", "/readyz",
                    {**env, "GUNICORN_THREADS": str(WEB.threads)}, args.workers)
        leader, trio = sign_in(web, LEADER), sign_in(web, TRIO_MEMBER)
        capture_overview(env, leader, Path(env[CONTEXT_FILE]))
        pages = [Scenario(OVERVIEW, web, "/overview", (f"Cookie: {leader}",)),
                 Scenario(FIXED, web, FIXED_PATH, (f"Cookie: {leader}",)),
                 Scenario(FLOOR, web, FLOOR_PATH, (f"Cookie: {leader}",))]
        check_pages(pages, leader)
        stats = run_alternating(wrk, pages, rounds=args.rounds, seconds=args.duration,
                                warmup=args.warmup, connections=args.connections)
        print_results(args, stats)
        print_first_visits(web.url(""), [
            ("/framework", "/framework", None), ("/sign-in", "/sign-in", None),
            ("/overview", "/overview", leader),
            ("/dialogues/<id>", f"/dialogues/{dialogue_id}", leader),
            ("/actions/<id>", f"/actions/{action_id}", leader),
            ("/dialogues/new", "/dialogues/new", leader), ("/trio", "/trio", trio),
        ])
    print(f"floor: ratio {stats[FLOOR].rps / stats[FIXED].rps:.2f} "
          "(the fixed page after GET /api/v1/me)")
    print(ratio_line("web", stats[OVERVIEW].rps / stats[FIXED].rps, TARGET))


def check_pages(pages: list[Scenario], cookie: str) -> None:
    """Both pages answer 200 to the cookie (wrk would count a redirect to /sign-in as fine)."""
    for page in pages:
        status, html = body_bytes(page.server.url(page.path), cookie, "identity")
        if status != 200:
            raise RuntimeError(f"GET {page.path} as {LEADER} answered {status}, not 200")
        progress(f"{page.name}: {len(html):,} bytes of HTML")


def print_results(args: argparse.Namespace, stats: dict[str, Stats]) -> None:
    print(f"gunicorn: {args.workers} web workers of {WEB.threads} threads (shared.gunicorn_conf), "
          "2 sync workers per API; "
          f"wrk: {WRK_THREADS} thread, {args.connections} connections, the leader's cookie; "
          f"{args.rounds} rounds x {args.duration} s, medians")
    print(format_table(stats))
    print(f"p95 at {args.connections} clients: " + ", ".join(
        f"{name} {s.latency_ms('p95_ms'):.2f} ms" for name, s in stats.items()))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = require_wrk()
    exit_cleanly_on_sigterm()
    with (
        tempfile.TemporaryDirectory(prefix="bench-web-") as workdir,
        fresh_database(args.admin_url, "web") as database_url,
    ):
        run_benchmark(args, wrk, Path(workdir), database_url)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; servers stopped, database dropped")
