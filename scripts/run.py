"""`make run`: migrate every database, then start every process with named log lines.

Ctrl-C stops them all; the data under var/ is kept for the next run.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import threading

from honcho.manager import Manager
from honcho.printer import Printer

from scripts.processes import (
    MAILBOX_WEB_PORT,
    MIGRATED,
    SERVICES,
    WEB,
    embedded_processes,
    run_environment,
    system_processes,
)
from services.web.static_files import STATIC
from shared.config import REPO_ROOT, VAR_DIR


def empty_metrics_folders() -> None:
    """Each run counts from zero, in folders ready before any process that counts starts."""
    for service in SERVICES:
        shutil.rmtree(service.metrics_dir, ignore_errors=True)
        service.metrics_dir.mkdir(parents=True)


def prepare(env: dict[str, str]) -> None:
    """Migrate every database and compress the pages' static files, as an image build does;
    empty the metrics folders."""
    empty_metrics_folders()
    print("compressing the pages' static files ...", flush=True)
    subprocess.run([sys.executable, "-m", "whitenoise.compress", "-q", str(STATIC)],
                   env=env, cwd=REPO_ROOT, check=True)
    for service in MIGRATED:
        print(f"migrating {service.name} ...", flush=True)
        subprocess.run(shlex.split(service.flask("migrate")), env=env, cwd=REPO_ROOT, check=True)


def banner(env: dict[str, str], *, mailbox: bool) -> str:
    lines = ["", "Lederdialog is running:",
             f"  {'pages':<11} http://localhost:{WEB.port} (sign in as anyone of the organisation)"]
    for service in SERVICES:
        if service is WEB:
            continue
        base = f"http://localhost:{service.port}"
        lines.append(f"  {service.name:<11} {base}/docs (API), {base}/readyz")
    if mailbox:
        lines.append(f"  mailbox     http://localhost:{MAILBOX_WEB_PORT} (every email sent)")
    lines += [
        f"  events      {env['REDIS_URL']} stream {env.get('EVENT_STREAM', 'lederdialog.events')}",
        f"  data        {VAR_DIR}",
        "  logs        below, each line prefixed with its process name",
        "  stop        Ctrl-C (the data is kept)",
        "",
    ]
    return "\n".join(lines)


def load_demo_when_ready(env: dict[str, str]) -> None:
    """Load the demo data in the background once the services answer."""
    command = [sys.executable, "-m", "scripts.demo.load"]
    threading.Thread(
        target=subprocess.run, args=(command,), kwargs={"env": env, "cwd": REPO_ROOT},
        daemon=True,
    ).start()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", action="store_true",
                        help="also load a demo organisation and dialogues")
    demo = parser.parse_args(argv).demo
    embedded = embedded_processes(
        redis="REDIS_URL" not in os.environ, mailbox="SMTP_URL" not in os.environ
    )
    processes = embedded + system_processes()
    env = run_environment(dict(os.environ))
    (VAR_DIR / "redis").mkdir(parents=True, exist_ok=True)
    prepare(env)
    manager = Manager(Printer(sys.stdout, colour=sys.stdout.isatty()))
    for process in processes:
        manager.add_process(process.name, process.command, env={**env, **process.env},
                            cwd=str(REPO_ROOT))
    print(banner(env, mailbox=any(p.name == "mailbox" for p in embedded)), flush=True)
    if demo:
        load_demo_when_ready(env)
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
