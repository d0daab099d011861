"""Names and action titles with CR, LF or encoded newlines add no header."""

from datetime import timedelta
from email.utils import getaddresses

import pytest
from sqlalchemy import update

from services.assessment.dialogue_rules import local_today
from services.assessment.models import Action, Person
from tests.notify.mail import by_recipient, subject
from tests.support.dialogues import action, dialogue_body, participants_with, record

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)

EXPECTED_HEADERS = {"Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted",
                    "MIME-Version", "Content-Type", "Content-Language"}
NAMES = {
    "emp1": "Eva\r\nBcc: evil@attacker.test",
    "emp2": "=?utf-8?q?Emil=0D=0ABcc=3A_evil@attacker.test?=",
    "leader": "Lars\nX-Injected: yes",
}
TITLES = ["Møde\r\nBcc: evil@attacker.test", "=?utf-8?b?TcO4ZGUNCkJjYzogZXZpbEBhdHRhY2tlci50ZXN0?="]


def test_names_and_titles_cannot_add_headers(stack, assessment, sink, token, assessment_sessions):
    with assessment_sessions() as session:
        for person_id, name in NAMES.items():
            session.execute(update(Person).where(Person.id == person_id).values(name=name))
        session.commit()
    stack.start()
    today = local_today()  # Danish time, as the assessment service and notify count days
    week = (today + timedelta(days=7)).isoformat()
    body = dialogue_body(held_on=(today - timedelta(days=1)).isoformat(),
                         participants=participants_with("emp2"), actions=[
        action(title="Møde", owner_id="emp1", due_on=week),
        action(title="Møde", owner_id="emp2", due_on=week),
    ])
    dialogue = record(assessment.client, token("leader", "leader"), body)
    # The API refuses line breaks in a title now; these were stored before it did.
    with assessment_sessions() as session:
        titles = {"emp1": TITLES[0], "emp2": TITLES[1]}
        for agreed in dialogue["actions"]:
            session.execute(update(Action).where(Action.id == agreed["id"])
                            .values(title=titles[agreed["owner_id"]]))
        session.commit()
    assessment.publish()
    sink.wait_for(5, timeout=30)
    stack.poll_reminders()  # the reminders put the titles in the Subject
    received = sink.wait_for(7, timeout=30)
    assert len(sink.settle()) == 7

    for mail in received:
        message = mail.message
        assert set(message.keys()) == EXPECTED_HEADERS, message.keys()
        assert not message.defects
        [(_name, address)] = getaddresses([str(message["To"])])
        assert mail.rcpt_tos == [address]
        assert "attacker" not in address
        assert "\n" not in str(message["To"]) and "\n" not in subject(message)
    mails = by_recipient([m for m in received if "Påmindelse" in subject(m.message)
                          or "Reminder" in subject(m.message)])
    assert "Møde Bcc: evil@attacker.test" in subject(mails["emp1@gentofte.test"])
    # An encoded word in the title stays text (its "=?" broken up by a zero-width space).
    assert TITLES[1].replace("=?", "=\u200b?") in subject(mails["emp2@gentofte.test"])
    assert mails["emp1@gentofte.test"]["To"].addresses[0].display_name == \
        "Eva Bcc: evil@attacker.test"
