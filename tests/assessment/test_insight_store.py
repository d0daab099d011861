"""The figures kept per unit and quarter follow every change made through the API: after
each, they are what summing every dialogue up afresh gives."""

from datetime import date, timedelta

from sqlalchemy import select

from services.assessment import insight_store
from services.assessment.models import InsightFigure, InsightOpenAction, InsightPerson
from tests.support.dialogues import HELD_ON, action, dialogue_body, individual_body, record


def stored(sessions) -> dict[str, list]:
    with sessions() as session:
        return {model.__tablename__: sorted(tuple(row) for row in session.execute(
            select(*model.__table__.columns))) for model in
            (InsightFigure, InsightPerson, InsightOpenAction)}


def assert_kept_up(sessions) -> dict[str, list]:
    """The figures after the marks are taken away equal those summed up afresh."""
    with sessions() as session:
        insight_store.refresh(session)
    kept = stored(sessions)
    with sessions() as session:
        insight_store.rebuild(session)
    assert kept == stored(sessions)
    return kept


def test_recording_amending_and_changing_actions_keep_the_figures(
    client, org, token, assessment_sessions
):
    leader, director = token("leader", "leader"), token("director", "leader")
    first = record(client, leader)
    record(client, director, dialogue_body(actions=[action(), action(owner_id="tr")]))
    record(client, leader, individual_body())  # private: never counted
    kept = assert_kept_up(assessment_sessions)
    assert [row for row in kept["insight_figures"] if row[3] == "setting"] == [
        ("skole", HELD_ON.year, (HELD_ON.month - 1) // 3 + 1, "setting", "work_community",
         2, 0, 0, 0, 0),
    ]

    earlier = date(HELD_ON.year, 1, 1) if HELD_ON.month > 3 else HELD_ON - timedelta(days=95)
    response = client.put(f"/api/v1/dialogues/{first['id']}", headers=leader,
                          json=dialogue_body(held_on=earlier.isoformat()))
    assert response.status_code == 200, response.get_json()
    assert_kept_up(assessment_sessions)

    action_id = first["actions"][0]["id"]
    response = client.patch(f"/api/v1/actions/{action_id}", headers=leader, json={
        "due_on": (HELD_ON + timedelta(days=60)).isoformat(), "reason": "Ferie"})
    assert response.status_code == 200, response.get_json()
    assert_kept_up(assessment_sessions)

    response = client.post(f"/api/v1/actions/{action_id}/complete",
                           headers=token("emp1", "employee"),
                           json={"reflection": "Det virkede."})
    assert response.status_code == 200, response.get_json()
    kept = assert_kept_up(assessment_sessions)
    assert sum(row[-1] for row in kept["insight_figures"] if row[3] == "actions") == 1, "done"


def test_an_insight_read_takes_the_marks_away(client, org, token, assessment_sessions):
    record(client, token("leader", "leader"))
    response = client.get("/api/v1/insights/balance", headers=token("hr", "hr_admin"),
                          query_string={"period": str(HELD_ON.year)})
    assert response.status_code == 200
    kept = stored(assessment_sessions)
    assert kept["insight_figures"], "summed up by the read"
    with assessment_sessions() as session:
        assert session.scalar(select(insight_store.InsightStale.id)) is None
