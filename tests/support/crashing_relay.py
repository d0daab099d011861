"""A relay process that dies (SIGKILL) after putting events on the stream, before marking them.

Usage: python -m tests.support.crashing_relay DATABASE_URL REDIS_URL STREAM
"""

import os
import signal
import sys

from redis import Redis

from services.content.models import Outbox
from shared.db import make_engine, make_session_factory
from shared.outbox import OutboxRelay


def main() -> None:
    database_url, redis_url, stream = sys.argv[1:4]
    relay = OutboxRelay(
        session_factory=make_session_factory(make_engine(database_url)), model=Outbox,
        redis=Redis.from_url(redis_url), stream=stream, service="content",
    )
    relay.mark = lambda *_: os.kill(os.getpid(), signal.SIGKILL)
    relay.run_once()


if __name__ == "__main__":
    main()
