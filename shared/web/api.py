"""flask-smorest setup shared by the services: OpenAPI at /openapi.json, Swagger UI at /docs
(shared.web.api_docs).

Every service's blueprints come from here, so every request meets the same bounds before a
view sees it: JSON bodies of limited size and nesting, path ids and page numbers that fit
a database integer, path keys of sane length without control characters.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import flask_smorest
from flask import Flask, current_app, request
from flask_smorest import Api
from flask_smorest.error_handler import ErrorSchema
from marshmallow import validate
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, UnicodeConverter

from shared.validation import MAX_INT
from shared.web.api_docs import register_api_docs
from shared.web.auth import BEARER_SCHEME, optional_principal, require_principal

MAX_BODY_BYTES = 256 * 1024
# The deepest a JSON body of ours goes is four levels (a dialogue's actions); a few more
# leave room, and a bound keeps a body of nested brackets from exhausting the stack.
MAX_JSON_DEPTH = 16
MAX_PATH_ID = 999_999_999
ERROR_DESCRIPTIONS = {
    429: "Too many requests from this person or address; Retry-After says when to try again",
}


class BoundedParser(FlaskParser):
    """webargs' parser, refusing JSON that is nested too deep or has absurd numbers (400)."""

    def _raw_load_json(self, req) -> Any:
        if not is_json_request(req):
            return core.missing
        try:
            body = core.parse_json(req.get_data(cache=True))
        except json.JSONDecodeError:
            raise  # webargs answers these: 400 "Invalid JSON body."
        except RecursionError:
            _invalid_json(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        except ValueError as exc:  # an integer of thousands of digits
            _invalid_json(f"a number in the body is too long: {exc}")
        if _depth(body) > MAX_JSON_DEPTH:
            _invalid_json(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        return body


def _invalid_json(message: str):
    abort(400, messages={"json": [message]})


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0)."""
    depth, level = 0, [value]
    while level:
        containers = [v for v in level if isinstance(v, dict | list)]
        if not containers:
            break
        depth += 1
        level = [item for c in containers for item in (c.values() if isinstance(c, dict) else c)]
    return depth


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with bounded JSON bodies and page numbers, and `secured`.

    `errors` describes, per status, what the blueprint's error answers mean.
    """

    ARGUMENTS_PARSER = BoundedParser()

    def __init__(self, *args, errors: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._errors = errors or {}

    def secured(self, *roles: str, errors: Iterable[int] = ()):
        """The one way to say who may call a view: a bearer token holding one of roles (any
        role if none given), checked before the body or query is read.

        OpenAPI shows the operation's security and its error answers: 401, 403 with
        roles, 429 (shared.web.rate_limits), and `errors`.
        """
        return self._guarded(lambda: require_principal(*roles), security=[{"bearerAuth": []}],
                             errors={401, 429, *errors, *([403] if roles else [])})

    def public(self, *, errors: Iterable[int] = ()):
        """A view open to everyone; a bearer token, if sent, is checked first (401 if bad)."""
        return self._guarded(optional_principal, security=[{}, {"bearerAuth": []}],
                             errors={401, 429, *errors})

    def _guarded(self, check: Callable[[], object], *, security: list, errors: set[int]):
        def decorate(view):
            @functools.wraps(view)
            def checked(*args, **kwargs):
                check()
                return view(*args, **kwargs)

            for status in sorted(errors):
                description = (self._errors.get(status) or ERROR_DESCRIPTIONS.get(status)
                               or HTTPStatus(status).phrase)
                checked = self.alt_response(
                    status, schema=ErrorSchema, description=description
                )(checked)
            return self.doc(security=security)(checked)

        return decorate

    @staticmethod
    def streams_body(view):
        """Mark a view that reads its body in pieces (request.stream, request.files), which
        answer 413 past request.max_content_length: a chunked body is then left to the view,
        to read after its token check and under the limit it may set for itself."""
        view.streams_body = True
        return view

    def paginate(self, pager=None, **kwargs):
        """flask-smorest's pagination, with page numbers that fit a database integer."""
        paginating = super().paginate(pager, **kwargs)

        def decorate(view):
            wrapper = paginating(view)
            schema = wrapper._apidoc["pagination"]["parameters"]["schema"]
            schema._declared_fields["page"].validators.append(validate.Range(max=MAX_INT))
            return wrapper

        return decorate


class BoundedInt(IntegerConverter):
    """`<int:...>` path segments: ids of one to nine digits, which a database integer holds.

    The bound is in the pattern, not only in `max`: werkzeug checks `max` after it matched
    the path against every rule, and then answers 405 instead of 404 for the methods of
    rules it did not try.
    """

    regex = r"[1-9]\d{0,8}"

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_PATH_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


class BoundedKey(UnicodeConverter):
    """Plain `<...>` path segments: 1 to 64 characters, none a control character; others 404."""

    def __init__(self, url_map, minlength=1, maxlength=64, length=None):
        super().__init__(url_map, minlength, maxlength, length)
        self.regex = "[^/\x00-\x1f\x7f-\x9f]" + self.regex.removeprefix("[^/]")


def refuse_long_chunked_bodies() -> None:
    """413 for a chunked body that reaches the size limit.

    A body without Content-Length is read through a stream that stops at the limit, so
    what a view would read of a longer one is its first part, which it would misread
    (as invalid JSON, say) instead of answering 413.
    """
    if "HTTP_TRANSFER_ENCODING" not in request.environ:  # every other request, at once
        return
    if _streams_body():  # it reads the body itself, after its token check
        return
    limit = request.max_content_length
    if (limit is not None and request.content_length is None
            and len(request.get_data(cache=True)) >= limit):
        raise RequestEntityTooLarge()


def _streams_body() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    return getattr(handler, "streams_body", False)


class ServiceApi(Api):
    """flask-smorest's Api, with two answers put right.

    A 405 keeps its Allow header (HTTP requires it; flask-smorest's error handler drops
    the exception's headers), and X-Pagination is documented as what it is on the wire:
    a string holding a JSON object.
    """

    def handle_http_exception(self, error):
        payload, status, headers = super().handle_http_exception(error)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers = {**headers, "Allow": ", ".join(sorted(error.valid_methods))}
        return payload, status, headers

    def _register_pagination_header(self):
        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata, a JSON object: total, total_pages, "
                           "first_page, last_page, page, previous_page, next_page",
            "schema": {"type": "string"},
        }, lazy=True)


def make_api(app: Flask, *, title: str, version: str = "1") -> Api:
    """The service's Api; its blueprints are shared.web.api.Blueprint, registered after this."""
    app.config.update(
        MAX_CONTENT_LENGTH=app.config.get("MAX_CONTENT_LENGTH") or MAX_BODY_BYTES,
        API_TITLE=title,
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.url_map.converters.update(int=BoundedInt, default=BoundedKey, string=BoundedKey)
    app.before_request(refuse_long_chunked_bodies)
    api = ServiceApi(app)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME["bearerAuth"])
    register_api_docs(app, title=title, spec_url="/openapi.json")
    return api
