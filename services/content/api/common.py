"""Helpers the content views share: language choice, caller, cached framework responses."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_smorest import abort

from services.content import service
from services.content.document import LANGUAGES
from services.content.rendering import PublishedCache
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
    response = Response(body, mimetype="application/json")
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    if etag is None:
        response.headers["Cache-Control"] = "no-store"
    else:
        response.set_etag(etag)
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def not_modified(etag: str, *, max_age: int) -> Response:
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Vary"] = "Accept-Language"
    return response
