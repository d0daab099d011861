"""Time HR's import page with an organisation of 10,000 people: the preview, then the import.

What is measured: the web service (services/web) under gunicorn as bench/web.py starts it
(`-c python:shared.gunicorn_conf`, WEB_DEV_SIGN_IN=true, sessions and the kept file in Redis
at REDIS_URL, default redis://127.0.0.1:6379/0) in front of the assessment service (a fresh
PostgreSQL database, lederdialog_bench_hr_import_<random>, migrated and dropped at the end),
2 workers each. The HR person signs in through the development sign-in, then does what a
browser does on /hr/organisation/import, one request after another:

  preview   POST the form (multipart: the file, the CSRF token): the web sends the file to
            the import's dry run, keeps it in Redis and redirects; then GET the preview
            page, which lists up to 1,000 changes of each kind
  import    POST the confirmation: the web sends the kept file to the import; then GET
            the page of the result

The organisation is bench/org_import.py's generated municipality (--people, 10,000 by
default: units of 14 people, each with a leader, TR and AMR). Two scenarios, on one
database, in turn:

  first import   an empty organisation; everything is created
  re-import      a month later (org_import.change_a_little: renamed, moved and new people
                 and units), as the whole organisation (whole=true): no one leaves

Each is run --rounds times: the first import on a fresh database each round. Every
answer must be what a browser would get (the redirect, then the page) and the import's
counts must be the expected ones, or the benchmark fails.

How to read it: seconds from sending the form to having the page (wall clock, everything
on this machine), per step and in all, medians over the rounds. The web's own read timeout
for the import is 60 s (GUNICORN_TIMEOUT of the API's worker). The last line is
`hr import: preview X s, import Y s (10,000 people)`, the first import's medians.

Run: .venv/bin/python bench/hr_import.py  (--help; --people 2000 for a quick run). Needs
PostgreSQL (--admin-url) and Redis.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import requests
from assessment import flask_migrate
from common import ADMIN_URL, GunicornServer, exit_cleanly_on_sigterm, fresh_database, progress
from org_import import change_a_little, organisation
from web import GUNICORN_CONF, sign_in

from scripts.processes import WEB
from shared.config import JWTSettings

PAGE = "/hr/organisation/import"
HR = "hr-1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# A row of the result page's counts: added, changed, unchanged.
COUNTS = re.compile(r'<th scope="row">[^<]+</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>')
SCENARIOS = ("first import", "re-import")


@dataclass(frozen=True)
class Timing:
    """Seconds of each request: the form's POST and the page it leads to."""

    post: float
    page: float
    page_bytes: int

    @property
    def total(self) -> float:
        return self.post + self.page


class Browser:
    """HR's browser on the import page: one cookie, one request at a time."""

    def __init__(self, web: GunicornServer, cookie: str):
        self.web = web
        self.http = requests.Session()
        self.http.headers["Cookie"] = cookie

    def csrf(self, path: str) -> str:
        page = self.http.get(self.web.url(path), timeout=30)
        found = CSRF.search(page.text)
        if page.status_code != 200 or found is None:
            raise RuntimeError(f"GET {path} answered {page.status_code} without a form")
        return found.group(1)

    def preview(self, csv: bytes, *, whole: bool) -> tuple[Timing, str, str]:
        """Upload the file: the timing, the preview's path and page."""
        form = {"csrf_token": self.csrf(PAGE), **({"whole": "true"} if whole else {})}
        return self._step("POST", PAGE, data=form,
                          files={"file": ("organisation.csv", csv, "text/csv")})

    def confirm(self, preview_path: str) -> tuple[Timing, str, str]:
        """Confirm the import: the timing, the result's path and page."""
        return self._step("POST", preview_path, data={"csrf_token": self.csrf(preview_path)})

    def _step(self, method: str, path: str, **kwargs) -> tuple[Timing, str, str]:
        started = time.perf_counter()
        sent = self.http.request(method, self.web.url(path), allow_redirects=False,
                                 timeout=120, **kwargs)
        posted = time.perf_counter()
        if sent.status_code != 303:
            raise RuntimeError(f"{method} {path} answered {sent.status_code}, not 303: "
                               f"{sent.text[:2000]}")
        target = sent.headers["Location"]
        page = self.http.get(self.web.url(target), timeout=120)
        shown = time.perf_counter()
        if page.status_code != 200:
            raise RuntimeError(f"GET {target} answered {page.status_code}")
        return Timing(posted - started, shown - posted, len(page.content)), target, page.text


def run_round(args: argparse.Namespace, workdir: Path, database_url: str) -> dict[str, tuple]:
    """Both scenarios on a fresh database: each one's (preview, import) timings."""
    jwt = JWTSettings(secret=secrets.token_hex(32), issuer="lederdialog-bench",
                      audience="lederdialog")
    env = {
        **os.environ, "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "EVENT_STREAM": f"lederdialog.bench.{secrets.token_hex(4)}", "LOG_LEVEL": "WARNING",
        "JWT_ALGORITHM": "HS256", "JWT_SECRET": jwt.secret, "JWT_ISSUER": jwt.issuer,
        "JWT_AUDIENCE": jwt.audience, "WEB_DEV_SIGN_IN": "true", "DATABASE_URL": database_url,
        "RATE_LIMIT_PER_PERSON": "10000000/minute", "RATE_LIMIT_PER_ADDRESS": "10000000/minute",
    }
    flask_migrate("services.assessment.app", env)
    with ExitStack() as servers:
        def serve(name: str, app: str, service_env: dict) -> GunicornServer:
            return servers.enter_context(GunicornServer(
                app, ready_path="/readyz", env=service_env, log_path=workdir / f"{name}.log",
                workers=2, config=GUNICORN_CONF))

        assessment = serve("assessment", "services.assessment.app:create_app()", env)
        web = serve("web", "services.web.app:create_app()", {
            **env, "ASSESSMENT_URL": assessment.url(""), "GUNICORN_THREADS": str(WEB.threads)})
        browser = Browser(web, sign_in(web, HR))
        org = organisation(args.people)
        timings = {}
        for scenario in SCENARIOS:
            whole = scenario == "re-import"
            expected = change_a_little(org) if whole else {
                "units": {"created": len(org.units), "updated": 0, "unchanged": 0},
                "people": {"created": len(org.people), "updated": 0, "unchanged": 0},
                "left": [],
            }
            progress(f"{scenario}: {len(org.people):,} people, {len(org.units):,} units")
            preview, path, _page = browser.preview(org.csv(), whole=whole)
            confirmed, _path, result_page = browser.confirm(path)
            check_counts(result_page, expected)
            timings[scenario] = (preview, confirmed)
    return timings


def check_counts(result_page: str, expected: dict) -> None:
    """The result page's counts (units, then people: added, changed, unchanged) are those the
    file's changes call for."""
    shown = [tuple(map(int, row)) for row in COUNTS.findall(result_page)]
    wanted = [tuple(expected[kind][count] for count in ("created", "updated", "unchanged"))
              for kind in ("units", "people")]
    if shown != wanted:
        raise RuntimeError(f"the import's page shows {shown}, expected {wanted}")


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_results(args: argparse.Namespace, rounds: list[dict[str, tuple]]) -> None:
    print(f"web and assessment under gunicorn (shared.gunicorn_conf), 2 workers each; "
          f"{args.people:,} people; {len(rounds)} round(s), medians; seconds")
    print(f"{'scenario':<13} {'step':<8} {'form POST':>10} {'page GET':>9} {'total':>7} "
          f"{'page KiB':>9}  rounds (total)")
    for scenario in SCENARIOS:
        for index, step in enumerate(("preview", "import")):
            steps = [timings[scenario][index] for timings in rounds]
            print(f"{scenario:<13} {step:<8} {median([t.post for t in steps]):>10.2f} "
                  f"{median([t.page for t in steps]):>9.2f} "
                  f"{median([t.total for t in steps]):>7.2f} "
                  f"{median([t.page_bytes for t in steps]) / 1024:>9.0f}  "
                  + " ".join(f"{t.total:.2f}" for t in steps))
    first = [timings[SCENARIOS[0]] for timings in rounds]
    print(f"hr import: preview {median([p.total for p, _ in first]):.1f} s, "
          f"import {median([i.total for _, i in first]):.1f} s ({args.people:,} people)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="people (10000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (3)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"PostgreSQL ({ADMIN_URL})")
    args = parser.parse_args(argv)
    if args.people < 100 or args.rounds < 1:
        parser.error("--people must be at least 100 and --rounds at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_cleanly_on_sigterm()
    rounds = []
    for number in range(1, args.rounds + 1):
        progress(f"round {number} of {args.rounds}")
        with (
            tempfile.TemporaryDirectory(prefix="bench-hr-import-") as workdir,
            fresh_database(args.admin_url, "hr_import") as database_url,
        ):
            rounds.append(run_round(args, Path(workdir), database_url))
    print_results(args, rounds)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; servers stopped, database dropped")
