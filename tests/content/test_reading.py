"""Anyone can read the framework, in Danish or English, with HTTP caching."""


def test_framework_defaults_to_danish(client):
    response = client.get("/api/v1/framework")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "da"
    assert response.get_json()["intro"][0]["title"] == "Hvorfor et fælles ledelsesgrundlag?"


def test_lang_parameter_and_accept_language(client):
    english = client.get("/api/v1/framework?lang=en").get_json()
    assert english["lang"] == "en"
    assert english["intro"][0]["title"] == "Why a common leadership framework?"
    negotiated = client.get("/api/v1/framework", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert negotiated.get_json()["lang"] == "en"
    assert "Accept-Language" in negotiated.headers["Vary"]
    explicit = client.get("/api/v1/framework?lang=da", headers={"Accept-Language": "en"})
    assert explicit.get_json()["lang"] == "da"


def test_unknown_language_is_422_naming_lang(client):
    response = client.get("/api/v1/framework?lang=de")
    assert response.status_code == 422
    assert "lang" in response.get_json()["errors"]["query"]


def test_etag_and_304(client):
    first = client.get("/api/v1/framework?lang=en")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/api/v1/framework?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other_language = client.get("/api/v1/framework?lang=da", headers={"If-None-Match": etag})
    assert other_language.status_code == 200


def test_version_by_id(client):
    response = client.get("/api/v1/framework/versions/1?lang=en")
    assert response.status_code == 200
    assert response.get_json()["version"]["id"] == 1
    assert client.get("/api/v1/framework/versions/99").status_code == 404


def test_focus_area_by_key(client):
    area = client.get("/api/v1/framework/focus-areas/meaningful_communities?lang=en").get_json()
    assert area["title"] == "Meaningful and inclusive communities"
    assert [c["key"] for c in area["commitments"]] == [
        "shared_purpose", "strong_relationships", "work_environment",
    ]
    missing = client.get("/api/v1/framework/focus-areas/nonsense")
    assert missing.status_code == 404
    assert "nonsense" in missing.get_json()["message"]


def test_questions_by_setting(client):
    everything = client.get("/api/v1/framework/questions").get_json()
    assert len(everything) == 9
    individual = client.get("/api/v1/framework/questions?setting=individual_leader&lang=en")
    assert [q["key"] for q in individual.get_json()] == [
        "individual_focus_areas", "individual_strengths", "individual_development",
    ]
    assert individual.get_json()[1]["text"] == "Where do my strengths lie?"
    assert client.get("/api/v1/framework/questions?setting=nope").status_code == 404
    assert client.get("/api/v1/framework/questions?version=0").status_code == 422


def test_texts_list_every_path_in_both_languages(client):
    texts = client.get("/api/v1/framework/versions/1/texts").get_json()
    by_path = {t["path"]: t for t in texts}
    question = by_path["settings.individual_leader.questions.individual_strengths.text"]
    assert question == {
        "path": "settings.individual_leader.questions.individual_strengths.text",
        "da": "Hvor er mine styrker?", "en": "Where do my strengths lie?",
    }


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").get_json()
    assert "/api/v1/framework" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200


def test_health_readiness_and_metrics(client):
    assert client.get("/healthz").get_json()["status"] == "ok"
    assert client.get("/readyz").get_json()["status"] == "ready"
    client.get("/api/v1/framework")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'lederdialog_http_requests_total{endpoint="framework.CurrentFramework"' in metrics


def test_request_id_is_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def test_head_answers_the_headers_alone(client):
    response = client.head("/api/v1/framework?lang=en")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["ETag"] == '"v1-en"'
    assert int(response.headers["Content-Length"]) > 10_000


def test_not_modified_keeps_the_caching_headers(client):
    etag = client.get("/api/v1/framework").headers["ETag"]
    response = client.get("/api/v1/framework", headers={"If-None-Match": f'"x", {etag}'})
    assert response.status_code == 304
    assert response.headers["ETag"] == etag
    assert response.headers["Vary"] == "Accept-Language"
