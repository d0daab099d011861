"""Whatever a client sends, the content API answers 4xx naming what is wrong, never 500."""

import pytest

HUGE = "99999999999999999999"
NESTED = "[" * 1000 + "]" * 1000


@pytest.fixture
def hr(token):
    return token("hr-1", "hr_admin")


@pytest.mark.parametrize("method, path", [
    ("get", f"/api/v1/framework/versions/{HUGE}"),
    ("get", f"/api/v1/framework/versions/{HUGE}/texts"),
    ("get", "/api/v1/framework/versions/2147483648"),
    ("delete", f"/api/v1/framework/versions/{HUGE}"),
    ("post", f"/api/v1/framework/versions/{HUGE}/publish"),
])
def test_a_version_id_past_a_database_integer_is_not_found(client, hr, method, path):
    assert getattr(client, method)(path, headers=hr).status_code == 404


@pytest.mark.parametrize("query, field", [
    (f"/api/v1/framework/questions?version={HUGE}", "version"),
    (f"/api/v1/framework/focus-areas/competent_communities?version={HUGE}", "version"),
    (f"/api/v1/framework/diff?from=1&to={HUGE}", "to"),
    ("/api/v1/framework/diff?from=" + "9" * 5000 + "&to=1", "from"),
    ("/api/v1/framework/questions?setting=a%00b", "setting"),
])
def test_a_query_out_of_bounds_is_refused(client, query, field):
    response = client.get(query)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]


@pytest.mark.parametrize("text", ["Hvor\x00", "\ud800", "bell\x07"])
def test_a_text_with_control_characters_or_lone_surrogates_is_refused(client, hr, text):
    draft = client.post("/api/v1/framework/versions", headers=hr).get_json()
    response = client.patch(f"/api/v1/framework/versions/{draft['id']}/texts", headers=hr, json={
        "changes": [{"path": "settings.individual_leader.questions.individual_strengths.text",
                     "da": text}]})
    assert response.status_code == 422
    assert "da" in response.get_json()["errors"]["json"]["changes"]["0"]


def test_nested_json_is_refused_after_the_token(client, hr):
    draft = client.post("/api/v1/framework/versions", headers=hr).get_json()
    url = f"/api/v1/framework/versions/{draft['id']}/texts"
    anonymous = client.patch(url, data=NESTED, content_type="application/json")
    assert anonymous.status_code == 401
    response = client.patch(url, data=NESTED, content_type="application/json", headers=hr)
    assert response.status_code == 400
    assert "nested" in response.get_json()["errors"]["json"][0]


@pytest.mark.parametrize("query", ["/api/v1/framework/questions?version=0",
                                   "/api/v1/framework/diff?from=x", "/api/v1/framework?lang=xx"])
def test_a_bad_token_is_refused_before_the_query_is_read(client, query):
    response = client.get(query, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
