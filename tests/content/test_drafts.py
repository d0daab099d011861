"""HR admins draft, edit, compare and publish framework versions."""

import pytest

QUESTION = "settings.individual_leader.questions.individual_strengths.text"
COMMITMENT = "focus_areas.innovative_communities.commitments.courage_and_learning.text"


@pytest.fixture
def hr(token):
    return token("hr-1", "hr_admin")


def test_draft_edit_diff_publish_cycle(client, hr):
    draft = client.post("/api/v1/framework/versions", headers=hr)
    assert draft.status_code == 201
    draft_id = draft.get_json()["id"]
    assert draft.get_json()["status"] == "draft" and draft.get_json()["based_on_id"] == 1

    edit = client.patch(f"/api/v1/framework/versions/{draft_id}/texts", headers=hr, json={
        "changes": [
            {"path": QUESTION, "da": "Hvor ligger mine styrker?"},
            {"path": COMMITMENT, "en": "we are brave, curious and learn from our mistakes"},
        ]})
    assert edit.status_code == 200, edit.get_json()

    # The current framework does not change until the draft is published.
    current = client.get("/api/v1/framework/questions?setting=individual_leader").get_json()
    assert current[1]["text"] == "Hvor er mine styrker?"

    diff = client.get(f"/api/v1/framework/diff?from=1&to={draft_id}", headers=hr).get_json()
    assert diff["changes"] == [
        {"path": COMMITMENT, "lang": "en",
         "old": "we are courageous, curious and learn from our mistakes",
         "new": "we are brave, curious and learn from our mistakes"},
        {"path": QUESTION, "lang": "da", "old": "Hvor er mine styrker?",
         "new": "Hvor ligger mine styrker?"},
    ]

    published = client.post(f"/api/v1/framework/versions/{draft_id}/publish", headers=hr)
    assert published.status_code == 200
    assert published.get_json()["status"] == "published"

    framework = client.get("/api/v1/framework").get_json()
    assert framework["version"]["id"] == draft_id
    assert framework["settings"][1]["questions"][1]["text"] == "Hvor ligger mine styrker?"
    old = client.get("/api/v1/framework/versions/1").get_json()
    assert old["settings"][1]["questions"][1]["text"] == "Hvor er mine styrker?"
    assert client.get(f"/api/v1/framework/diff?from=1&to={draft_id}").status_code == 200


def test_etag_changes_when_a_new_version_is_published(client, hr):
    etag = client.get("/api/v1/framework").headers["ETag"]
    draft_id = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    client.post(f"/api/v1/framework/versions/{draft_id}/publish", headers=hr)
    response = client.get("/api/v1/framework", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_drafts_are_hidden_from_readers(client, hr):
    draft_id = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    assert client.get(f"/api/v1/framework/versions/{draft_id}").status_code == 404
    assert [v["id"] for v in client.get("/api/v1/framework/versions").get_json()] == [1]
    assert len(client.get("/api/v1/framework/versions", headers=hr).get_json()) == 2
    seen_by_hr = client.get(f"/api/v1/framework/versions/{draft_id}", headers=hr)
    assert seen_by_hr.status_code == 200
    assert seen_by_hr.headers["Cache-Control"] == "no-store"
    assert client.get(f"/api/v1/framework/diff?from=1&to={draft_id}").status_code == 404


def test_delete_draft(client, hr):
    draft_id = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    assert client.delete(f"/api/v1/framework/versions/{draft_id}", headers=hr).status_code == 204
    assert client.get(f"/api/v1/framework/versions/{draft_id}", headers=hr).status_code == 404


def test_one_draft_at_a_time(client, hr):
    first = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    second = client.post("/api/v1/framework/versions", headers=hr)
    assert second.status_code == 409
    assert f"draft version {first}" in second.get_json()["message"]


@pytest.mark.parametrize("method, path, body", [
    ("patch", "/api/v1/framework/versions/1/texts", {"changes": [{"path": QUESTION, "da": "x"}]}),
    ("delete", "/api/v1/framework/versions/1", None),
    ("post", "/api/v1/framework/versions/1/publish", None),
])
def test_a_published_version_never_changes(client, hr, method, path, body):
    response = getattr(client, method)(path, headers=hr, json=body)
    assert response.status_code == 409
    assert "published" in response.get_json()["message"]


@pytest.mark.parametrize("changes, field", [
    ([{"path": "no.such.text", "da": "x"}], "path"),
    ([{"path": QUESTION}], "da"),
    ([{"path": QUESTION, "da": ""}], "da"),
    ([{"path": QUESTION, "en": 5}], "en"),
    ([{"da": "x"}], "path"),
])
def test_invalid_edits_are_422_naming_the_field(client, hr, changes, field):
    draft_id = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    response = client.patch(
        f"/api/v1/framework/versions/{draft_id}/texts", headers=hr, json={"changes": changes}
    )
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]["changes"]["0"]


def test_a_bad_edit_changes_nothing(client, hr):
    draft_id = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    client.patch(f"/api/v1/framework/versions/{draft_id}/texts", headers=hr, json={"changes": [
        {"path": QUESTION, "da": "Ændret"}, {"path": "no.such.text", "da": "x"},
    ]})
    texts = client.get(f"/api/v1/framework/versions/{draft_id}/texts", headers=hr).get_json()
    assert {t["path"]: t["da"] for t in texts}[QUESTION] == "Hvor er mine styrker?"


def test_body_errors(client, hr):
    draft_id = client.post("/api/v1/framework/versions", headers=hr).get_json()["id"]
    url = f"/api/v1/framework/versions/{draft_id}/texts"
    assert client.patch(url, headers=hr, json={}).status_code == 422
    malformed = client.patch(url, headers={**hr, "Content-Type": "application/json"}, data="{")
    assert malformed.status_code == 400
    too_big = client.patch(url, headers=hr, json={"changes": [
        {"path": QUESTION, "da": "x" * 300_000}]})
    assert too_big.status_code == 413
    assert client.patch("/api/v1/framework/versions/99/texts", headers=hr, json={
        "changes": [{"path": QUESTION, "da": "x"}]}).status_code == 404


@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    ({"Authorization": "Bearer not-a-jwt"}, 401),
    ({"Authorization": "Basic aHI6aHI="}, 401),
    ("leader", 403),
    ("employee", 403),
])
def test_writing_needs_an_hr_admin_token(client, token, headers, status):
    if isinstance(headers, str):
        headers = token("someone", headers)
    response = client.post("/api/v1/framework/versions", headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_without_a_token_a_bad_body_is_still_401(client):
    response = client.patch("/api/v1/framework/versions/1/texts", json={"changes": "nonsense"})
    assert response.status_code == 401
