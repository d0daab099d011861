"""HTTP between services: short timeouts, retries with backoff, a service token."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = (2.0, 5.0)  # connect, read (seconds)


def http_session(*, retries: int = 2, backoff: float = 0.2, token: str | None = None):
    """A requests session that retries idempotent calls on connection errors and 502-504."""
    retry = Retry(
        total=retries, connect=retries, read=retries, backoff_factor=backoff,
        status_forcelist=(502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    return session
