"""Requests per second of the content service's `GET /api/v1/framework`, next to hello-world.

What is measured: the content service (services.content.app:create_app(), on a fresh,
migrated and seeded SQLite database) and the minimal Flask app of bench/hello_app.py run
side by side under identical gunicorn settings (sync workers). wrk, with one thread and
the same connections, loads in turn

  hello-world    GET /                                         "Hello, World!"
  framework 200  GET /api/v1/framework                         the whole framework, JSON
  framework 304  the same GET with If-None-Match: <its ETag>   Not Modified, no body

each warmed up first, then round after round; the table shows each scenario's median
requests per second, latency (p50/p99) and CPU time the server (gunicorn master and
workers) spent per request, the errors wrk saw (should be 0) and every round's rps, so
you can judge the noise.

How to read it: the last line, `content: ratio R (target 0.9)`, is framework-200 rps
divided by hello-world rps, i.e. the share of a bare Flask app's throughput the framework
endpoint keeps. At 0.9 or more, the endpoint costs little beyond Flask and gunicorn
themselves. The 304 ratio is printed above it, and the same comparison by server CPU per
request (hello-world's divided by framework-200's): wrk shares the two cores with the
servers, so rps moves with whatever else runs on the machine, CPU per request far less.

Run: .venv/bin/python bench/content.py  (--help for shorter runs). Needs wrk and Redis.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from common import (
    HELLO_APP,
    REPO_ROOT,
    WRK_THREADS,
    GunicornServer,
    Scenario,
    Stats,
    exit_cleanly_on_sigterm,
    format_table,
    get,
    progress,
    ratio_line,
    require_wrk,
    run_alternating,
    wrk_arguments,
)

CONTENT_APP = "services.content.app:create_app()"
FRAMEWORK_PATH = "/api/v1/framework"
TARGET = 0.9


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return wrk_arguments(
        __doc__, argv,
        each="scenario", rounds=3, duration=5, warmup=2, connections=16, workers=2,
    )


def service_env(database_dir: Path) -> dict[str, str]:
    """The environment of both servers and of the migration: a fresh database, INFO logs."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database_dir / 'content.db'}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "LOG_LEVEL": "INFO",
    }


def migrate(env: dict[str, str]) -> None:
    """Create and seed the content database, as a deployment does before serving."""
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "services.content.app", "migrate"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{completed.stdout}{completed.stderr}")


def scenarios(hello: GunicornServer, content: GunicornServer) -> list[Scenario]:
    """The three scenarios; the 304 one sends the ETag the first framework response had."""
    framework_url = content.url(FRAMEWORK_PATH)
    etag = get(framework_url).getheader("ETag")
    if etag is None:
        raise RuntimeError(f"{FRAMEWORK_PATH} answered without an ETag")
    if get(framework_url, {"If-None-Match": etag}).status != 304:
        raise RuntimeError(f"{FRAMEWORK_PATH} with If-None-Match: {etag} is not a 304")
    return [
        Scenario("hello-world", hello, "/"),
        Scenario("framework 200", content, FRAMEWORK_PATH),
        Scenario("framework 304", content, FRAMEWORK_PATH, (f"If-None-Match: {etag}",)),
    ]


def measure(args: argparse.Namespace, wrk: str, workdir: Path) -> dict[str, Stats]:
    env = service_env(workdir)
    progress("migrating and seeding a fresh content database")
    migrate(env)
    with ExitStack() as servers:
        hello = servers.enter_context(GunicornServer(
            HELLO_APP, ready_path="/", env=env, log_path=workdir / "hello.log",
            workers=args.workers,
        ))
        content = servers.enter_context(GunicornServer(
            CONTENT_APP, ready_path=FRAMEWORK_PATH, env=env, log_path=workdir / "content.log",
            workers=args.workers,
        ))
        return run_alternating(
            wrk, scenarios(hello, content), rounds=args.rounds, seconds=args.duration,
            warmup=args.warmup, connections=args.connections,
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = require_wrk()
    exit_cleanly_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="bench-content-") as workdir:
        stats = measure(args, wrk, Path(workdir))
    hello_rps = stats["hello-world"].rps
    print(
        f"gunicorn: {args.workers} sync workers per app; wrk: {WRK_THREADS} thread, "
        f"{args.connections} connections; {args.rounds} rounds x {args.duration} s, medians"
    )
    print(format_table(stats))
    print(f"framework 304 / hello-world: {stats['framework 304'].rps / hello_rps:.2f}")
    print(
        "server CPU per request, hello-world / framework 200: "
        f"{stats['hello-world'].cpu_us / stats['framework 200'].cpu_us:.2f}"
    )
    print(ratio_line("content", stats["framework 200"].rps / hello_rps, TARGET))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; servers stopped")
