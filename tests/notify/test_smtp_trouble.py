"""The SMTP server answering 4xx for a minute: everything is delivered afterwards, once."""

from collections import Counter

import pytest

from tests.notify.org import add_leaders, announce, publish_version
from tests.support.dialogues import record

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)


def test_everything_is_delivered_after_a_minute_of_4xx(
    stack, assessment, sink, token, content_url, redis_url, stream, assessment_sessions,
    notify_database_url,
):
    # A minute on the first backend; on PostgreSQL a quarter of it keeps the suite short.
    refusing = 15 if notify_database_url.startswith("postgresql") else 60
    stack.env["NOTIFY_MAX_RETRIES"] = "60"
    wanted = set(add_leaders(assessment_sessions, 40))
    sink.refuse(451, seconds=refusing, text="greylisted, try again later")
    stack.start()
    record(assessment.client, token("leader", "leader"))
    assessment.publish()
    announce(redis_url, stream, *publish_version(content_url, token("hr-1", "hr_admin")))

    expected = len(wanted) + 3 + 4  # the new leaders, the org's 3 leaders, 4 summaries
    received = sink.wait_for(expected, timeout=refusing + 60)
    received = sink.settle(quiet=5)
    assert sink.refused >= refusing / 4, "the workers kept trying through the refusal"
    assert len(received) == expected
    assert max(Counter(m.message_id for m in received).values()) == 1, "each email once"
    assert wanted <= {m.rcpt_tos[0] for m in received}
