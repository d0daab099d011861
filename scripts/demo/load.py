"""Load the demo organisation and dialogues into a running system, through its APIs.

python -m scripts.demo.load (`make demo` runs it beside `make run`).
Loading twice updates the organisation and records the dialogues again.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from shared.auth import mint_token
from shared.config import load_settings
from shared.http import TIMEOUT

HERE = Path(__file__).parent


def wait_until_ready(urls: list[str], timeout_seconds: float = 120) -> None:
    deadline = time.monotonic() + timeout_seconds
    for url in urls:
        while True:
            try:
                if requests.get(f"{url}/readyz", timeout=TIMEOUT).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not become ready; is `make run` running?")
            time.sleep(1)


def dated(body: dict, days_ago: int) -> dict:
    """The body with dates relative to today, so the demo always has due and overdue actions."""
    held_on = date.today() - timedelta(days=days_ago)
    actions = [
        {**{k: v for k, v in a.items() if k != "due_in_days"},
         "due_on": max(held_on, date.today() + timedelta(days=a["due_in_days"])).isoformat()}
        for a in body["actions"]
    ]
    return {**body, "held_on": held_on.isoformat(), "actions": actions}


def load(assessment_url: str) -> None:
    """Import the organisation and record the dialogues."""
    settings = load_settings("demo")

    def bearer(sub: str, *roles: str) -> dict[str, str]:
        token = mint_token(settings.jwt, sub=sub, roles=list(roles))
        return {"Authorization": f"Bearer {token}"}

    response = requests.post(
        f"{assessment_url}/api/v1/org/import", headers={
            **bearer("hr.admin", "hr_admin"), "Content-Type": "text/csv"},
        data=(HERE / "organisation.csv").read_bytes(), timeout=TIMEOUT,
    )
    response.raise_for_status()
    print(f"demo: organisation imported: {response.json()}", flush=True)
    for dialogue in json.loads((HERE / "dialogues.json").read_text()):
        response = requests.post(
            f"{assessment_url}/api/v1/dialogues", headers=bearer(dialogue["recorded_by"], "leader"),
            json=dated(dialogue["body"], dialogue["days_ago"]), timeout=TIMEOUT,
        )
        if response.status_code != 201:
            raise SystemExit(f"demo dialogue refused: {response.status_code} {response.text}")
        print(f"demo: dialogue {response.json()['id']} recorded by {dialogue['recorded_by']}",
              flush=True)


def main() -> None:
    settings = load_settings("demo")
    wait_until_ready([settings.content_url, settings.assessment_url])
    load(settings.assessment_url)
    print(f"demo: done; sign in at {settings.public_base_url} (e.g. as the leader of "
          "Skovgårdsskolen), or mint a token for the APIs: make token SUB=l.leder ROLE=leader")


if __name__ == "__main__":
    sys.exit(main())
