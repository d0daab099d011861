"""person.left and the people who left: nothing more is meant for the leaver, the leaders of
their open actions' dialogues hear which need a new owner, a new owner takes the reminders
over, and no email of any kind goes to someone who left."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from services.assessment.dialogue_rules import local_today
from services.assessment.models import Action, Person
from services.notify.models import CANCELLED, PENDING, Reminder
from tests.notify.mail import by_recipient, html, subject, text
from tests.notify.stream import DUE, agreed, event, put
from tests.support.dialogues import action, dialogue_body, participants_with, record
from tests.support.waiting import wait_until

BASE = "https://lederdialog.example"


def left(person_id: str, open_action_ids: list[str], left_on: date | None = None) -> dict:
    return event("person.left.v1", {
        "person_id": person_id, "unit_id": "skole", "open_action_ids": open_action_ids,
        "left_on": (left_on or date.today()).isoformat()})


def updated(action_id: str, owner_id: str, due_on: str = DUE) -> dict:
    """action.updated of a new owner: status and due date as they were."""
    return event("action.updated.v1", {
        "action_id": action_id, "dialogue_id": "d1", "unit_id": "skole", "leader_id": "leader",
        "owner_id": owner_id, "status": "open", "previous_status": "open", "due_on": due_on,
        "previous_due_on": due_on})


def reminders(sessions) -> dict[tuple[str, str], Reminder]:
    with sessions() as session:
        return {(r.action_id, r.kind): r for r in session.scalars(select(Reminder))}


def statuses(sessions, action_id: str) -> dict[str, str]:
    return {kind: r.status for (a, kind), r in reminders(sessions).items() if a == action_id}


def test_from_the_day_they_leave_nothing_is_meant_for_the_leaver_alone(
    consumer, raw_redis, stream, notify_sessions
):
    """Due in 30 days: the reminder (day 23) goes out before they leave on day 25, the due
    date's email is called off; the leader still hears when the action is overdue, and
    those above when it is escalated."""
    leaves = date.today() + timedelta(days=25)
    put(raw_redis, stream, agreed("a1", owner_id="emp1"), agreed("a2", owner_id="emp2"),
        left("emp1", ["a1"], leaves))
    made = consumer()
    made.run_once()
    assert statuses(notify_sessions, "a1") == {
        "action_reminder": PENDING, "action_due": CANCELLED, "action_overdue": PENDING,
        "action_escalated": PENDING}
    assert set(statuses(notify_sessions, "a2").values()) == {PENDING}
    [job] = made.jobs
    assert job["kind"] == "actions_to_reassign"
    assert job["data"] == {"person_id": "emp1", "unit_id": "skole", "open_action_ids": ["a1"],
                           "left_on": leaves.isoformat()}


def test_a_leaver_without_open_actions_makes_no_email(consumer, raw_redis, stream):
    put(raw_redis, stream, left("emp1", []))
    made = consumer()
    assert made.run_once() == 1
    assert made.jobs == []


def test_a_new_owner_takes_the_reminders_over(consumer, raw_redis, stream, notify_sessions):
    """Called off when emp1 left, they come back for emp2; another action stays as it was."""
    put(raw_redis, stream, agreed("a1", owner_id="emp1"), agreed("a2", owner_id="emp1"),
        left("emp1", ["a1", "a2"]), updated("a1", "emp2"))
    consumer().run_once()
    moved = {kind: r for (a, kind), r in reminders(notify_sessions).items() if a == "a1"}
    assert {kind: (r.status, r.owner_id, r.data["owner_id"]) for kind, r in moved.items()} == {
        kind: (PENDING, "emp2", "emp2") for kind in
        ("action_reminder", "action_due", "action_overdue", "action_escalated")}
    assert statuses(notify_sessions, "a2")["action_due"] == CANCELLED


def test_an_update_that_keeps_the_owner_changes_no_reminder(
    consumer, raw_redis, stream, notify_sessions
):
    put(raw_redis, stream, agreed("a1", owner_id="emp1"), left("emp1", ["a1"]),
        updated("a1", "emp1"))
    consumer().run_once()
    assert statuses(notify_sessions, "a1")["action_due"] == CANCELLED


# With notify's processes, the real assessment service and SMTP.

def leave(assessment_sessions, person_id: str, on: date) -> None:
    with assessment_sessions() as session:
        session.execute(update(Person).where(Person.id == person_id).values(left_on=on))
        session.commit()


@pytest.mark.slow
def test_the_leaders_hear_which_actions_need_a_new_owner(
    stack, assessment, assessment_sessions, sink, token, raw_redis, stream
):
    stack.start()
    with assessment_sessions() as session:
        session.execute(update(Person).where(Person.id == "director").values(language="en"))
        session.commit()
    ours = record(assessment.client, token("leader", "leader"), dialogue_body(actions=[
        action(), action(title="Ny legeplads"), action(title="Trivselsmåling", owner_id="tr")]))
    theirs = record(assessment.client, token("director", "leader"),
                    dialogue_body(actions=[action(title="Bedre vikarplan")]))
    assessment.publish()
    sink.wait_for(9, timeout=30)
    sink.settle()
    sink.clear()
    ids = {a["title"]: a["id"] for d in (ours, theirs) for a in d["actions"]}
    with assessment_sessions() as session:  # done meanwhile: it needs no new owner
        session.execute(update(Action).where(Action.id == ids["Ny legeplads"])
                        .values(status="done"))
        session.commit()
    today = local_today()
    leave(assessment_sessions, "emp1", today)
    open_ids = [ids["Fælles planlægningsmøde hver fredag"], ids["Ny legeplads"],
                ids["Bedre vikarplan"]]
    leaving = left("emp1", open_ids, today)
    put(raw_redis, stream, leaving, leaving)  # the relay may publish an event twice

    mails = by_recipient(sink.wait_for(2, timeout=30))
    assert len(sink.settle()) == 2, "one email to each leader, once"
    danish, english = mails["leader@gentofte.test"], mails["director@gentofte.test"]
    assert subject(danish) == "Eva Ansat er fratrådt: handlinger skal have en ny ansvarlig"
    assert subject(english) == "Eva Ansat has left: actions need a new owner"
    for mail in (danish, english):
        for body in (text(mail), html(mail)):
            assert f"{BASE}/actions?owner_left=true" in body
            assert "Ny legeplads" not in body and "Trivselsmåling" not in body
    for body in (text(danish), html(danish)):
        assert "Eva Ansat er fratrådt pr." in body
        assert "Fælles planlægningsmøde hver fredag" in body
        assert f"{BASE}/actions/{ids['Fælles planlægningsmøde hver fredag']}" in body
        assert "Bedre vikarplan" not in body, "the director's dialogue is the director's"
    for body in (text(english), html(english)):
        assert "Eva Ansat is no longer with the organisation" in body
        assert "Bedre vikarplan" in body
        assert "Fælles planlægningsmøde" not in body


@pytest.mark.slow
def test_someone_who_left_gets_no_summary_and_no_reminder(
    stack, assessment, assessment_sessions, sink, token
):
    """emp1 left before notify heard of the dialogue (no person.left yet): the others hear
    of it, and only emp2 of their action a week ahead."""
    stack.start()
    week = (local_today() + timedelta(days=7)).isoformat()
    record(assessment.client, token("leader", "leader"), dialogue_body(
        participants=participants_with("emp2"),
        actions=[action(due_on=week), action(owner_id="emp2", title="Trivselsmåling",
                                             due_on=week)]))
    leave(assessment_sessions, "emp1", local_today())
    assessment.publish()
    summaries = by_recipient(sink.wait_for(4, timeout=30))
    assert set(summaries) == {"leader@gentofte.test", "tr@gentofte.test", "amr@gentofte.test",
                              "emp2@gentofte.test"}
    assert len(sink.settle()) == 4
    sink.clear()

    stack.poll_reminders()
    [reminder] = sink.wait_for(1, timeout=30)
    assert reminder.rcpt_tos == ["emp2@gentofte.test"]
    assert subject(reminder.message).startswith("Reminder: Trivselsmåling")
    wait_until(lambda: any("not sending: person left" in line and "|action_reminder|emp1" in line
                           for line in stack.logs().splitlines()),
               timeout=30, message=stack.logs)
    assert len(sink.settle(quiet=2)) == 1
