"""`make run`: migrate every database, then start every process with named log lines.

Ctrl-C stops them all; the data under var/ is kept for the next run.
"""

from __future__ import annotations

import os
import subprocess
import sys

from honcho.manager import Manager
from honcho.printer import Printer

from scripts.processes import SERVICES, processes, run_environment
from shared.config import REPO_ROOT


def migrate(env: dict[str, str]) -> None:
    for service in SERVICES:
        print(f"migrating {service.name} ...", flush=True)
        subprocess.run(service.flask("migrate").split(), env=env, cwd=REPO_ROOT, check=True)


def banner(env: dict[str, str]) -> str:
    lines = ["", "Lederdialog is starting:"]
    for service in SERVICES:
        base = f"http://localhost:{service.port}"
        lines.append(f"  {service.name:<12} {base}/docs  (API docs), {base}/readyz")
    lines += [
        f"  events       {env['REDIS_URL']} stream {env.get('EVENT_STREAM', 'lederdialog.events')}",
        "  logs         JSON lines below, each prefixed with its process name",
        "  stop         Ctrl-C (data stays in var/)",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    embedded_redis = "REDIS_URL" not in os.environ
    env = run_environment(dict(os.environ))
    migrate(env)
    manager = Manager(Printer(sys.stdout, colour=sys.stdout.isatty()))
    for name, command in processes(embedded_redis=embedded_redis).items():
        manager.add_process(name, command, env=env, cwd=str(REPO_ROOT))
    print(banner(env), flush=True)
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
