"""Whatever a client sends, the assessment API answers 4xx naming what is wrong, never 500;
and it checks the token before it reads the body."""

from __future__ import annotations

import dataclasses
import json

import jwt
import pytest
import requests

from services.assessment.app import create_app
from tests.support.dialogues import dialogue_body, record
from tests.support.servers import serving

NESTED = "[" * 1000 + "]" * 1000
WRITES = [
    ("post", "/api/v1/dialogues"),
    ("put", "/api/v1/dialogues/{dialogue}"),
    ("patch", "/api/v1/actions/{action}"),
    ("post", "/api/v1/actions/{action}/complete"),
    ("post", "/api/v1/units"),
    ("patch", "/api/v1/people/emp1"),
]


@pytest.fixture
def recorded(client, org, token) -> dict:
    """Ids of a recorded dialogue and its action, for the URLs of WRITES."""
    dialogue = record(client, token("leader", "leader"))
    return {"dialogue": dialogue["id"], "action": dialogue["actions"][0]["id"]}


@pytest.mark.parametrize("method, url", WRITES)
def test_the_token_is_checked_before_the_body(client, recorded, method, url):
    for body in ("{}", NESTED, "not json"):
        response = getattr(client, method)(url.format(**recorded), data=body,
                                           content_type="application/json")
        assert response.status_code == 401, (body[:10], response.get_json())
        assert "errors" not in response.get_json()


@pytest.mark.parametrize("method, url", WRITES)
def test_deeply_nested_json_is_refused(client, recorded, token, method, url):
    headers = {**token("leader", "leader", "hr_admin")}
    response = getattr(client, method)(url.format(**recorded), data=NESTED,
                                       content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert "nested" in response.get_json()["errors"]["json"][0]


def test_a_number_of_thousands_of_digits_is_refused(client, org, token):
    body = json.dumps(dialogue_body()).replace('"rating": 3', '"rating": ' + "9" * 5000, 1)
    response = client.post("/api/v1/dialogues", data=body, content_type="application/json",
                           headers=token("leader", "leader"))
    assert response.status_code == 400
    assert "json" in response.get_json()["errors"]


def test_json_just_deep_enough_is_read(client, org, token):
    body = dialogue_body(mood=[[[[[[[[[["x"]]]]]]]]]])
    response = client.post("/api/v1/dialogues", json=body, headers=token("leader", "leader"))
    assert response.status_code == 422
    assert "mood" in response.get_json()["errors"]["json"]


CHANGES = {
    "a due date in year 9999": ({"due_on": "9999-12-31", "reason": "Later"}, "due_on"),
    "a due date in year 1": ({"due_on": "0001-01-01", "reason": "Earlier"}, "due_on"),
    "a reason with NUL": ({"due_on": "2027-01-01", "reason": "\x00"}, "reason"),
    "a reason with a lone surrogate": ({"due_on": "2027-01-01", "reason": "\ud800"}, "reason"),
}


@pytest.mark.parametrize("change, field", CHANGES.values(), ids=CHANGES.keys())
def test_an_action_change_out_of_bounds_is_refused(client, recorded, token, change, field):
    response = client.patch(f"/api/v1/actions/{recorded['action']}", json=change,
                            headers=token("emp1", "employee"))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_a_completion_with_a_lone_surrogate_is_refused(client, recorded, token):
    response = client.post(f"/api/v1/actions/{recorded['action']}/complete",
                           json={"reflection": "Godt \udfff"}, headers=token("emp1", "employee"))
    assert response.status_code == 422
    assert "reflection" in response.get_json()["errors"]["json"]


def test_texts_keep_their_line_breaks(client, org, token):
    answer = "Første linje\nAnden linje\n\tmed indrykning"
    dialogue = record(client, token("leader", "leader"),
                      dialogue_body(answers={"wc_collaboration": answer}))
    assert dialogue["answers"]["wc_collaboration"] == answer


QUERIES = {
    "insights of year 1": ("/api/v1/insights/balance?period=0001-Q1", "period"),
    "insights of year 9999": ("/api/v1/insights/balance?period=9999", "period"),
    "insights of a month": ("/api/v1/insights/balance?period=2026-03", "period"),
    "dialogues from year 1": ("/api/v1/dialogues?from=0001-01-01", "from"),
    "dialogues to year 9999": ("/api/v1/dialogues?to=9999-12-31", "to"),
    "a page past 64 bits": ("/api/v1/dialogues?page=2305843009213693951", "page"),
    "people by an id with NUL": ("/api/v1/people?id=emp1%00", "id"),
    "a unit id too long": ("/api/v1/insights/balance?unit_id=" + "u" * 65, "unit_id"),
}


@pytest.mark.parametrize("url, field", QUERIES.values(), ids=QUERIES.keys())
def test_a_query_out_of_bounds_is_refused(client, org, token, url, field):
    response = client.get(url, headers=token("director", "leader", "hr_admin"))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["query"]


@pytest.mark.parametrize("path", [
    "/api/v1/dialogues/%00", "/api/v1/dialogues/" + "d" * 65, "/api/v1/actions/a%0Ab",
    "/api/v1/people/emp1%00", "/api/v1/units/%7F",
])
def test_a_path_key_out_of_bounds_is_not_found(client, org, token, path):
    response = client.get(path, headers=token("leader", "leader"))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["\ud800", "Anna\x00", "Anna\r\nBcc: x@y.dk", "\u2028"])
def test_a_name_with_a_lone_surrogate_or_control_character_is_refused(client, org, hr, name):
    response = client.patch("/api/v1/people/emp1", json={"name": name}, headers=hr)
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]["json"]


def test_a_token_whose_exp_is_a_string_is_refused(client, org, jwt_settings):
    claims = {"sub": "leader", "roles": ["leader"], "aud": jwt_settings.audience,
              "iss": jwt_settings.issuer, "iat": 1_700_000_000, "exp": "99999999999"}
    signed = jwt.encode(claims, jwt_settings.secret, algorithm="HS256")
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {signed}"})
    assert response.status_code == 401
    assert "exp" in response.get_json()["message"]


def test_a_chunked_body_over_the_limit_is_refused(assessment_app, org, token):
    def chunks():
        yield b'{"setting": "work_community", "answers": {"wc_collaboration": "'
        for _ in range(300):
            yield b"x" * 1024
        yield b'"}}'

    with serving(assessment_app) as base_url:
        response = requests.post(
            f"{base_url}/api/v1/dialogues", data=chunks(), timeout=10,
            headers={**token("leader", "leader"), "Content-Type": "application/json"},
        )
    assert response.status_code == 413


def test_a_method_not_allowed_names_the_allowed_ones(client, org, token):
    response = client.delete("/api/v1/dialogues", headers=token("leader", "leader"))
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_a_database_that_cannot_be_reached_answers_503(assessment_settings, token):
    unreachable = dataclasses.replace(
        assessment_settings, database_url="postgresql://postgres@127.0.0.1:9/assessment")
    app = create_app(unreachable)
    try:
        response = app.test_client().get("/api/v1/units", headers=token("emp1", "employee"))
    finally:
        app.extensions["lederdialog.deps"].close()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "database" in response.get_json()["message"]


@pytest.mark.parametrize("url", ["/api/v1/units/skole", "/api/v1/people/emp1"])
@pytest.mark.parametrize("body", [None, {}])
def test_a_change_without_any_field_is_refused(client, org, hr, url, body):
    response = client.patch(url, json=body, headers=hr)
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["_schema"]
