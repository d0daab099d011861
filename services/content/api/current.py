"""GET /api/v1/framework, answered by a plain WSGI handler in front of Flask.

It is the most read URL of the system, and its answer comes from the cache of
rendered published versions, so Flask's routing, argument parsing and response
wrapping would be most of its cost (bench/content.py measures it). It answers
exactly as the Flask views of the other framework URLs do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import parse_qs

import structlog
from sqlalchemy.orm import sessionmaker
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_etags

from services.content import service
from services.content.document import LANGUAGES
from services.content.rendering import PublishedCache, caching_headers, etag_for
from shared.web.observability import ENDPOINT_KEY

log = structlog.get_logger(__name__)

PATH = "/api/v1/framework"
ENDPOINT = "framework.CurrentFramework"
OPENAPI = {
    "tags": ["framework"],
    "summary": "The current published framework, whole, in one language",
    "parameters": [
        {"in": "query", "name": "lang", "required": False,
         "schema": {"type": "string", "enum": list(LANGUAGES)},
         "description": "Language of the texts; default from Accept-Language, else da"},
        {"in": "header", "name": "If-None-Match", "required": False,
         "schema": {"type": "string"}, "description": "An ETag from an earlier answer"},
    ],
    "responses": {
        "200": {"description": "The framework",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Framework"}}}},
        "304": {"description": "Not modified (If-None-Match)"},
        "404": {"description": "No version is published yet"},
        "422": {"description": "lang is neither da nor en"},
    },
}


def _json(start_response, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]


def choose_lang(environ: dict) -> str | None:
    """The language asked for (None if ?lang= names one we don't have)."""
    query = environ.get("QUERY_STRING")
    if query:
        asked = parse_qs(query, keep_blank_values=True).get("lang")
        if asked:
            return asked[-1] if asked[-1] in LANGUAGES else None
    header = environ.get("HTTP_ACCEPT_LANGUAGE")
    if header:
        return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES) or "da"
    return "da"


class CurrentFramework:
    def __init__(self, app, *, sessions: sessionmaker, cache: PublishedCache, max_age: int):
        self._app = app
        self._sessions = sessions
        self._cache = cache
        self._max_age = max_age

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if environ.get("PATH_INFO") != PATH or method not in ("GET", "HEAD"):
            return self._app(environ, start_response)
        environ[ENDPOINT_KEY] = ENDPOINT
        lang = choose_lang(environ)
        if lang is None:
            return _json(start_response, "422 UNPROCESSABLE ENTITY", {
                "code": 422, "status": "Unprocessable Entity",
                "errors": {"query": {"lang": [f"Must be one of: {', '.join(LANGUAGES)}."]}},
            })
        try:
            version_id = self._cache.current_id(self._load_current_id)
            if version_id is None:
                return _json(start_response, "404 NOT FOUND", {
                    "code": 404, "status": "Not Found",
                    "message": "no framework version is published yet"})
            etag = etag_for(version_id, lang)
            headers = caching_headers(lang=lang, etag=etag, max_age=self._max_age)
            if_none_match = environ.get("HTTP_IF_NONE_MATCH")
            if if_none_match and etag in parse_etags(if_none_match):
                start_response("304 NOT MODIFIED", headers)
                return []
            body = self._cache.cached_body(version_id, lang) or self._render(version_id, lang)
        except Exception:
            log.exception("framework could not be read")
            return _json(start_response, "503 SERVICE UNAVAILABLE", {
                "code": 503, "status": "Service Unavailable",
                "message": "the framework cannot be read right now; try again"})
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body))), *headers])
        return [body] if method == "GET" else []

    def _load_current_id(self) -> int | None:
        with self._sessions() as session:
            return service.current_version_id(session)

    def _render(self, version_id: int, lang: str) -> bytes:
        with self._sessions() as session:
            version = service.get_version(session, version_id, include_drafts=False)
            return self._cache.body(version, lang)
