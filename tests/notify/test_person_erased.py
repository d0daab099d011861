"""person.erased: notify keeps the digest of the former id alone, puts the pseudonym in its
place everywhere, blanks what its dead letters say of the person, and mails them nothing
again, not even from an event that names the former id after the erasure."""

import json
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import select, text, update

from services.assessment import erasure as assessment_erasure
from services.assessment.dialogue_rules import local_today
from services.assessment.models import Outbox
from services.notify.app import MIGRATIONS
from services.notify.erasure import REMOVED
from services.notify.models import (
    CANCELLED,
    OPEN,
    PENDING,
    DeadEvent,
    DeadLetter,
    Delivery,
    ErasedPerson,
    QueuedJob,
    Reminder,
)
from shared.db import make_engine
from shared.ids import person_digest
from shared.migrations import upgrade
from shared.outbox import stream_fields, utcnow
from tests.notify.conftest import NOTIFY_TABLES
from tests.notify.mail import by_recipient
from tests.notify.org import announce, publish_version
from tests.notify.stream import agreed, event, put
from tests.support.databases import backends, create_database, drop_database
from tests.support.dialogues import action, dialogue_body, record
from tests.support.waiting import wait_until

PSEUDONYM = "erased-00000000000000e1"


def erased(person_id: str = "emp1", pseudonym: str = PSEUDONYM) -> dict:
    return event("person.erased.v1", {"person_id": person_id, "pseudonym": pseudonym})


def everything(sessions) -> dict[str, list]:
    """Every row notify keeps but the ids of the events it handled, as text."""
    tables = [t for t in NOTIFY_TABLES if t != "processed_events"]
    with sessions() as session:
        return {table: sorted(json.dumps(row._asdict(), default=str, sort_keys=True)
                              for row in session.execute(text(f"SELECT * FROM {table}")))  # noqa: S608
                for table in tables}


def logged(stack, *parts: str) -> bool:
    """Whether a line of notify's logs holds every one of parts."""
    return any(all(part in line for part in parts) for line in stack.logs().splitlines())


def add_records_of_emp1(sessions) -> None:
    """What notify may hold of emp1 besides reminders: emails sent, a refused one, a whole
    job that failed, a job in the ledger, an event set aside."""
    bounce = "550 5.1.1 <emp1@gentofte.test>: Recipient address rejected"
    retry = {"kind": "action_due", "source": "action:a1:action_due:2027-01-15",
             "data": {"owner_id": "emp1", "leader_id": "leader", "unit_id": "skole"},
             "people": ["emp1"], "retry": True}
    summary = {"kind": "dialogue_summary", "source": "ev-3",
               "data": {"leader_id": "leader", "participant_ids": ["tr", "emp1"]}}
    now = utcnow()
    with sessions() as session:
        session.add_all([
            Delivery(key="ev-1|dialogue_summary|emp1", message_id="<m1@x>",
                     kind="dialogue_summary", person_id="emp1", state="sent"),
            Delivery(key="ev-1|dialogue_summary|tr", message_id="<m2@x>",
                     kind="dialogue_summary", person_id="tr", state="sent"),
            DeadLetter(key="action:a1:action_due:2027-01-15|action_due|emp1", kind="action_due",
                       person_id="emp1", job=retry, error=bounce, smtp_code=550),
            DeadLetter(key="ev-3|dialogue_summary", kind="dialogue_summary", person_id=None,
                       job=summary, error="ValueError: a bug"),
            QueuedJob(id="j1", status=OPEN, queued_at=now, job={
                **retry, "job_id": "j1",
                "dead_letter": "action:a1:action_due:2027-01-15|action_due|emp1"}),
            DeadEvent(stream="s", entry_id="1-0", event_id="ev-9", reason="failed",
                      error="KeyError", attempts=5, entry=stream_fields(event(
                          "dialogue.recorded.v1", {"dialogue_id": "d9", "leader_id": "leader",
                                                   "participant_ids": ["emp1", "tr"]}))),
        ])
        session.commit()


def test_the_pseudonym_takes_the_former_ids_place_in_everything_notify_keeps(
    consumer, raw_redis, stream, notify_sessions
):
    put(raw_redis, stream, agreed("mine", owner_id="emp1"), agreed("theirs", owner_id="emp2"),
        agreed("led", owner_id="emp2", leader_id="emp1"))
    made = consumer()
    made.run_once()
    add_records_of_emp1(notify_sessions)
    put(raw_redis, stream, erased())
    made.run_once()

    kept = everything(notify_sessions)
    assert "emp1" not in json.dumps(kept), "not the id, nor the address in an SMTP answer"
    with notify_sessions() as session:
        [row] = session.scalars(select(ErasedPerson)).all()
        assert (row.digest, row.pseudonym) == (person_digest("emp1"), PSEUDONYM)
        reminders = {(r.action_id, r.kind): r for r in session.scalars(select(Reminder))}
        assert {r.status for (a, _), r in reminders.items() if a in ("mine", "led")} == {
            CANCELLED}
        assert {r.status for (a, _), r in reminders.items() if a == "theirs"} == {PENDING}
        mine = reminders[("mine", "action_due")]
        assert (mine.owner_id, mine.data["owner_id"]) == (PSEUDONYM, PSEUDONYM)
        led = reminders[("led", "action_due")]
        assert (led.leader_id, led.data["leader_id"], led.owner_id) == (
            PSEUDONYM, PSEUDONYM, "emp2")
        assert {d.key: d.person_id for d in session.scalars(select(Delivery))} == {
            f"ev-1|dialogue_summary|{PSEUDONYM}": PSEUDONYM, "ev-1|dialogue_summary|tr": "tr"}
        letters = {d.kind: d for d in session.scalars(select(DeadLetter))}
        refused = letters["action_due"]
        assert refused.key == f"action:a1:action_due:2027-01-15|action_due|{PSEUDONYM}"
        assert (refused.person_id, refused.error, refused.smtp_code) == (PSEUDONYM, REMOVED, 550)
        assert refused.job["people"] == [PSEUDONYM]
        assert refused.job["data"] == {"owner_id": PSEUDONYM, "leader_id": "leader",
                                       "unit_id": "skole"}
        whole = letters["dialogue_summary"]
        assert whole.error == "ValueError: a bug", "a whole job's error is notify's own"
        assert whole.job["data"]["participant_ids"] == ["tr", PSEUDONYM]
        job = session.get(QueuedJob, "j1").job
        assert job["dead_letter"] == refused.key and job["people"] == [PSEUDONYM]
        [dead] = session.scalars(select(DeadEvent)).all()
        assert json.loads(dead.entry["event"])["data"]["participant_ids"] == [PSEUDONYM, "tr"]

    put(raw_redis, stream, erased())  # the event again (another copy, another id)
    made.run_once()
    assert everything(notify_sessions) == kept


def test_only_peoples_ids_are_replaced_not_a_unit_spelt_the_same(
    consumer, raw_redis, stream, notify_sessions
):
    put(raw_redis, stream, agreed("a1", owner_id="1001", unit_id="1001"), erased("1001"))
    consumer().run_once()
    with notify_sessions() as session:
        data = session.scalars(select(Reminder.data)).first()
    assert (data["owner_id"], data["unit_id"]) == (PSEUDONYM, "1001")


def test_an_event_naming_the_former_id_after_the_erasure_keeps_the_pseudonym(
    consumer, raw_redis, stream, notify_sessions
):
    put(raw_redis, stream, erased(), agreed("late", owner_id="emp1", leader_id="emp1"),
        event("dialogue.recorded.v1", {
            "dialogue_id": "d1", "revision": 1, "unit_id": "skole", "leader_id": "emp1",
            "setting": "work_community", "held_on": "2026-11-22", "framework_version": 1,
            "visibility": "shared", "follow_up_on": "2027-05-01",
            "participant_ids": ["emp1", "tr"], "action_ids": [], "focus_weights": {}}))
    made = consumer()
    made.run_once()
    [summary] = made.jobs
    assert (summary["data"]["leader_id"], summary["data"]["participant_ids"]) == (
        PSEUDONYM, [PSEUDONYM, "tr"])
    assert "emp1" not in json.dumps(everything(notify_sessions))


@pytest.mark.parametrize("backend", backends())
def test_the_migration_keeps_the_digests_of_ids_erased_before(backend, tmp_path):
    url = create_database(backend, "notify_0004", tmp_path)
    try:
        upgrade(MIGRATIONS, url, "0003")
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO erased_people (person_id, erased_at) "
                                    "VALUES ('emp1', :at)"), {"at": utcnow()})
        upgrade(MIGRATIONS, url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT * FROM erased_people")).mappings().all()
        engine.dispose()
        assert [(r["digest"], r["pseudonym"]) for r in rows] == [(person_digest("emp1"), None)]
    finally:
        drop_database(url)


# With notify's processes, the real assessment service and SMTP.

@pytest.mark.slow
def test_old_events_after_the_erasure_mail_the_erased_person_nothing(
    stack, assessment, assessment_sessions, notify_sessions, sink, token, raw_redis, stream
):
    """The dialogue and its action, about emp1, reach notify only after emp1's erasure:
    the others hear of the dialogue; emp1's pseudonym, whose address is gone, is not
    written to (no dead letter either), and their action's reminder goes nowhere."""
    stack.start()
    week = (local_today() + timedelta(days=7)).isoformat()  # the reminder is due today
    record(assessment.client, token("leader", "leader"),
           dialogue_body(actions=[action(due_on=week)]))
    with assessment_sessions() as session:
        pseudonym = assessment_erasure.erase(session, person_id="emp1",
                                             erased_by="hr").pseudonym
        outbox = session.scalars(select(Outbox).order_by(Outbox.id)).all()
        # The erasure also says emp1 left (test_person_left covers what notify does of it).
        *old, erasure, left = [row.envelope for row in outbox]
        session.execute(update(Outbox).values(published_at=utcnow()))
        session.commit()
    assert (erasure["type"], left["type"]) == (
        "lederdialog.person.erased.v1", "lederdialog.person.left.v1")
    put(raw_redis, stream, erasure, *old)  # the old events are handled after the erasure

    mails = by_recipient(sink.wait_for(3, timeout=30))
    assert set(mails) == {"leader@gentofte.test", "tr@gentofte.test", "amr@gentofte.test"}
    stack.poll_reminders()
    wait_until(lambda: logged(stack, "not sending: person left", "|action_reminder|"),
               timeout=30, message=stack.logs)
    assert len(sink.settle(quiet=2)) == 3, "no reminder to anyone"
    kept = everything(notify_sessions)
    assert kept["dead_letters"] == []
    assert "emp1" not in json.dumps(kept)
    with notify_sessions() as session:
        owners = session.scalars(select(Reminder.owner_id).where(Reminder.action_id.is_not(None)))
        assert set(owners) == {pseudonym}


@pytest.mark.slow
def test_a_person_erased_is_not_mailed_whatever_the_directory_says(
    stack, sink, content_url, token, redis_url, stream
):
    """The digest guards every email: here the director is still in the directory (the
    assessment service has not renamed them yet), and hears nothing of a new framework."""
    previous, version = publish_version(content_url, token("hr-1", "hr_admin"))
    redis = Redis.from_url(redis_url)
    redis.xadd(stream, stream_fields(erased("director")))
    redis.close()
    stack.start()
    announce(redis_url, stream, previous, version)
    mails = by_recipient(sink.wait_for(2, timeout=30))
    assert sorted(mails) == ["leader@gentofte.test", "sfo-leader@gentofte.test"]
    assert len(sink.settle()) == 2
    wait_until(lambda: logged(stack, "not sending: person erased", "|framework_changed|director"),
               timeout=30, message=stack.logs)

