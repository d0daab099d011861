"""Container healthchecks without curl in the image.

python -m shared.healthcheck url http://127.0.0.1:8001/healthz
python -m shared.healthcheck heartbeat /tmp/lederdialog-heartbeat 60
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from pathlib import Path


def heartbeat_from_env() -> Path | None:
    """The file a loop process touches every cycle, if HEARTBEAT_FILE names one."""
    path = os.environ.get("HEARTBEAT_FILE")
    return Path(path) if path else None


def check_url(url: str) -> None:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local URL
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")


def check_heartbeat(path: str, max_age_seconds: float) -> None:
    """A loop process touches its heartbeat file every cycle; a stale one means stuck."""
    age = time.time() - Path(path).stat().st_mtime
    if age > max_age_seconds:
        raise SystemExit(f"heartbeat {path} is {age:.0f}s old")


def main(argv: list[str]) -> None:
    kind, target, *rest = argv
    if kind == "url":
        check_url(target)
    elif kind == "heartbeat":
        check_heartbeat(target, float(rest[0]) if rest else 60.0)
    else:
        raise SystemExit(f"unknown check {kind!r}: use url or heartbeat")


if __name__ == "__main__":
    main(sys.argv[1:])
