"""Reminders, escalations and follow-up prompts: rows in notify's database, sent when due."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.assessment.dialogue_rules import local_today
from services.notify.models import CANCELLED, PENDING, Reminder
from tests.notify.mail import by_subject_start, subject, text
from tests.support.dialogues import action, dialogue_body, participants_with, record

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)

# Danish time, as the assessment service counts days and (here, at NOTIFY_SEND_HOUR=0) notify.
TODAY = local_today()
HELD = TODAY - timedelta(days=30)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def reminders(notify_sessions, **where) -> list[Reminder]:
    with notify_sessions() as session:
        query = select(Reminder).order_by(Reminder.key)
        for column, value in where.items():
            query = query.where(getattr(Reminder, column) == value)
        return list(session.scalars(query))


def test_reminders_escalations_and_follow_up_go_out_when_due(
    stack, assessment, sink, token, notify_sessions
):
    stack.start()
    body = dialogue_body(held_on=HELD.isoformat(), follow_up_on=day(0),
                         participants=participants_with("emp2"), actions=[
        action(title="Reminder in a week", owner_id="emp1", due_on=day(7)),
        action(title="Due today", owner_id="emp2", due_on=day(0)),
        action(title="Overdue a week", owner_id="emp1", due_on=day(-7)),
        action(title="Overdue three weeks", owner_id="emp2", due_on=day(-21)),
    ])
    dialogue = record(assessment.client, token("leader", "leader"), body)
    ids = {a["title"]: a["id"] for a in dialogue["actions"]}
    assessment.publish()
    sink.wait_for(5, timeout=30)  # the summaries: leader, tr, amr, emp1, emp2
    assert len(sink.settle()) == 5
    due_now = [r.key for r in reminders(notify_sessions) if r.data["send_on"] == day(0)]
    assert len(due_now) == 5, due_now
    sink.clear()

    stack.poll_reminders()
    received = sink.wait_for(10, timeout=30)
    assert len(sink.settle()) == 10

    reminded = by_subject_start(received, "Påmindelse: Reminder in a week")
    assert list(reminded) == ["emp1@gentofte.test"]
    assert f"https://lederdialog.example/actions/{ids['Reminder in a week']}" in text(
        reminded["emp1@gentofte.test"])
    assert "vi fokuserer på proaktiv styring og initiativ" in text(reminded["emp1@gentofte.test"])

    assert list(by_subject_start(received, "Due today: Due today")) == ["emp2@gentofte.test"]

    overdue = by_subject_start(received, "Fristen er overskredet: Overdue a week")
    assert sorted(overdue) == ["emp1@gentofte.test", "leader@gentofte.test"]
    assert "overskredet med 7 dage" in text(overdue["emp1@gentofte.test"])

    escalated = {**by_subject_start(received, "Eskalering: Overdue three weeks"),
                 **by_subject_start(received, "Escalation: Overdue three weeks")}
    assert sorted(escalated) == ["amr@gentofte.test", "director@gentofte.test",
                                 "tr@gentofte.test"]
    assert subject(escalated["amr@gentofte.test"]) == \
        "Escalation: Overdue three weeks is 21 days overdue"
    assert "du er overordnet leder for" in text(escalated["director@gentofte.test"])

    prompts = {**by_subject_start(received, "Tid til opfølgning"),
               **by_subject_start(received, "Time to follow up")}
    assert sorted(prompts) == ["amr@gentofte.test", "leader@gentofte.test", "tr@gentofte.test"]
    prompt = text(prompts["leader@gentofte.test"])
    assert "Hvad kræver det af hhv. leder og medarbejdere?" in prompt
    # Weighted highest: competent (40) and innovative (30) communities; their commitments.
    assert "have øje for potentialer, motivation og at udvikle høj faglighed" in prompt
    assert "være modige, nysgerrige og lære af vores fejl" in prompt
    assert "tænke i sammenhænge" not in prompt  # reliable communities weighed 10
    assert f"https://lederdialog.example/dialogues/{dialogue['id']}" in prompt

    stack.poll_reminders()
    assert len(sink.settle(quiet=2)) == 10, "a reminder goes out once"


def test_finishing_or_moving_an_action_calls_off_or_moves_its_reminders(
    stack, assessment, sink, token, notify_sessions
):
    stack.start()
    body = dialogue_body(held_on=HELD.isoformat(), participants=participants_with("emp2"))
    body["actions"] = [
        action(title="Dropped", owner_id="emp1", due_on=day(-21)),
        action(title="Moved", owner_id="emp2", due_on=day(7)),
        action(title="Done", owner_id="emp1", due_on=day(14)),
    ]
    dialogue = record(assessment.client, token("leader", "leader"), body)
    ids = {a["title"]: a["id"] for a in dialogue["actions"]}
    leader, emp1 = token("leader", "leader"), token("emp1", "employee")
    assert assessment.client.patch(f"/api/v1/actions/{ids['Dropped']}", headers=leader,
                                   json={"status": "dropped"}).status_code == 200
    assert assessment.client.patch(
        f"/api/v1/actions/{ids['Moved']}", headers=leader,
        json={"due_on": day(40), "reason": "Ferie"}).status_code == 200
    assert assessment.client.post(f"/api/v1/actions/{ids['Done']}/complete", headers=emp1,
                                  json={"reflection": "Det gik godt"}).status_code == 200
    assessment.publish()
    sink.wait_for(4, timeout=30)  # summaries: leader, tr, amr, emp1, emp2 (emp1 once)

    for name in ("Dropped", "Done"):
        assert {r.status for r in reminders(notify_sessions, action_id=ids[name])} == {CANCELLED}
    moved = {r.key.rsplit(":", 2)[1]: (r.status, r.data["send_on"])
             for r in reminders(notify_sessions, action_id=ids["Moved"])
             if r.key.endswith(day(40))}
    assert moved == {
        "action_reminder": (PENDING, day(33)), "action_due": (PENDING, day(40)),
        "action_overdue": (PENDING, day(47)), "action_escalated": (PENDING, day(61)),
    }
    old = reminders(notify_sessions, action_id=ids["Moved"], kind="action_due")
    assert {(r.data["due_on"], r.status) for r in old} == {(day(40), PENDING), (day(7), CANCELLED)}

    sink.settle()
    sink.clear()
    stack.poll_reminders()  # nothing is due: the dropped action's escalation was called off
    # A job already on the queue when its action finished sends nothing either.
    stack.send_job({"kind": "action_escalated", "source": "test-escalation", "data": {
        "action_id": ids["Dropped"], "due_on": day(-21), "send_on": day(0)}})
    assert sink.settle(quiet=3) == []
