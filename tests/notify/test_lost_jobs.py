"""A job the queue lost (written down, never delivered to a worker) is sent once beat finds it."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.notify import ledger
from services.notify.models import DONE, QueuedJob
from shared.outbox import utcnow
from tests.notify.org import QUESTION, announce, publish_version
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)

LEADERS = {"director@gentofte.test", "leader@gentofte.test", "sfo-leader@gentofte.test"}


def statuses(notify_sessions) -> dict[str, str]:
    with notify_sessions() as session:
        return dict(session.execute(select(QueuedJob.id, QueuedJob.status)).all())


def test_a_job_lost_by_the_queue_is_queued_again_after_the_visibility_timeout(
    stack, sink, content_url, token, notify_sessions
):
    previous, version = publish_version(content_url, token("hr-1", "hr_admin"))
    job = {"kind": "framework_changed", "source": "lost-event",
           "data": {"version_id": version, "previous_version_id": previous,
                    "changed_paths": [QUESTION]}}
    with notify_sessions() as session:  # written down 20 s ago; Redis never kept it
        [job] = ledger.write_down(session, [job], now=utcnow() - timedelta(seconds=20))
        session.commit()
    stack.start()
    time.sleep(2)  # what is under test: in this time nothing may send it (no event, no beat)
    assert sink.received == [], "nothing sends it but the ledger"

    stack.start_beat()  # polls every second; the tests' visibility timeout is 10 s
    sink.wait_for(len(LEADERS), timeout=60)
    wait_until(lambda: statuses(notify_sessions) == {job["job_id"]: DONE},
               message=lambda: f"the job is not crossed off: {statuses(notify_sessions)}")
    stack.wait_for_polls(2)  # more polls: the finished job is not queued again
    received = sink.settle(quiet=2)
    assert {m.rcpt_tos[0] for m in received} == LEADERS
    assert max(Counter(m.message_id for m in received).values()) == 1
    assert statuses(notify_sessions) == {job["job_id"]: DONE}
    assert "queueing again a job not finished in time" in stack.worker_logs()


def test_every_job_is_crossed_off_when_its_task_is_over(
    stack, sink, content_url, token, notify_sessions, redis_url
):
    previous, version = publish_version(content_url, token("hr-1", "hr_admin"))
    stack.start()
    announce(redis_url, stack.settings.base.event_stream, previous, version)
    sink.wait_for(len(LEADERS), timeout=60)
    wait_until(lambda: set(statuses(notify_sessions).values()) == {DONE}, timeout=10,
               message=lambda: f"jobs left open: {statuses(notify_sessions)}")
