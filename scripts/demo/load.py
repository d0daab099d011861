"""Load the demo organisation and dialogues into a running system, through its APIs.

python -m scripts.demo.load (`make demo` runs it beside `make run`).
Loading again updates the organisation and records none of the dialogues twice: a
dialogue its leader recorded before in the same unit and setting, with the same answers,
is the demo's, already there.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from shared.auth import mint_token
from shared.config import JWTSettings, load_settings
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


def recorded_before(assessment_url: str, headers: dict, *, leader_id: str,
                    body: dict) -> str | None:
    """The id of the dialogue this leader recorded before in the body's unit and setting
    with the body's answers, if there is one."""
    url, page = f"{assessment_url}/api/v1/dialogues", 1
    while page:
        response = requests.get(url, headers=headers, timeout=TIMEOUT, params={
            "unit_id": body["unit_id"], "setting": body["setting"], "page": page,
            "page_size": 100,
        })
        response.raise_for_status()
        for facts in response.json():
            if facts["leader_id"] != leader_id:
                continue
            whole = requests.get(f"{url}/{facts['id']}", headers=headers, timeout=TIMEOUT)
            whole.raise_for_status()
            if whole.json()["answers"] == body["answers"]:
                return facts["id"]
        page = json.loads(response.headers.get("X-Pagination", "{}")).get("next_page")
    return None


def load(assessment_url: str, jwt: JWTSettings) -> None:
    """Import the organisation and record the dialogues not recorded before."""

    def bearer(sub: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(jwt, sub=sub, roles=list(roles))}"}

    response = requests.post(
        f"{assessment_url}/api/v1/org/import", headers={
            **bearer("hr.admin", "hr_admin"), "Content-Type": "text/csv"},
        data=(HERE / "organisation.csv").read_bytes(), timeout=TIMEOUT,
    )
    response.raise_for_status()
    print(f"demo: organisation imported: {response.json()}", flush=True)
    for dialogue in json.loads((HERE / "dialogues.json").read_text()):
        leader_id, headers = dialogue["recorded_by"], bearer(dialogue["recorded_by"], "leader")
        found = recorded_before(assessment_url, headers, leader_id=leader_id,
                                body=dialogue["body"])
        if found is not None:
            print(f"demo: dialogue {found} recorded by {leader_id} is there already",
                  flush=True)
            continue
        response = requests.post(
            f"{assessment_url}/api/v1/dialogues", headers=headers,
            json=dated(dialogue["body"], dialogue["days_ago"]), timeout=TIMEOUT,
        )
        if response.status_code != 201:
            raise SystemExit(f"demo dialogue refused: {response.status_code} {response.text}")
        print(f"demo: dialogue {response.json()['id']} recorded by {leader_id}", flush=True)


def main() -> None:
    settings = load_settings("demo")
    wait_until_ready([settings.content_url, settings.assessment_url])
    load(settings.assessment_url, settings.jwt)
    print(f"demo: done; sign in at {settings.public_base_url} (e.g. as the leader of "
          "Skovgårdsskolen), or mint a token for the APIs: make token SUB=l.leder ROLE=leader")


if __name__ == "__main__":
    sys.exit(main())
