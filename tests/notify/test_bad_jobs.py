"""A job no retry can fix (a date it cannot put in an email, a payload it cannot read), or
one out of retries, is dead-lettered whole and crossed off in the ledger, never left open:
a real Celery worker, a real SMTP server, the real assessment service."""

from datetime import date

import pytest
from sqlalchemy import select, update

from services.assessment.models import Dialogue
from services.notify import ledger
from services.notify.models import DONE, DeadLetter, QueuedJob
from shared.outbox import utcnow
from tests.support.dialogues import individual_body, record
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)


def queue(stack, notify_sessions, job: dict) -> dict:
    """Write the job down in the ledger and put it on the queue, as the consumer does."""
    with notify_sessions() as session:
        [job] = ledger.write_down(session, [job], now=utcnow())
        session.commit()
    stack.send_job(job)
    return job


def settled(notify_sessions, job: dict, timeout: float = 30.0) -> QueuedJob:
    """The job's ledger row once it is crossed off; fails the test if it stays open."""

    def crossed_off() -> QueuedJob | None:
        with notify_sessions() as session:
            row = session.get(QueuedJob, job["job_id"])
        return row if row.status == DONE else None

    return wait_until(crossed_off, timeout=timeout, message=f"{job['source']} is left open")


def letters(notify_sessions) -> list[DeadLetter]:
    with notify_sessions() as session:
        return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def test_a_summary_whose_follow_up_date_cannot_be_sent_is_dead_lettered_then_sent_by_hr(
    stack, assessment, assessment_sessions, sink, token, notify_sessions, api
):
    stack.start_worker()  # no consumer: the job is put on the queue by hand
    dialogue = record(assessment.client, token("leader", "leader"), individual_body())
    with assessment_sessions() as session:  # stored before the API bounded the date
        session.execute(update(Dialogue).where(Dialogue.id == dialogue["id"])
                        .values(follow_up_on=date(9999, 12, 31)))
        session.commit()
    job = queue(stack, notify_sessions, {"kind": "dialogue_summary", "source": "event-far",
                                         "data": {"dialogue_id": dialogue["id"]}})
    assert settled(notify_sessions, job).status == DONE, "crossed off, not left open"
    [letter] = letters(notify_sessions)
    assert (letter.kind, letter.person_id, letter.status) == ("dialogue_summary", None, "dead")
    assert letter.key == "event-far|dialogue_summary"
    assert letter.error.startswith("OverflowError: date value out of range (services/notify/")
    assert "retrying later" not in stack.worker_logs(), "no retry can fix it"
    assert sink.received == []

    # HR sees it among the dead letters; once the date is put right, HR sends it again.
    hr = token("hr-1", "hr_admin")
    [listed] = api.get("/api/v1/dead-letters", headers=hr).get_json()
    assert listed["person_id"] is None and "OverflowError" in listed["error"]
    with assessment_sessions() as session:
        session.execute(update(Dialogue).where(Dialogue.id == dialogue["id"])
                        .values(follow_up_on=date.fromisoformat(dialogue["follow_up_on"])))
        session.commit()
    assert api.post(f"/api/v1/dead-letters/{letter.id}/retry", headers=hr).status_code == 202
    [mail] = sink.wait_for(1, timeout=30)
    assert mail.rcpt_tos == ["leader@gentofte.test"]
    wait_until(lambda: letters(notify_sessions)[0].status == "delivered", timeout=10,
               message=lambda: f"the dead letter is {letters(notify_sessions)[0].status}")


def test_a_job_with_a_payload_it_cannot_read_is_dead_lettered_at_once(
    stack, sink, notify_sessions
):
    stack.start_worker()
    jobs = [queue(stack, notify_sessions, job) for job in (
        {"kind": "dialogue_summary", "source": "no-dialogue-id", "data": {}},
        {"kind": "no_such_kind", "source": "unknown-kind", "data": {}},
    )]
    assert [settled(notify_sessions, job).status for job in jobs] == [DONE, DONE]
    assert {(letter.key, letter.error.split(" (")[0]) for letter in letters(notify_sessions)} == {
        ("no-dialogue-id|dialogue_summary", "KeyError: 'dialogue_id'"),
        ("unknown-kind|no_such_kind", "KeyError: 'no_such_kind'"),
    }
    assert sink.received == []


def test_a_job_out_of_retries_while_a_service_is_away_is_dead_lettered(
    stack, sink, notify_sessions
):
    stack.env.update(ASSESSMENT_URL="http://127.0.0.1:9", NOTIFY_MAX_RETRIES="1")
    stack.start_worker()
    job = queue(stack, notify_sessions, {"kind": "dialogue_summary", "source": "away",
                                         "data": {"dialogue_id": "d1"}})
    assert settled(notify_sessions, job).status == DONE
    [letter] = letters(notify_sessions)
    assert letter.error.startswith("gave up after 1 retries: Unavailable: ")
    assert stack.worker_logs().count('"retrying later"') == 1
