"""After a dialogue is recorded: a summary to the leader, and for a shared one to the TRIO
and the action owners, with an .ics for the follow-up date."""

import time
from email.utils import parseaddr

from icalendar import Calendar

from tests.notify.mail import by_recipient, html, parts, subject, text
from tests.support.dialogues import action, dialogue_body, individual_body, record

BASE = "https://lederdialog.example"


def test_shared_dialogue_summary_reaches_leader_trio_and_owners(stack, assessment, sink, token):
    stack.start()
    body = dialogue_body(actions=[action(), action(owner_id="emp2", title="Trivselsmåling")])
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
    deadline = time.monotonic() + 20
    while "req-dialogue-42" not in stack.worker_logs() and time.monotonic() < deadline:
        time.sleep(0.2)
    sent = [line for line in stack.worker_logs().splitlines() if "req-dialogue-42" in line]
    assert any('"emails sent"' in line for line in sent), "the email's log carries the id"
