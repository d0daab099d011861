"""The APIs the pages are made from: content and assessment over HTTP, as the signed-in person.

One pooled keep-alive `requests` session per process; every call carries the person's
token and address (X-Forwarded-For) and the request id, and has a short timeout. Errors
come back as ApiError.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from shared.http import http_session

PAGE_SIZE = 100
CHANNEL_HEADER = "X-Lederdialog-Channel"
MAX_PAGES = 50  # a list longer than 5,000 rows is not something a page shows


@dataclass
class ApiError(Exception):
    """An API answered with an error (or could not be reached: status 503)."""

    status: int
    message: str = ""
    errors: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"

    def field_errors(self) -> dict[str, list[str]]:
        """The 422's messages by field path ("actions.0.title"), whatever location held them."""
        flat: dict[str, list[str]] = {}
        for location in self.errors.values():
            _flatten(location, "", flat)
        return flat


def _flatten(node: Any, prefix: str, into: dict[str, list[str]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), into)
    elif isinstance(node, list) and all(isinstance(item, str) for item in node):
        into.setdefault(prefix or "_schema", []).extend(node)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _flatten(value, f"{prefix}.{index}" if prefix else str(index), into)
    else:
        into.setdefault(prefix or "_schema", []).append(str(node))


class Api:
    """One service's API, called with a bearer token; `headers` go with every call."""

    def __init__(self, base_url: str, session: requests.Session, timeout: float,
                 headers: dict[str, str] | None = None):
        self._base = base_url
        self._session = session
        self._timeout = timeout
        self._headers = {"Accept": "application/json", **(headers or {})}

    def call(self, method: str, path: str, *, token: str | None, request_id: str | None = None,
             client_address: str | None = None, params: Any = None, body: Any = None,
             data: bytes | None = None, content_type: str | None = None,
             timeout: float | tuple[float, float] | None = None) -> requests.Response:
        """`body` goes as JSON; or `data` as it is, of `content_type`. `timeout`: longer
        than the pages' usual one, for the rare call that takes seconds (the import)."""
        headers = dict(self._headers)
        if content_type:
            headers["Content-Type"] = content_type
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if request_id:
            headers["X-Request-ID"] = request_id
        if client_address:
            # The web is a proxy of the person's requests: the APIs' per-address rate limit
            # counts the person's address (where they trust the web, TRUSTED_PROXIES).
            headers["X-Forwarded-For"] = client_address
        try:
            response = self._session.request(
                method, self._base + path, params=params, json=body, data=data,
                headers=headers, timeout=timeout or self._timeout,
            )
        except requests.RequestException as exc:
            raise ApiError(503, f"{self._base} cannot be reached: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise _error(response)
        return response

    def get(self, path: str, **kwargs) -> Any:
        return self.call("GET", path, **kwargs).json()

    def all_pages(self, path: str, *, params: dict | None = None, **kwargs) -> Iterator[dict]:
        """Every item of a paginated list (X-Pagination), page by page."""
        for page in range(1, MAX_PAGES + 1):
            response = self.call(
                "GET", path, params={**(params or {}), "page": page, "page_size": PAGE_SIZE},
                **kwargs,
            )
            items = response.json()
            yield from items
            pagination = json.loads(response.headers.get("X-Pagination") or "{}")
            if not items or page >= pagination.get("last_page", page):
                return


def _error(response: requests.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiError(
        response.status_code, str(body.get("message") or response.reason),
        body.get("errors") if isinstance(body.get("errors"), dict) else {},
    )


@dataclass
class Apis:
    content: Api
    assessment: Api
    notify: Api  # HR's: the emails that failed


def make_apis(
    *, content_url: str, assessment_url: str, notify_url: str, timeout: float
) -> Apis:
    """The APIs, sharing one pool of keep-alive connections (reads retried on 502-504)."""
    session = http_session(retries=1, backoff=0.1)
    return Apis(
        content=Api(content_url, session, timeout),
        # The assessment's read log names the pages as the channel a dialogue was read by.
        assessment=Api(assessment_url, session, timeout, headers={CHANNEL_HEADER: "web"}),
        notify=Api(notify_url, session, timeout),
    )
