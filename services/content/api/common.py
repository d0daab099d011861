"""Helpers the content views share: language choice, caller, cached framework responses."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_smorest import abort

from services.content import service
from services.content.document import LANGUAGES
from services.content.rendering import PublishedCache, caching_headers
from shared.web.auth import optional_principal
from shared.web.db import db_session


def choose_lang(args: dict) -> str:
    return args.get("lang") or request.accept_languages.best_match(LANGUAGES) or "da"


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
