"""HTTP between services: short timeouts, retries with backoff, a service token."""

from __future__ import annotations

from collections.abc import Callable

import requests
from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.util.retry import Retry

TIMEOUT = (2.0, 5.0)  # connect, read (seconds)


def http_session(*, retries: int = 2, backoff: float = 0.2,
                 token: str | Callable[[], str] | None = None):
    """A requests session that retries idempotent calls on connection errors and 502-504.

    It never sleeps on an answer's Retry-After (a rate limit's 429 gives up to a minute):
    a request of the caller's own is waiting on the call.
    """
    retry = Retry(
        total=retries, connect=retries, read=retries, backoff_factor=backoff,
        status_forcelist=(502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False, respect_retry_after_header=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if callable(token):
        session.auth = _Bearer(token)
    elif token:
        session.headers["Authorization"] = f"Bearer {token}"
    return session


class _Bearer(AuthBase):
    """The bearer token `token()` gives at the time of each request (one that is renewed)."""

    def __init__(self, token: Callable[[], str]):
        self._token = token

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token()}"
        return request
