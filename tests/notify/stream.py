"""Events for notify's tests as the producers lay them on the stream, and the group's state."""

from __future__ import annotations

from datetime import date, timedelta

from redis import Redis

from services.notify.consumer import GROUP
from shared.events import new_event
from shared.outbox import stream_fields

DUE = (date.today() + timedelta(days=30)).isoformat()
ASSESSMENT, CONTENT = "/lederdialog/assessment", "/lederdialog/content"


def agreed(action_id: str, owner_id: str = "emp1", **data) -> dict:
    """action.agreed of an open action due in a month (data overrides the payload's fields)."""
    return new_event(type="lederdialog.action.agreed.v1", source=ASSESSMENT,
                     data={"action_id": action_id, "dialogue_id": "d1", "unit_id": "skole",
                           "leader_id": "leader", "owner_id": owner_id, "due_on": DUE,
                           "focus_area": "reliable_communities",
                           "commitment": "proactive_management", "status": "open", **data})


def published(version: int) -> dict:
    """framework.published of a version that changed one text."""
    return new_event(type="lederdialog.framework.published.v1", source=CONTENT,
                     data={"version_id": version, "previous_version_id": version - 1,
                           "published_at": "2026-11-29T10:15:00+00:00", "changed_paths": ["x"]})


def event(type_: str, data: dict) -> dict:
    """Any event of the assessment service, data as given."""
    return new_event(type=f"lederdialog.{type_}", source=ASSESSMENT, data=data)


def put(redis: Redis, stream: str, *events: dict) -> list[str]:
    """Lay events on the stream as the relay does; their entry ids."""
    return [redis.xadd(stream, stream_fields(item)).decode() for item in events]


def pending(redis: Redis, stream: str) -> int:
    """Entries of the stream delivered to the group and not acknowledged."""
    return redis.xpending(stream, GROUP)["pending"]


def lag(redis: Redis, stream: str) -> int:
    """Entries of the stream not yet delivered to the group."""
    [group] = [g for g in redis.xinfo_groups(stream) if g["name"] in (GROUP, GROUP.encode())]
    return group["lag"]
