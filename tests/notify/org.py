"""Test data beyond the small org: many leaders, a new framework version, its event."""

from __future__ import annotations

import requests
from redis import Redis

from services.assessment.models import Person, Unit
from shared.events import new_event
from shared.outbox import stream_fields

QUESTION = "settings.individual_leader.questions.individual_strengths.text"


def add_leaders(sessions, count: int) -> list[str]:
    """count more units below kommune, each led by a person of its own; their emails."""
    with sessions() as session:
        for number in range(count):
            person_id = f"l{number:05d}"
            session.add(Person(id=person_id, name=f"Leder {number}",
                               email=f"{person_id}@gentofte.test", language="da",
                               unit_id=f"u{number:05d}"))
        session.flush()
        for number in range(count):
            session.add(Unit(id=f"u{number:05d}", name=f"Enhed {number}", parent_id="kommune",
                             leader_id=f"l{number:05d}"))
        session.commit()
    return [f"l{number:05d}@gentofte.test" for number in range(count)]


def publish_version(content_url: str, headers: dict) -> tuple[int, int]:
    """Publish a new version with the strengths question reworded: (previous id, new id)."""
    current = requests.get(f"{content_url}/api/v1/framework", timeout=10).json()["version"]["id"]
    draft = requests.post(f"{content_url}/api/v1/framework/versions", headers=headers,
                          timeout=10).json()["id"]
    change = {"path": QUESTION, "da": f"Hvad er mine styrker (v{draft})?",
              "en": f"What are my strengths (v{draft})?"}
    requests.patch(f"{content_url}/api/v1/framework/versions/{draft}/texts", headers=headers,
                   json={"changes": [change]}, timeout=10).raise_for_status()
    requests.post(f"{content_url}/api/v1/framework/versions/{draft}/publish", headers=headers,
                  timeout=10).raise_for_status()
    return current, draft



def announce(redis_url: str, stream: str, previous: int, version: int) -> dict:
    """Put the framework.published event of version on the stream; returns it."""
    event = new_event(
        type="lederdialog.framework.published.v1", source="/lederdialog/content",
        subject=f"framework/versions/{version}",
        data={"version_id": version, "previous_version_id": previous,
              "published_at": "2026-11-29T10:15:00+00:00", "changed_paths": [QUESTION]},
    )
    redis = Redis.from_url(redis_url)
    redis.xadd(stream, stream_fields(event))
    redis.close()
    return event
