"""`make demo` loads its organisation and dialogues through the APIs; run again, it finds
its dialogues already there and records none twice."""

import re

from sqlalchemy import func, select

from scripts.demo.load import load
from services.assessment.models import Dialogue
from tests.support.servers import serving

DEMO_DIALOGUES = 3


def test_loading_the_demo_twice_records_its_dialogues_once(
    assessment_app, assessment_sessions, jwt_settings, capsys
):
    with serving(assessment_app) as assessment_url:
        load(assessment_url, jwt_settings)
        first = capsys.readouterr().out
        load(assessment_url, jwt_settings)
        second = capsys.readouterr().out

    recorded = re.findall(r"demo: dialogue (\S+) recorded by \S+$", first, re.M)
    assert len(recorded) == DEMO_DIALOGUES, first
    found = re.findall(r"demo: dialogue (\S+) recorded by \S+ is there already$", second, re.M)
    assert found == recorded, second
    assert "demo: organisation imported" in second
    with assessment_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Dialogue)) == DEMO_DIALOGUES


def test_a_dialogue_of_the_same_unit_and_setting_saying_something_else_is_not_the_demos(
    assessment_app, assessment_sessions, jwt_settings, token, capsys
):
    with serving(assessment_app) as assessment_url:
        load(assessment_url, jwt_settings)
        recorded = capsys.readouterr().out
        demo_id = re.search(r"demo: dialogue (\S+) recorded by l\.leder$", recorded, re.M)[1]
        with assessment_app.test_client() as client:
            leader = token("l.leder", "leader")
            demo = client.get(f"/api/v1/dialogues/{demo_id}", headers=leader).get_json()
            # The leader makes the demo's dialogue their own: it is no longer the demo's.
            amended = client.put(f"/api/v1/dialogues/{demo_id}", headers=leader, json={
                **{name: demo[name] for name in (
                    "setting", "unit_id", "held_on", "participants", "focus_areas",
                    "strengths", "development_areas", "follow_up_on", "visibility")},
                "answers": {**demo["answers"], "wc_collaboration": "Vores egne ord."},
            })
            assert amended.status_code == 200, amended.get_json()
        load(assessment_url, jwt_settings)
        again = capsys.readouterr().out

    assert f"demo: dialogue {demo_id} " not in again
    assert len(re.findall(r"recorded by l\.leder$", again, re.M)) == 1, again
    with assessment_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Dialogue)) == DEMO_DIALOGUES + 1
