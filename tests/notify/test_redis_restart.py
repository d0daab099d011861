"""Redis (append-only file on) restarted in the middle of a stream: nothing is lost."""

from collections import Counter

import pytest

from tests.notify.org import announce, publish_version
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)

EVENTS = 30
LEADERS = ("director@gentofte.test", "leader@gentofte.test", "sfo-leader@gentofte.test")


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own, so that it can be killed."""
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


def test_restarting_redis_mid_stream_loses_nothing(
    stack, sink, content_url, token, own_redis
):
    stack.env["REDIS_URL"] = own_redis.url
    versions = publish_version(content_url, token("hr-1", "hr_admin"))
    stack.start()
    stack.start_beat()  # as deployed: it queues again a job the restart lost (ledger.py)
    events = [announce(own_redis.url, stack.settings.base.event_stream, *versions)
              for _ in range(EVENTS // 2)]
    sink.wait_for(3, timeout=60)  # emails in flight
    own_redis.kill()
    own_redis.start()
    events += [announce(own_redis.url, stack.settings.base.event_stream, *versions)
               for _ in range(EVENTS // 2)]

    received = sink.wait_for(EVENTS * len(LEADERS), timeout=120)
    received = sink.settle(quiet=3)
    got = Counter((m.message_id, m.rcpt_tos[0]) for m in received)
    assert {recipient for _id, recipient in got} == set(LEADERS)
    assert len(got) == EVENTS * len(LEADERS), "every event's emails arrived"
