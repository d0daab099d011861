"""Helpers the service benchmarks share: gunicorn servers, wrk runs, the summary they print.

Every benchmark compares a service endpoint with bench/hello_app.py under the same
gunicorn settings and the same wrk load, alternating the scenarios round by round
and taking the median per scenario, so machine noise hits both sides alike. Next to
wrk's figures the table shows the CPU time the server (gunicorn master and workers)
spent per request, which other load on the machine disturbs much less than rps.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.db import normalise_url

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"  # where benchmarks make databases
REPO_ROOT = Path(__file__).resolve().parent.parent
HELLO_APP = "bench.hello_app:app"
LATENCY_SCRIPT = Path(__file__).with_name("latency_p95.lua")  # adds p95 to wrk's percentiles
WRK_THREADS = 1
_LATENCY_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class WrkResult:
    requests: int
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int
    p95_ms: float | None = None  # printed by LATENCY_SCRIPT, when the run used it


@dataclass(frozen=True)
class Round:
    result: WrkResult
    server_cpu_us: float  # server CPU time per request, in microseconds
    database_cpu_us: float = 0.0  # PostgreSQL's CPU time per request, where measured


@dataclass
class Stats:
    """The rounds of one scenario; the table shows their medians."""

    rounds: list[Round] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(r.result.rps for r in self.rounds)

    @property
    def cpu_us(self) -> float:
        return statistics.median(r.server_cpu_us for r in self.rounds)

    @property
    def database_cpu_us(self) -> float:
        return statistics.median(r.database_cpu_us for r in self.rounds)

    def latency_ms(self, attribute: str) -> float | None:
        values = [getattr(r.result, attribute) for r in self.rounds]
        return None if None in values else statistics.median(values)

    @property
    def errors(self) -> int:
        return sum(r.result.errors for r in self.rounds)


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and everything below it (user and system)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def postgresql_cpu_seconds() -> float:
    """CPU time of the PostgreSQL processes alive now (the services keep theirs open)."""
    total = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in ("postgres", "postmaster"):
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
    return total


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so context managers stop the servers they started."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


def require_wrk() -> str:
    """The path of wrk, or exit non-zero telling how to install it."""
    path = shutil.which("wrk")
    if path is None:
        sys.exit("wrk (the HTTP load tool) is not installed: apt-get install wrk")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """One GET, body read; any status is returned, none raises."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path or "/", headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


class GunicornServer:
    """`gunicorn app_spec` on a free local port with sync workers, stopped on exit.

    Its output goes to log_path (shown if it fails to start). config, e.g.
    "python:shared.gunicorn_conf", is read first; the options given here override it.
    """

    def __init__(
        self, app_spec: str, *, ready_path: str, env: dict[str, str], log_path: Path,
        workers: int, config: str | None = None,
    ):
        self.app_spec = app_spec
        self.config = config
        self.ready_path = ready_path
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self._process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> GunicornServer:
        command = [
            sys.executable, "-m", "gunicorn", *(["--config", self.config] if self.config else []),
            "--worker-class", "sync", "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", self.app_spec,
        ]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_ready()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the master and its workers have used so far."""
        return cpu_seconds(self._process.pid)

    def _wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if get(self.url(self.ready_path)).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        log = self.log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"gunicorn {self.app_spec} did not get ready; its log:\n{log}")


@dataclass(frozen=True)
class Scenario:
    """One thing to load: a name for the table, the server, a path and extra headers."""

    name: str
    server: GunicornServer
    path: str
    headers: tuple[str, ...] = ()


def run_round(wrk: str, scenario: Scenario, *, seconds: int, connections: int) -> Round:
    """One wrk run and the server CPU time it cost per request."""
    cpu_before = scenario.server.cpu_seconds()
    result = run_wrk(wrk, scenario, seconds=seconds, connections=connections)
    cpu = scenario.server.cpu_seconds() - cpu_before
    return Round(result, server_cpu_us=cpu / max(result.requests, 1) * 1e6)


def run_wrk(wrk: str, scenario: Scenario, *, seconds: int, connections: int) -> WrkResult:
    """Load scenario with wrk (one thread) for seconds and parse what it reports."""
    command = [
        wrk, f"--threads={WRK_THREADS}", f"--connections={connections}",
        f"--duration={seconds}s", "--latency", "--script", str(LATENCY_SCRIPT),
    ]
    for header in scenario.headers:
        command += ["--header", header]
    completed = subprocess.run(
        [*command, scenario.server.url(scenario.path)], capture_output=True, text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return parse_wrk(completed.stdout)


def parse_wrk(output: str) -> WrkResult:
    requests = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if requests is None or rps is None:
        raise RuntimeError(f"no request count or Requests/sec in wrk's output:\n{output}")
    non_success = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_success.group(1)) if non_success else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(
        requests=int(requests.group(1)), rps=float(rps.group(1)),
        p50_ms=_percentile_ms(output, "50"), p99_ms=_percentile_ms(output, "99"), errors=errors,
        p95_ms=_percentile_ms(output, "95"),
    )


def _percentile_ms(output: str, percent: str) -> float | None:
    match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if match is None:
        return None
    return float(match.group(1)) * _LATENCY_UNITS_MS[match.group(2)]


def run_alternating(
    wrk: str, scenarios: Sequence[Scenario], *, rounds: int, seconds: int, warmup: int,
    connections: int,
) -> dict[str, Stats]:
    """Warm each scenario up, then run them in turn, round after round."""
    for scenario in scenarios:
        progress(f"warm-up {scenario.name} ({warmup} s)")
        run_wrk(wrk, scenario, seconds=warmup, connections=connections)
    stats = {scenario.name: Stats() for scenario in scenarios}
    for round_number in range(1, rounds + 1):
        for scenario in scenarios:
            round_ = run_round(wrk, scenario, seconds=seconds, connections=connections)
            progress(
                f"round {round_number}/{rounds} {scenario.name}: {round_.result.rps:.0f} rps, "
                f"{round_.server_cpu_us:.0f} us server CPU/request"
            )
            stats[scenario.name].rounds.append(round_)
    return stats


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def format_table(stats: dict[str, Stats]) -> str:
    """Medians of rps, latency and server CPU per request, errors, each round's rps."""
    lines = [
        f"{'scenario':<16} {'rps':>9} {'p50 ms':>8} {'p99 ms':>8} {'cpu us/req':>11} "
        f"{'errors':>7}  rounds (rps)"
    ]
    for name, scenario_stats in stats.items():
        rounds = " ".join(f"{r.result.rps:.0f}" for r in scenario_stats.rounds)
        lines.append(
            f"{name:<16} {scenario_stats.rps:>9.1f} {_ms(scenario_stats.latency_ms('p50_ms'))} "
            f"{_ms(scenario_stats.latency_ms('p99_ms'))} {scenario_stats.cpu_us:>11.0f} "
            f"{scenario_stats.errors:>7}  {rounds}"
        )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return f"{'-':>8}" if value is None else f"{value:>8.2f}"


def ratio_line(service: str, ratio: float, target: float) -> str:
    """The line every benchmark ends with, e.g. `content: ratio 0.93 (target 0.9)`."""
    return f"{service}: ratio {ratio:.2f} (target {target:g})"


@contextmanager
def fresh_database(admin_url: str, service: str) -> Iterator[str]:
    """Create a database of a random name; yield its URL; drop it, whatever happened."""
    name = f"lederdialog_bench_{service}_{secrets.token_hex(4)}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            progress(f"dropped database {name}")
    finally:
        admin.dispose()


def wrk_arguments(
    doc: str, argv: list[str] | None, *, each: str, rounds: int, duration: int, warmup: int,
    connections: int, workers: int, workers_help: str = "gunicorn sync workers",
    admin_url: str | None = None,
) -> argparse.Namespace:
    """The options every wrk benchmark takes, with its own defaults; each at least 1."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=rounds, help=f"rounds per {each} ({rounds})")
    parser.add_argument("--duration", type=int, default=duration,
                        help=f"seconds per round ({duration})")
    parser.add_argument("--warmup", type=int, default=warmup,
                        help=f"warm-up seconds per {each} ({warmup})")
    parser.add_argument("--connections", type=int, default=connections,
                        help=f"wrk connections ({connections})")
    parser.add_argument("--workers", type=int, default=workers,
                        help=f"{workers_help} ({workers})")
    if admin_url is not None:
        parser.add_argument("--admin-url", default=admin_url, help=f"PostgreSQL ({admin_url})")
    args = parser.parse_args(argv)
    for name in ("rounds", "duration", "warmup", "connections", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args
