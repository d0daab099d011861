"""After a dialogue is recorded: a summary to the leader, and for a shared one to the TRIO,
the participants and the action owners, with an .ics for the follow-up date."""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import pytest
from icalendar import Calendar

from tests.notify.mail import by_recipient, html, parts, subject, text
from tests.support.dialogues import (
    action,
    dialogue_body,
    individual_body,
    participants_with,
    record,
)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)

BASE = "https://lederdialog.example"


def test_shared_dialogue_summary_reaches_leader_trio_and_owners(stack, assessment, sink, token):
    stack.start()
    body = dialogue_body(participants=participants_with("emp2"), actions=[
        action(), action(owner_id="emp2", title="Trivselsmåling")])
    dialogue = record(assessment.client, token("leader", "leader"), body)
    assessment.publish()

    mails = by_recipient(sink.wait_for(5, timeout=30))
    assert set(mails) == {"leader@gentofte.test", "tr@gentofte.test", "amr@gentofte.test",
                          "emp1@gentofte.test", "emp2@gentofte.test"}
    assert len(sink.settle()) == 5, "one email per recipient"

    danish = mails["leader@gentofte.test"]
    assert subject(danish).startswith("Opsummering af dialog: Generel ledelse")
    assert parseaddr(danish["To"]) == ("Lars Leder", "leader@gentofte.test")
    assert danish["Content-Language"] == "da"
    plain, rich = text(danish), html(danish)
    assert "Kære Lars Leder" in plain and "Kære Lars Leder" in rich
    assert f"{BASE}/dialogues/{dialogue['id']}" in plain
    assert f'href="{BASE}/dialogues/{dialogue["id"]}"' in rich
    action_id = dialogue["actions"][0]["id"]
    assert f"{BASE}/actions/{action_id}" in plain
    # The commitment and question quoted from framework version 1, in Danish.
    assert "vi fokuserer på proaktiv styring og initiativ" in plain
    assert "Hvordan samarbejder vi om god ledelse hos os?" in plain
    calendar = Calendar.from_ical(parts(danish)["text/calendar"].get_content())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == dialogue["follow_up_on"]
    assert str(event["url"]) == f"{BASE}/dialogues/{dialogue['id']}"

    english = mails["amr@gentofte.test"]
    assert english["Content-Language"] == "en"
    assert subject(english).startswith("Dialogue summary: General leadership")
    assert "Dear Anders Arbejdsmiljø" in text(english)
    assert "we focus on proactive management and initiative" in text(english)
    assert "text/calendar" in parts(english)
    assert "Trivselsmåling (your action)" in text(mails["emp2@gentofte.test"])


def test_private_dialogue_summary_goes_to_the_leader_alone(stack, assessment, sink, token):
    stack.start()
    record(assessment.client, token("leader", "leader"), individual_body())
    assessment.publish()
    [mail] = sink.settle(quiet=3)
    assert mail.rcpt_tos == ["leader@gentofte.test"]
    assert subject(mail.message).startswith("Opsummering af dialog: Den enkelte leder")


def test_the_request_id_follows_the_dialogue_into_the_email_logs(stack, assessment, sink, token):
    stack.start()
    headers = {**token("leader", "leader"), "X-Request-ID": "req-dialogue-42"}
    response = assessment.client.post("/api/v1/dialogues", json=individual_body(),
                                      headers=headers)
    assert response.status_code == 201
    assessment.publish()
    sink.wait_for(1, timeout=30)
    # The worker logs the email once it has recorded it, just after the server took it.
    wait_until(lambda: "req-dialogue-42" in stack.worker_logs(), timeout=20,
               message=lambda: f"no worker log line names the request:\n{stack.logs()}")
    sent = [line for line in stack.worker_logs().splitlines() if "req-dialogue-42" in line]
    assert any('"emails sent"' in line for line in sent), "the email's log carries the id"


def calendar_stamp(message) -> datetime:
    calendar = Calendar.from_ical(parts(message)["text/calendar"].get_content())
    [event] = calendar.walk("VEVENT")
    return event.decoded("dtstamp")


def test_every_participant_reads_who_took_part_who_owns_what_and_the_questions_in_order(
    stack, assessment, sink, token
):
    stack.start()
    before = datetime.now(UTC).replace(microsecond=0)
    # Recorded by the leader's leader: the unit's own leader is told too.
    body = dialogue_body(
        setting="leader_group", answers={
            "group_development": "Jeg vil uddelegere mere.",
            "group_collaboration": "Vi mødes hver måned.",
            "group_expectations": "Alle forbereder sig.",
        },
        participants=[{"person_id": "sfo-leader", "role": "colleague"},
                      {"person_id": "emp2", "role": "employee"}],
        actions=[action(owner_id="sfo-leader", title="Fælles ledermøde")],
    )
    record(assessment.client, token("director", "leader"), body)
    assessment.publish()

    mails = by_recipient(sink.wait_for(6, timeout=30))
    assert len(sink.settle()) == 6
    assert set(mails) == {"director@gentofte.test", "leader@gentofte.test", "tr@gentofte.test",
                          "amr@gentofte.test", "sfo-leader@gentofte.test",
                          "emp2@gentofte.test"}, "emp2 took part without an action"
    danish = text(mails["sfo-leader@gentofte.test"])
    for body_text in (danish, html(mails["sfo-leader@gentofte.test"])):
        assert "Leder: Dorthe Direktør" in body_text
        assert "Deltagere: Sofie SFO-leder, Emil Ansat" in body_text
        assert "Ansvarlig: Sofie SFO-leder" in body_text
    questions = ["Hvordan samarbejder vi om god ledelse?",
                 "Hvad kræver det af den enkelte leder og af os som ledere i fællesskab?",
                 "Hvor er det særligt vigtigt, at jeg udvikler mig"]
    places = [danish.index(question) for question in questions]
    assert places == sorted(places), "the framework's order, not the keys' alphabet"
    english = text(mails["emp2@gentofte.test"])
    assert "Participants: Sofie SFO-leder, Emil Ansat" in english
    assert "Owner: Sofie SFO-leder" in english
    assert english.index("How do we work together") < english.index("What does it require")

    # Each .ics is stamped when it was made.
    for message in mails.values():
        assert before <= calendar_stamp(message) <= datetime.now(UTC) + timedelta(seconds=1)


def test_a_specific_task_summary_names_the_task(stack, assessment, sink, token):
    stack.start()
    body = dialogue_body(
        setting="specific_task", task_description="Ny skolestruktur fra august",
        answers={"task_focus_areas": "Sikker drift frem for alt."},
        participants=participants_with("emp2"), actions=[action(owner_id="emp1")],
    )
    record(assessment.client, token("leader", "leader"), body)
    assessment.publish()
    mails = by_recipient(sink.wait_for(5, timeout=30))
    assert set(mails) == {"leader@gentofte.test", "tr@gentofte.test", "amr@gentofte.test",
                          "emp1@gentofte.test", "emp2@gentofte.test"}
    for message in mails.values():
        assert "Ny skolestruktur fra august" in text(message)
        assert "Ny skolestruktur fra august" in html(message)
    assert "Opgaven:" in text(mails["emp1@gentofte.test"])
    assert "The task:" in text(mails["emp2@gentofte.test"])
