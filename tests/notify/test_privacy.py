"""Emails hold no more than the API shows: a dialogue's texts go only to those who may read
it, a private dialogue's emails to its leader alone."""

from datetime import date, timedelta

import pytest
from babel.dates import format_date

from services.assessment.dialogue_rules import local_today
from tests.notify.mail import by_recipient, by_subject_start, html, parts, subject, text
from tests.notify.outside import hand_to_outsider
from tests.support.dialogues import action, dialogue_body, record

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)

# Danish time, as the assessment service counts days and (here, at NOTIFY_SEND_HOUR=0) notify.
TODAY = local_today()
HELD = TODAY - timedelta(days=30)
BASE = "https://lederdialog.example"
# What the dialogue says; none of it may reach someone who may not read the dialogue.
ANSWERS = {"wc_collaboration": "Vi samarbejder godt på tværs af årgangene.",
           "wc_expectations": "Klare aftaler om vikardækning."}
STRENGTH, DEVELOPMENT = "Stærke relationer i teamet", "Vikarplanlægningen halter"
DIALOGUE_TEXTS = (*ANSWERS.values(), STRENGTH, DEVELOPMENT, "Fælles planlægningsmøde",
                  "Generel ledelse", "General leadership")


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def spoken(iso_day: str, locale: str) -> str:
    return format_date(date.fromisoformat(iso_day), format="long", locale=locale)


def shared_body(**overrides) -> dict:
    return dialogue_body(
        held_on=HELD.isoformat(), answers=ANSWERS,
        strengths=[{"focus_area": "meaningful_communities", "text": STRENGTH}],
        development_areas=[{"focus_area": "reliable_communities", "text": DEVELOPMENT}],
        **overrides,
    )


def test_an_owner_outside_the_dialogue_hears_of_their_action_alone(
    stack, assessment, assessment_sessions, sink, token
):
    stack.start()
    body = shared_body(actions=[
        action(owner_id="emp1", due_on=day(30)),
        action(owner_id="emp1", title="Ny legeplads", due_on=day(7),
               focus_area="innovative_communities", commitment="courage_and_learning"),
        action(owner_id="emp1", title="Trivselsmåling", due_on=day(0),
               focus_area="meaningful_communities", commitment="work_environment"),
    ])
    dialogue = record(assessment.client, token("leader", "leader"), body)
    ids = {a["title"]: a["id"] for a in dialogue["actions"]}
    # Recorded before owners had to take part: sfo-emp works in another unit, emp2 in this
    # one; neither took part, so neither may read the dialogue.
    hand_to_outsider(assessment_sessions, ids["Ny legeplads"], "sfo-emp")
    hand_to_outsider(assessment_sessions, ids["Trivselsmåling"], "emp2")
    assessment.publish()

    mails = by_recipient(sink.wait_for(6, timeout=30))
    assert len(sink.settle()) == 6
    summaries = {r for r, m in mails.items() if subject(m).startswith("Opsummering af dialog")}
    assert summaries == {"leader@gentofte.test", "tr@gentofte.test", "emp1@gentofte.test"}
    assert subject(mails["amr@gentofte.test"]).startswith("Dialogue summary")

    outsider = mails["sfo-emp@gentofte.test"]
    assert subject(outsider) == "Ny handling til dig: Ny legeplads"
    assert "text/calendar" not in parts(outsider), "the follow-up is the dialogue's"
    for body_text in (text(outsider), html(outsider)):
        assert "Ny legeplads" in body_text
        assert spoken(day(7), "da_DK") in body_text
        assert "Innovative fællesskaber, hvor vi skaber sammen" in body_text
        assert "vi er modige, nysgerrige og lærer af vores fejl" in body_text
        assert "Lars Leder" in body_text
        assert f"{BASE}/actions/{ids['Ny legeplads']}" in body_text
        assert f"{BASE}/dialogues/" not in body_text
        assert "Trivselsmåling" not in body_text, "no one else's action"
        for said in DIALOGUE_TEXTS:
            assert said not in body_text

    english = mails["emp2@gentofte.test"]
    assert subject(english) == "A new action for you: Trivselsmåling"
    for body_text in (text(english), html(english)):
        assert "Lars Leder agreed an action with you" in body_text
        assert "Meaningful and inclusive communities" in body_text
        assert "we continuously ensure a good working environment" in body_text
        assert spoken(day(0), "en_GB") in body_text
        assert "Ny legeplads" not in body_text
        for said in DIALOGUE_TEXTS:
            assert said not in body_text

    # Those who may read the dialogue see who owns what.
    assert "Ansvarlig: Sara Ansat" in text(mails["leader@gentofte.test"])

    sink.clear()
    stack.poll_reminders()  # the reminder a week ahead and the due date, to the outsiders
    reminded = by_recipient(sink.wait_for(2, timeout=30))
    assert len(sink.settle()) == 2
    assert subject(reminded["sfo-emp@gentofte.test"]).startswith("Påmindelse: Ny legeplads")
    assert subject(reminded["emp2@gentofte.test"]) == "Due today: Trivselsmåling"
    for mail in reminded.values():
        for body_text in (text(mail), html(mail)):
            assert "Lars Leder" in body_text
            assert f"{BASE}/dialogues/" not in body_text
            for said in DIALOGUE_TEXTS:
                assert said not in body_text


def test_every_email_of_a_private_dialogue_goes_to_its_leader_alone(
    stack, assessment, sink, token
):
    stack.start()
    dates = {"reminder": 7, "due": 0, "overdue": -7, "escalated": -21}
    body = shared_body(visibility="private", follow_up_on=day(0), actions=[
        action(owner_id=owner, title=f"{owner} {name}", due_on=day(offset))
        for owner in ("leader", "emp1") for name, offset in dates.items()
    ])
    record(assessment.client, token("leader", "leader"), body)
    assessment.publish()
    [summary] = sink.settle(quiet=3)
    assert summary.rcpt_tos == ["leader@gentofte.test"]
    assert subject(summary.message).startswith("Opsummering af dialog")
    sink.clear()

    stack.poll_reminders()
    # The leader's own four, emp1's overdue action (the leader is told of it), both
    # escalations (nobody above may know of the dialogue: the leader is told) and the
    # follow-up prompt. emp1 hears nothing of a private dialogue, nor do TRIO and director.
    received = sink.wait_for(7, timeout=30)
    received = sink.settle(quiet=3)
    assert {r for mail in received for r in mail.rcpt_tos} == {"leader@gentofte.test"}
    subjects = sorted(subject(mail.message) for mail in received)
    assert len(subjects) == 7, subjects
    assert subjects == sorted([
        f"Påmindelse: leader reminder har frist {spoken(day(7), 'da_DK')}",
        "Frist i dag: leader due",
        "Fristen er overskredet: leader overdue", "Fristen er overskredet: emp1 overdue",
        "Eskalering: leader escalated er 21 dage over fristen",
        "Eskalering: emp1 escalated er 21 dage over fristen",
        "Tid til opfølgning: Generel ledelse i arbejdsfællesskaber",
    ])
    escalation = by_subject_start(received, "Eskalering: emp1")["leader@gentofte.test"]
    assert "En handling fra din dialog er 21 dage over fristen" in text(escalation)


def test_a_private_dialogue_of_the_leaders_leader_reaches_no_one_else(
    stack, assessment, sink, token
):
    stack.start()
    record(assessment.client, token("director", "leader"),
           shared_body(visibility="private", participants=[], actions=[]))
    assessment.publish()
    [summary] = sink.settle(quiet=3)
    assert summary.rcpt_tos == ["director@gentofte.test"]
