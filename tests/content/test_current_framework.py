"""GET /api/v1/framework answers alike with its fast path and without, whatever is sent.

Two apps on one database, one with the fast path and one where Flask answers alone, get the
same matrix of requests in the same order; status, headers (all but X-Request-ID), body and
the metrics' labels of every answer must be equal. The matrix runs with the framework
readable, with nothing published, with a newer version published and with the database
failing.
"""

from __future__ import annotations

import io
import itertools
from contextlib import contextmanager
from typing import NamedTuple

import pytest
from flask import request_started
from sqlalchemy import text

from services.content import service
from services.content.api import current
from services.content.app import create_app
from services.content.rendering import PublishedCache
from shared.auth import mint_token
from shared.config import JWTSettings
from shared.db import make_engine
from shared.web.observability import REQUESTS
from tests.support.databases import empty_tables

PATH = "/api/v1/framework"
PER_REQUEST_HEADERS = {"X-Request-ID"}

QUERIES = [
    "", "lang=da", "lang=en", "lang=xx", "lang=en&lang=da", "lang=", "lang=EN", "lang",
    "lang=da&", "lang=da&x=1", "unknown=1", "lang=%64a", "lang=da%00", "%ff%fe=%00&lang=en",
    "&&",
]
ACCEPT_LANGUAGES = [
    None, "en", "da", "en-GB,en;q=0.9", "da;q=0.1, en;q=0.2", "*", "de, fr", "en;q=0", "",
    ";;q=x,,", "EN-us",
]
IF_NONE_MATCH = [
    None, '"v1-da"', '"v1-en"', '"v0-da"', "*", '"x", "v1-en"', '"x", "v1-da"', 'W/"v1-da"',
    "", "garbage", '"v2-da"',
]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]
ODD_REQUESTS = [
    # (method, path, query, headers, body)
    ("GET", PATH, "", {"Content-Type": "application/json"}, b'{"lang": "en"}'),
    ("GET", PATH, "", {"Content-Type": "application/json"}, b"[" * 300_000),
    ("GET", PATH, "", {"Content-Length": "0"}, b""),
    ("GET", PATH, "", {"Transfer-Encoding": "chunked"}, b"x"),
    ("GET", PATH, "", {"Transfer-Encoding": "chunked"}, b"x" * 300_000),
    ("HEAD", PATH, "lang=en", {"Transfer-Encoding": "chunked"}, b"x" * 300_000),
    ("GET", PATH, "", {"Range": "bytes=0-10"}, None),
    ("GET", PATH, "", {"If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
    ("GET", PATH, "", {"If-Match": '"v0-da"'}, None),
    ("GET", PATH, "", {"Cookie": "session=abc; x=y"}, None),
    ("GET", PATH, "", {"Host": "evil.example:99999"}, None),
    ("GET", PATH, "", {"X-Request-ID": "fixed-id"}, None),
    ("GET", PATH, "", {"Accept": "text/html"}, None),
    ("GET", PATH + "/", "", {}, None),
    ("GET", PATH + "//", "", {}, None),
    ("GET", "/API/v1/framework", "", {}, None),
    ("POST", PATH, "", {"Content-Type": "application/json"}, b"{}"),
]


class Call(NamedTuple):
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None


def _call(method, path=PATH, query="", headers=None, body=None) -> Call:
    sent = tuple((name, value) for name, value in (headers or {}).items() if value is not None)
    return Call(method, path, query, sent, body)


@pytest.fixture
def tokens(token, jwt_settings) -> list[str | None]:
    """Authorization headers: none, good ones, bad ones and malformed ones."""
    good = token("hr-1", "hr_admin")["Authorization"]
    stranger = JWTSettings(secret="someone-else-" + "y" * 32, issuer=jwt_settings.issuer)
    return [
        None, good, token("leader-1", "leader")["Authorization"],
        "Bearer " + mint_token(stranger, sub="x", roles=["hr_admin"]),
        "Bearer " + mint_token(jwt_settings, sub="x", roles=["leader"], ttl_seconds=-3600),
        "bearer " + good.partition(" ")[2], "Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "",
    ]


@pytest.fixture
def matrix(tokens) -> list[Call]:
    """Every request of the comparison, in the order both apps get them."""
    return [
        *(_call(method, query=query, headers={"If-None-Match": etag})
          for method, query, etag in itertools.product(["GET", "HEAD"], QUERIES, IF_NONE_MATCH)),
        *(_call("GET", query=query, headers={"Accept-Language": lang, "If-None-Match": etag})
          for query, lang, etag in itertools.product(
              ["", "lang=da", "lang=xx"], ACCEPT_LANGUAGES, IF_NONE_MATCH)),
        *(_call(method, query=query, headers={"Authorization": auth, "If-None-Match": etag})
          for method, auth, query, etag in itertools.product(
              METHODS, tokens, ["", "lang=en", "lang=xx"], [None, '"v1-da"'])),
        *(_call(*odd) for odd in ODD_REQUESTS),
    ]


@pytest.fixture
def twins(content_settings, content_sessions):
    """Make (fast, flask_only) content apps on the test database; closed afterwards."""
    made = []

    def make(**options):
        pair = (create_app(content_settings, **options),
                create_app(content_settings, fast_path=False, **options))
        made.extend(pair)
        return pair

    yield make
    for app in made:
        app.extensions["lederdialog.deps"].close()


def _counts() -> dict[tuple, float]:
    return {tuple(sorted(sample.labels.items())): sample.value
            for sample in REQUESTS.collect()[0].samples if sample.name.endswith("_total")}


def _answer(client, call: Call) -> tuple:
    """Status, headers but the per-request ones, body, and the metrics' labels it was counted as."""
    before = _counts()
    if ("Transfer-Encoding", "chunked") in call.headers:
        # As a WSGI server hands on a chunked body: a stream that ends, without a length.
        sent = {"input_stream": io.BytesIO(call.body),
                "environ_overrides": {"wsgi.input_terminated": True}}
    else:
        sent = {"data": call.body}
    response = client.open(call.path, method=call.method, query_string=call.query,
                           headers=list(call.headers), **sent)
    counted = [labels for labels, value in _counts().items() if value > before.get(labels, 0)]
    headers = [(name, value) for name, value in response.headers
               if name not in PER_REQUEST_HEADERS]
    return response.status, headers, response.get_data(), counted


def _shown(answer: tuple) -> tuple:
    status, headers, body, counted = answer
    return status, headers, body[:120], counted


def assert_answered_alike(fast_app, flask_app, calls: list[Call]) -> int:
    """Send every call to both apps; return how many the fast app's Flask did not see."""
    fast, flask_only = fast_app.test_client(), flask_app.test_client()
    differing = []
    with reaching_flask(fast_app) as reached:
        for call in calls:
            ours, theirs = _answer(fast, call), _answer(flask_only, call)
            if ours != theirs:
                differing.append((call._replace(body=(call.body or b"")[:40]),
                                  _shown(ours), _shown(theirs)))
    assert not differing, f"{len(differing)} of {len(calls)} differ, e.g. {differing[:3]}"
    return len(calls) - len(reached)


@contextmanager
def reaching_flask(app):
    """The requests Flask itself handles meanwhile (not those the fast path answers)."""
    reached = []
    with request_started.connected_to(lambda sender, **_: reached.append(sender), app):
        yield reached


@contextmanager
def database_failing(database_url: str):
    """Every query of the framework fails meanwhile: its table is renamed away."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE framework_versions RENAME TO framework_away"))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE framework_away RENAME TO framework_versions"))
        engine.dispose()


@pytest.mark.slow  # the whole matrix: over a thousand requests to each app
def test_readable_framework_answers_alike(twins, matrix):
    fast_app, flask_app = twins()
    taken = assert_answered_alike(fast_app, flask_app, matrix)
    assert taken > 300  # the plain GETs and HEADs once both languages are rendered

    client = fast_app.test_client()
    bad = client.get(PATH, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == 'Bearer realm="lederdialog"'
    assert client.get(PATH, query_string="lang=en&lang=da").get_json()["lang"] == "en"
    assert "lang" in client.get(PATH, query_string="lang=").get_json()["errors"]["query"]
    assert client.post(PATH).status_code == 405


def test_plain_reads_are_answered_before_flask(twins):
    fast_app, _ = twins()
    client = fast_app.test_client()
    client.get(PATH)
    client.get(PATH, query_string="lang=en")
    with reaching_flask(fast_app) as reached:
        etag = client.get(PATH).headers["ETag"]
        assert client.head(PATH, query_string="lang=en").status_code == 200
        assert client.get(PATH, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(PATH, headers={"Accept-Language": "en"}).get_json()["lang"] == "en"
        assert reached == []
        assert client.get(PATH, headers={"Authorization": "Bearer x"}).status_code == 401
        assert client.get(PATH, query_string="lang=en&x=1").status_code == 200
        assert len(reached) == 2


@pytest.mark.slow  # the whole matrix: over a thousand requests to each app
def test_nothing_published_answers_alike(twins, matrix, content_sessions):
    with content_sessions() as session:
        empty_tables(session, "outbox", "framework_versions")
    fast_app, flask_app = twins()
    assert assert_answered_alike(fast_app, flask_app, matrix) == 0
    missing = fast_app.test_client().get(PATH)
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "no framework version is published yet"


@pytest.mark.slow  # the whole matrix: over a thousand requests to each app
def test_newer_version_answers_alike(twins, matrix, content_sessions):
    fast_app, flask_app = twins(framework_max_age=0)
    for app in (fast_app, flask_app):
        assert app.test_client().get(PATH).headers["ETag"] == '"v1-da"'
    with content_sessions() as session:
        draft = service.create_draft(session, by="hr-1")
        service.publish(session, version_id=draft.id, by="hr-1")
    assert_answered_alike(fast_app, flask_app, matrix)
    assert fast_app.test_client().get(PATH).headers["ETag"] == '"v2-da"'


@pytest.mark.slow  # the whole matrix: over a thousand requests to each app
def test_failing_database_answers_alike(twins, matrix, content_settings):
    primed_fast, primed_flask = twins()
    for app in (primed_fast, primed_flask):
        assert app.test_client().get(PATH).status_code == 200
    cold_fast, cold_flask = twins()
    with database_failing(content_settings.database_url):
        assert assert_answered_alike(primed_fast, primed_flask, matrix) > 0
        assert primed_fast.test_client().get(PATH).status_code == 200
        assert primed_fast.test_client().get(PATH, query_string="lang=en").status_code >= 500
        assert assert_answered_alike(cold_fast, cold_flask, matrix) == 0


class _BrokenCache(PublishedCache):
    def fresh_current_id(self) -> int | None:
        raise RuntimeError("broken")


def test_an_error_in_the_fast_path_leaves_the_answer_to_flask(content_app):
    content_app.wsgi_app = current.CurrentFramework(
        content_app.wsgi_app, cache=_BrokenCache(current_ttl=30), max_age=30)
    response = content_app.test_client().get(PATH)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"v1-da"'
