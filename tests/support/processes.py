"""Run a service under gunicorn in its own process group, and kill that group hard."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from shared.config import REPO_ROOT
from tests.support.smtp_sink import free_port
from tests.support.waiting import wait_until


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process and every process it started."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@contextmanager
def gunicorn(
    app_spec: str, *, env: dict[str, str], log: Path, workers: int = 2, timeout: float = 30.0
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Serve app_spec with gunicorn on a free port until the block ends: (process, base URL)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), app_spec],
            cwd=REPO_ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def healthy() -> bool:
        assert process.poll() is None, f"gunicorn {app_spec} ended:\n{log.read_text()}"
        return requests.get(f"{base_url}/healthz", timeout=1).status_code == 200

    try:
        wait_until(healthy, timeout=timeout, ignoring=(requests.RequestException,),
                   message=lambda: f"gunicorn {app_spec} did not start:\n{log.read_text()}")
        yield process, base_url
    finally:
        kill_group(process)
