def test_org_fixture_and_content(client, org, assessment_app):
    assert client.get("/readyz").status_code == 200
    framework = assessment_app.extensions["lederdialog.deps"].framework
    assert framework.current_version() == 1
    keys = framework.keys(1)
    assert keys.questions["specific_task"] == ("task_focus_areas",)
    assert len(keys.focus_areas) == 4
