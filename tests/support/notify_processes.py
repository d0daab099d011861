"""Long-running processes for tests: started with an environment, logged to a file, killed hard.

Each process leads its own process group, so a SIGKILL reaches its children
too (a Celery worker's pool processes die with it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from shared.config import REPO_ROOT
from tests.support.processes import kill_group
from tests.support.waiting import wait_until


class Process:
    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log_dir: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self._process: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self.command, cwd=REPO_ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 30.0) -> None:
        """Wait until the process has logged text; fail with its log if it doesn't."""

        def logged() -> bool:
            if text in self.log():
                return True
            assert self.running, f"{self.name} ended; its log:\n{self.log()[-4000:]}"
            return False

        wait_until(logged, timeout=timeout, message=lambda: (
            f"{self.name} did not log {text!r}; its log:\n{self.log()[-4000:]}"))

    def kill(self) -> None:
        """SIGKILL the process and everything it started, with no chance to clean up."""
        if self._process is not None:
            kill_group(self._process)
            self._process = None

    def terminate(self) -> None:
        """Ask the process to stop (SIGTERM); `stop` waits for it."""
        if self.running:
            os.killpg(self._process.pid, signal.SIGTERM)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM, then SIGKILL if it has not ended within timeout."""
        if self._process is None:
            return
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=timeout)
        self.kill()


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def celery(*args: str) -> list[str]:
    return python("-m", "celery", "-A", "services.notify.celery_app", *args)
