"""GET /api/v1/framework's fast path: the plain read, answered from the cache before Flask.

It is the most read URL of the system, and its answer comes from the cache of rendered
published versions, so Flask's request context, routing, argument parsing and response
handling would be most of its cost (bench/content.py measures it). The fast path takes
only a request whose answer depends on nothing but the cache, the language and the ETag:
GET or HEAD, no Authorization header, no chunked body, no query or exactly `lang=da` /
`lang=en`, the current version's id fresh in the cache and its body rendered. It answers it with the
functions the Flask view (reading.CurrentFramework) answers with, applied to the same
header values. Every other request, and any error, goes to Flask;
tests/content/test_current_framework.py holds both to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from flask import Response
from werkzeug.http import parse_etags

from services.content.api import reading
from services.content.api.common import language_for, published_answer
from services.content.rendering import PublishedCache
from shared.web.observability import ENDPOINT_KEY

log = structlog.get_logger(__name__)

PATH = "/api/v1/framework"
ENDPOINT = f"{reading.blp.name}.{reading.CurrentFramework.__name__}"
# The query strings the fast path takes, and the language each asks for.
PLAIN_QUERIES = {"": None, "lang=da": "da", "lang=en": "en"}


class CurrentFramework:
    """WSGI middleware: answers the plain reads of PATH from the cache, passes on the rest."""

    def __init__(self, app, *, cache: PublishedCache, max_age: int):
        self._app = app
        self._cache = cache
        self._max_age = max_age

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH:
            try:
                response = self._answer(environ)
            except Exception:
                log.exception("the fast path failed; Flask answers instead")
                response = None
            if response is not None:
                environ[ENDPOINT_KEY] = ENDPOINT
                return response(environ, start_response)
        return self._app(environ, start_response)

    def _answer(self, environ: dict) -> Response | None:
        """The answer to a plain read of the cached framework; None for any other request."""
        if (
            environ["REQUEST_METHOD"] not in ("GET", "HEAD")
            or "HTTP_AUTHORIZATION" in environ
            # Flask reads a chunked body, of any request, to refuse one over the limit.
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return None
        query = environ.get("QUERY_STRING", "")
        if query not in PLAIN_QUERIES:
            return None
        version_id = self._cache.fresh_current_id()
        if version_id is None:
            return None
        lang = language_for(PLAIN_QUERIES[query], environ.get("HTTP_ACCEPT_LANGUAGE"))
        body = self._cache.cached_body(version_id, lang)
        if body is None:
            return None
        return published_answer(
            version_id, lang, if_none_match=parse_etags(environ.get("HTTP_IF_NONE_MATCH")),
            body=lambda: body, max_age=self._max_age,
        )
