"""Retention in the assessment service: texts, then dialogues, go when their time is up; the
insight figures stay; the history of actions, the read log and the published outbox are
trimmed; a second run removes nothing more."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from services.assessment import dialogues, retention
from services.assessment.app import create_app
from services.assessment.models import (
    Action,
    ActionChange,
    Dialogue,
    DialogueRead,
    DialogueRevision,
    FocusRating,
    InsightStale,
    Outbox,
    Participant,
)
from services.assessment.schemas.dialogues import HELD_YEARS_BACK
from shared.outbox import utcnow
from shared.retention import MIN_DIALOGUE_DAYS, Retention
from shared.web.cli import remove_expired
from tests.assessment.test_insights import YEAR, add_dialogue, balance, count, day_in
from tests.assessment.test_insights import school_year as school_year  # the fixture
from tests.support.dialogues import HELD_ON, action, dialogue_body, record

DEFAULTS = Retention()
# Only dialogues, and their texts, go: every other record is kept for good.
DIALOGUES_ONLY = Retention(action_history_days=0, read_log_days=0, outbox_days=0)


def days_after(day: date, days: int) -> datetime:
    """Noon (UTC) so many days after a day: when a retention run happens in a test."""
    return datetime.combine(day + timedelta(days=days), time(12), UTC)


def rows(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def leader(token):
    return token("leader", "leader")


@pytest.fixture
def task_dialogue(client, org, leader, token) -> dict:
    """A specific_task dialogue with every kind of text: task, answers, strengths,
    development areas, an action renegotiated with a reason and completed with a reflection."""
    body = dialogue_body(setting="specific_task", task_description="Hemmelig omstrukturering",
                         answers={"task_focus_areas": "Fortroligt svar"})
    dialogue = record(client, leader, body)
    action_path = f"/api/v1/actions/{dialogue['actions'][0]['id']}"
    due = (HELD_ON + timedelta(days=60)).isoformat()
    assert client.patch(action_path, json={"due_on": due, "reason": "Privat grund"},
                        headers=leader).status_code == 200
    assert client.post(f"{action_path}/complete", json={"reflection": "Det gik godt"},
                       headers=token("emp1", "employee")).status_code == 200
    return dialogue


def test_texts_go_past_their_period_and_the_record_stays(
    client, task_dialogue, leader, assessment_sessions
):
    path = f"/api/v1/dialogues/{task_dialogue['id']}"
    action_path = f"/api/v1/actions/{task_dialogue['actions'][0]['id']}"
    before = client.get(path, headers=leader).get_json()
    action_before = client.get(action_path, headers=leader).get_json()
    marks = rows(assessment_sessions, InsightStale)

    almost = days_after(HELD_ON, DEFAULTS.dialogue_text_days)
    assert retention.remove_expired(assessment_sessions, DIALOGUES_ONLY,
                                    almost)["dialogue_texts"] == 0
    assert client.get(path, headers=leader).get_json()["answers"] == before["answers"]

    due = days_after(HELD_ON, DEFAULTS.dialogue_text_days + 1)
    assert retention.remove_expired(assessment_sessions, DIALOGUES_ONLY, due) == {
        "dialogues": 0, "dialogue_texts": 1}

    after = client.get(path, headers=leader).get_json()
    assert datetime.fromisoformat(after["texts_removed_at"]) == due
    assert after["task_description"] == ""
    assert after["answers"] == {"task_focus_areas": ""}
    assert after["strengths"] == [{"focus_area": "meaningful_communities", "text": ""}]
    assert after["development_areas"] == [{"focus_area": "reliable_communities", "text": ""}]
    assert set(dialogues.TEXTS) == {
        "task_description", "answers", "strengths", "development_areas"}, "each one checked"
    [action_read] = after["actions"]
    assert action_read["title"] == "—"
    kept = ("id", "owner_id", "due_on", "focus_area", "commitment", "status", "completed_at")
    assert {k: action_read[k] for k in kept} == {k: before["actions"][0][k] for k in kept}
    for name in ("participants", "focus_areas", "held_on", "follow_up_on", "leader_id",
                 "visibility", "people"):
        assert after[name] == before[name], name

    action_after = client.get(action_path, headers=leader).get_json()
    assert action_before["reflection"] == "Det gik godt"
    assert action_after["reflection"] is None
    assert action_after["updated_at"] == action_before["updated_at"], "nobody changed it"
    assert [(c["kind"], c["reason"]) for c in action_before["history"]] == [
        ("due_on", "Privat grund"), ("completed", None)]
    assert [(c["kind"], c["reason"]) for c in action_after["history"]] == [
        ("due_on", None), ("completed", None)]

    [revision] = client.get(f"{path}/revisions", headers=leader).get_json()
    assert revision["texts_removed_at"] == after["texts_removed_at"]
    assert revision["content"]["answers"] == {"task_focus_areas": ""}
    assert [a["title"] for a in revision["content"]["actions"]] == ["—"]
    assert rows(assessment_sessions, InsightStale) == marks, "nothing is summed up again"

    assert retention.remove_expired(assessment_sessions, DIALOGUES_ONLY,
                                    due)["dialogue_texts"] == 0
    assert client.get(path, headers=leader).get_json()["texts_removed_at"] == \
        after["texts_removed_at"], "a second run changes nothing"


def test_texts_an_amendment_brings_back_go_again(client, org, leader, assessment_sessions):
    dialogue = record(client, leader, dialogue_body(actions=[]))
    due = days_after(HELD_ON, DEFAULTS.dialogue_text_days + 1)
    retention.remove_expired(assessment_sessions, DEFAULTS, due)
    path = f"/api/v1/dialogues/{dialogue['id']}"
    amended = client.put(path, json=dialogue_body(actions=[action()]), headers=leader)
    assert amended.get_json()["answers"]["wc_expectations"] != ""

    assert retention.remove_expired(assessment_sessions, DEFAULTS, due)["dialogue_texts"] == 1
    again = client.get(path, headers=leader).get_json()
    assert set(again["answers"].values()) == {""}
    assert [a["title"] for a in again["actions"]] == ["—"]


INSIGHTS = ({"unit_id": "skole", "period": f"{YEAR}-Q1"}, {"period": str(YEAR)},
            {"unit_id": "kommune", "period": f"{YEAR}-H1"}, {"unit_id": "sfo", "period": str(YEAR),
                                                             "subtree": "false"})


def test_old_dialogues_go_with_all_theirs_and_the_insights_stay(
    client, school_year, assessment_sessions, hr, leader
):
    later = add_dialogue(assessment_sessions, held_on=day_in(2))
    before = [balance(client, hr, **query) for query in INSIGHTS]
    assert before[1]["dialogues"]["count"] == 7, "the year's figures are shown"
    with assessment_sessions() as session:
        old = session.scalar(select(Dialogue.id).where(Dialogue.held_on == day_in(1)).limit(1))
        old_action = session.scalar(select(Action.id).where(Action.dialogue_id == old))
        session.add(ActionChange(action_id=old_action, kind="status", old_value="open",
                                 new_value="done", changed_by="leader"))
        session.add(DialogueRead(dialogue_id=old, reader_id="leader", channel="api"))
        session.commit()

    first_kept_day = date(YEAR, 4, 1)  # Q1 is past, Q2 not
    removed = retention.remove_expired(
        assessment_sessions, DIALOGUES_ONLY, days_after(first_kept_day, DEFAULTS.dialogue_days))
    assert removed["dialogues"] == 6

    assert [balance(client, hr, **query) for query in INSIGHTS] == before
    with assessment_sessions() as session:
        assert list(session.scalars(select(Dialogue.id))) == [later]
        assert set(session.scalars(select(DialogueRevision.dialogue_id))) == {later}
        assert set(session.scalars(select(Participant.dialogue_id))) == {later}
        assert set(session.scalars(select(FocusRating.dialogue_id))) == {later}
    for model in (Action, ActionChange, DialogueRead):
        assert rows(assessment_sessions, model) == 0, model
    assert client.get(f"/api/v1/dialogues/{old}", headers=leader).status_code == 404

    assert retention.remove_expired(
        assessment_sessions, DIALOGUES_ONLY, days_after(first_kept_day, DEFAULTS.dialogue_days)
    )["dialogues"] == 0, "a second run removes nothing more"
    add_dialogue(assessment_sessions, held_on=day_in(2))
    assert count(client, hr, period=str(YEAR)) == before[1]["dialogues"]["count"] + 1, (
        "a later quarter summed up again leaves the deleted quarter's figures alone")


def test_a_dialogue_stays_until_its_whole_quarter_is_past(client, school_year,
                                                         assessment_sessions):
    """A quarter goes at once, so its figures are never summed up from a part of it."""
    last_day_of_q1 = date(YEAR, 3, 31)
    assert retention.remove_expired(
        assessment_sessions, DIALOGUES_ONLY, days_after(last_day_of_q1, DEFAULTS.dialogue_days)
    )["dialogues"] == 0
    assert rows(assessment_sessions, Dialogue) == 6


def test_a_change_not_yet_summed_up_counts_before_its_dialogue_goes(
    client, school_year, assessment_sessions, hr
):
    assert count(client, hr, period=str(YEAR)) == 6
    add_dialogue(assessment_sessions)  # marked, not summed up yet

    retention.remove_expired(assessment_sessions, DIALOGUES_ONLY,
                             days_after(date(YEAR, 4, 1), DEFAULTS.dialogue_days))
    assert count(client, hr, period=str(YEAR)) == 7
    assert rows(assessment_sessions, InsightStale) == 0


def test_history_reads_and_published_outbox_go_past_their_periods(
    client, org, leader, assessment_sessions
):
    dialogue = record(client, leader)
    now = utcnow()
    with assessment_sessions() as session:
        session.query(Outbox).delete()  # the recording's events, not published
        action_id = dialogue["actions"][0]["id"]
        for days in (DEFAULTS.action_history_days + 1, DEFAULTS.action_history_days - 1):
            session.add(ActionChange(action_id=action_id, kind="status", old_value="open",
                                     new_value="in_progress", changed_by="emp1",
                                     changed_at=now - timedelta(days=days)))
        for days in (DEFAULTS.read_log_days + 1, DEFAULTS.read_log_days - 1):
            session.add(DialogueRead(dialogue_id=dialogue["id"], reader_id="tr", channel="web",
                                     read_at=now - timedelta(days=days)))
        for published in (now - timedelta(days=DEFAULTS.outbox_days + 1),
                          now - timedelta(days=DEFAULTS.outbox_days - 1), None):
            session.add(Outbox(event_id=str(uuid.uuid4()), type="lederdialog.test.v1",
                               envelope={}, created_at=now - timedelta(days=400),
                               published_at=published))
        session.commit()

    def run():
        return remove_expired(assessment_sessions, DEFAULTS, now=now, outbox_model=Outbox,
                              steps=retention.remove_expired)

    assert run() == {"dialogues": 0, "dialogue_texts": 0, "action_changes": 1,
                     "dialogue_reads": 1, "published_outbox_rows": 1}
    assert (rows(assessment_sessions, ActionChange), rows(assessment_sessions, DialogueRead),
            rows(assessment_sessions, Outbox)) == (1, 1, 2), "the newer rows and the unpublished"
    assert set(run().values()) == {0}, "a second run removes nothing more"
    assert rows(assessment_sessions, Dialogue) == 1


def test_the_retention_command_says_how_many_it_removed(assessment_app, assessment_sessions):
    with assessment_sessions() as session:
        session.add(Outbox(event_id=str(uuid.uuid4()), type="lederdialog.test.v1", envelope={},
                           published_at=utcnow() - timedelta(days=90)))
        session.commit()

    result = assessment_app.test_cli_runner().invoke(args=["retention"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "dialogues: 0 removed", "dialogue_texts: 0 removed", "action_changes: 0 removed",
        "dialogue_reads: 0 removed", "published_outbox_rows: 1 removed"]


def test_a_period_too_short_for_the_insights_stops_the_service(assessment_settings,
                                                               monkeypatch):
    monkeypatch.setenv("RETENTION_DIALOGUE_DAYS", "365")
    with pytest.raises(ValueError, match="RETENTION_DIALOGUE_DAYS"):
        create_app(assessment_settings)


def test_dialogues_outlive_the_years_a_dialogue_may_be_recorded_after_it_was_held():
    """MIN_DIALOGUE_DAYS keeps a deleted quarter from receiving a new dialogue."""
    leap_days = (HELD_YEARS_BACK + 3) // 4
    assert HELD_YEARS_BACK * 365 + leap_days < MIN_DIALOGUE_DAYS
