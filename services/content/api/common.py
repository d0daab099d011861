"""Helpers the content views share: language choice, caller, cached framework responses.

They are also what GET /api/v1/framework's fast path (current.py) answers with, so that
both give the same answer to the same request.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, request
from flask_smorest import abort
from werkzeug.datastructures import ETags, LanguageAccept
from werkzeug.http import parse_accept_header

from services.content import service
from services.content.document import LANGUAGES
from services.content.rendering import PublishedCache, caching_headers, etag_for
from shared.web.auth import optional_principal
from shared.web.db import db_session


def language_for(asked: str | None, accept_language: str | None) -> str:
    """The answer's language: the one asked for, else Accept-Language's best, else da."""
    return asked or parse_accept_header(accept_language, LanguageAccept).best_match(
        LANGUAGES) or "da"


def choose_lang(args: dict) -> str:
    return language_for(args.get("lang"), request.headers.get("Accept-Language"))


def is_hr_admin() -> bool:
    principal = optional_principal()
    return principal is not None and principal.has_any("hr_admin")


def cache() -> PublishedCache:
    return current_app.extensions["lederdialog.deps"].cache


def current_version_id() -> int:
    version_id = cache().current_id(lambda: service.current_version_id(db_session()))
    if version_id is None:
        abort(404, message="no framework version is published yet")
    return version_id


def version_or_404(version_id: int):
    try:
        return service.get_version(db_session(), version_id, include_drafts=is_hr_admin())
    except service.NotFound as exc:
        abort(404, message=str(exc))


def json_response(body: bytes, *, lang: str, etag: str | None, max_age: int) -> Response:
    headers = caching_headers(lang=lang, etag=etag, max_age=max_age)
    return Response(body, mimetype="application/json", headers=headers)


def not_modified(etag: str, *, lang: str, max_age: int) -> Response:
    return Response(status=304, headers=caching_headers(lang=lang, etag=etag, max_age=max_age))


def published_answer(
    version_id: int, lang: str, *, if_none_match: ETags, body: Callable[[], bytes], max_age: int
) -> Response:
    """A published version in one language: 304 if the client holds it, else its body."""
    etag = etag_for(version_id, lang)
    if etag in if_none_match:
        return not_modified(etag, lang=lang, max_age=max_age)
    return json_response(body(), lang=lang, etag=etag, max_age=max_age)
