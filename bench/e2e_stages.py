"""Where a dialogue's time went on its way to the mail server, read after an e2e run.

Three stages, each from the moment one ended to the moment the next did, all on the wall
clock of this machine: the POST until its dialogue.recorded event was on the stream (the
request, the commit and the outbox relay's poll; the stream entry's id is Redis's time),
until notify's consumer had taken it (its processed_events row), and until the SMTP server
had accepted the last of its summaries (the Celery queue and the worker).
"""

from __future__ import annotations

import json

from redis import Redis
from sqlalchemy import select

from services.notify.models import ProcessedEvent
from shared.db import make_engine, make_session_factory

RECORDED = "lederdialog.dialogue.recorded.v1"
STAGES = ("to the stream", "taken by notify", "summaries accepted")


def event_times(redis_url: str, stream: str, database_url: str) -> dict[str, tuple[float, float]]:
    """dialogue id -> (when its dialogue.recorded event was on the stream, when notify's
    consumer took it), for every such event on the stream that notify took."""
    on_stream = {}
    redis = Redis.from_url(redis_url)
    for entry_id, fields in redis.xrange(stream):
        if fields.get(b"type", b"").decode() == RECORDED:
            event = json.loads(fields[b"event"])
            milliseconds = int(entry_id.decode().partition("-")[0])
            on_stream[event["id"]] = (event["data"]["dialogue_id"], milliseconds / 1000)
    redis.close()
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        taken = dict(session.execute(select(ProcessedEvent.event_id, ProcessedEvent.processed_at)
                                     .where(ProcessedEvent.type == RECORDED)).all())
    engine.dispose()
    return {dialogue_id: (at, taken[event_id].timestamp())
            for event_id, (dialogue_id, at) in on_stream.items() if event_id in taken}
