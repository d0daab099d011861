"""The security headers' middleware on a bare WSGI app: what it adds, and what it leaves be."""

from werkzeug.test import Client
from werkzeug.wrappers import Response

from shared.web.security import SecurityHeaders


def app_answering(**headers):
    def app(environ, start_response):
        return Response("<p>hi</p>", mimetype="text/html", headers=headers)(
            environ, start_response)
    return app


def client(app, html_cache_control=None) -> Client:
    return Client(SecurityHeaders(app, content_security_policy="default-src 'none'",
                                  html_cache_control=html_cache_control))


def test_it_adds_every_header():
    headers = client(app_answering()).get("/").headers
    assert headers["Content-Security-Policy"] == "default-src 'none'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_an_answer_s_own_headers_win():
    own = {"Content-Security-Policy": "sandbox", "Cache-Control": "max-age=60"}
    headers = client(app_answering(**own), html_cache_control="no-store").get("/").headers
    assert headers.getlist("Content-Security-Policy") == ["sandbox"]
    assert headers.getlist("Cache-Control") == ["max-age=60"]


def test_hsts_only_over_https():
    assert "Strict-Transport-Security" not in client(app_answering()).get("/").headers
    over_https = client(app_answering()).get("/", base_url="https://localhost/").headers
    assert over_https["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_html_gets_the_cache_control_asked_for_and_nothing_else_does():
    assert client(app_answering(), "no-store").get("/").headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in client(app_answering()).get("/").headers

    def json_app(environ, start_response):
        return Response("{}", mimetype="application/json")(environ, start_response)

    assert "Cache-Control" not in client(json_app, "no-store").get("/").headers
