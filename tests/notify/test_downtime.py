"""Reminders that fell due while the worker and beat were down go out once when they return."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services.assessment.dialogue_rules import local_today
from services.notify.models import ENQUEUED, PENDING, Reminder
from shared.outbox import utcnow
from tests.notify.mail import subject
from tests.support.dialogues import action, dialogue_body, participants_with, record
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)

# Danish time, as the assessment service counts days and (here, at NOTIFY_SEND_HOUR=0) notify.
TODAY = local_today()


def test_reminders_due_during_downtime_are_sent_once_on_return(
    stack, assessment, sink, token, notify_sessions, api, tmp_path, monkeypatch
):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    stack.env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    stack.start_consumer()  # events keep coming in; worker and beat are down
    body = dialogue_body(held_on=(TODAY - timedelta(days=30)).isoformat(),
                         participants=participants_with("emp2"), actions=[
        action(title=f"Handling {n}", owner_id=owner, due_on=(TODAY + timedelta(days=7))
               .isoformat()) for n, owner in enumerate(["emp1", "emp2", "emp1"])
    ])
    record(assessment.client, token("leader", "leader"), body)
    assessment.publish()

    def planned() -> list[str]:
        with notify_sessions() as session:
            rows = session.scalars(select(Reminder).where(Reminder.kind == "action_reminder"))
            return [row.key for row in rows]

    keys = wait_until(lambda: len(planned()) == 3 and planned(),
                      message=lambda: f"action reminders planned: {planned()}")
    with notify_sessions() as session:  # they fell due an hour ago, while nothing ran
        session.execute(update(Reminder).where(Reminder.key.in_(keys))
                        .values(due_at=utcnow() - timedelta(hours=1)))
        session.commit()
    time.sleep(2)  # what is under test: in this time nothing may go out (no worker, no beat)
    assert sink.received == []

    stack.start_worker()
    stack.start_beat()  # polls every second in the tests
    received = sink.wait_for(5 + 3, timeout=60)  # the summaries, then the reminders
    stack.wait_for_polls(3)  # several more polls: nothing is sent twice
    received = sink.settle(quiet=2)
    reminders = [m for m in received if subject(m.message).startswith(("Påmindelse", "Reminder"))]
    assert len(reminders) == 3
    assert max(Counter(m.message_id for m in received).values()) == 1
    with notify_sessions() as session:
        statuses = dict(session.execute(select(Reminder.key, Reminder.status)).all())
    assert {statuses[key] for key in keys} == {ENQUEUED}
    assert PENDING in statuses.values(), "the later reminders still wait for their day"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics))
    exposed = api.get("/metrics").get_data(as_text=True)
    assert 'lederdialog_notify_reminder_backlog{state="due"} 0.0' in exposed
    # Each action's due date and both escalations, and the follow-up prompt.
    assert 'lederdialog_notify_reminder_backlog{state="scheduled"} 10.0' in exposed
