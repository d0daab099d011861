"""Rate limits on every service: per signed-in person and per client address (Flask-Limiter).

Each limit is one budget across all of a service's URLs, counted in Redis so that every
gunicorn worker and every replica share it (fixed windows: one Redis round trip per limit).
A request over either limit gets 429 naming the limit, with Retry-After. /healthz, /readyz,
/metrics and static files are not counted.

When Redis cannot be reached, the limits are counted in each process's memory instead
(Flask-Limiter's in-memory fallback) and Redis is tried again after a growing pause: the
service goes on answering, still limited, and no request waits on a Redis that is down.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, g, make_response, request
from flask.typing import ResponseReturnValue
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded
from werkzeug.exceptions import HTTPException

from shared.auth import Principal
from shared.config import Settings
from shared.web.auth import optional_principal
from shared.web.observability import PROBE_ENDPOINTS

# Redis must answer the limiter at once; a Redis that does not is treated as down.
REDIS_TIMEOUT_SECONDS = 0.5
SERVICE_ROLE = "service"

Answer = Callable[[str], ResponseReturnValue]


def json_answer(message: str) -> ResponseReturnValue:
    """The APIs' 429, shaped as their other errors are."""
    return {"code": 429, "status": "Too Many Requests", "message": message}


def limit_requests(app: Flask, settings: Settings, *, person: Callable[[], str | None],
                   exempt: Callable[[], bool] = lambda: False,
                   answer: Answer = json_answer) -> None:
    """Limit the app's requests as settings.rate_limits says (nothing when it is None).

    `person` names whom a request counts against besides its address (None: no one signed
    in); `exempt` says which requests are not counted at all; `answer` is the 429's body.
    Install it before the app's other request hooks, so that a request over the limit is
    refused before anything else is done with it.
    """
    limits = settings.rate_limits
    if limits is None:
        return

    def address() -> str:
        return request.remote_addr or "unknown"

    limiter = Limiter(
        address,
        application_limits=[
            ApplicationLimit(limits.per_person, key_function=lambda: person() or "",
                             scope="person", exempt_when=lambda: person() is None,
                             error_message=f"at most {limits.per_person} per person"),
            ApplicationLimit(limits.per_address, key_function=address, scope="address",
                             error_message=f"at most {limits.per_address} per client address"),
        ],
        storage_uri=settings.redis_url,
        storage_options={"socket_timeout": REDIS_TIMEOUT_SECONDS,
                         "socket_connect_timeout": REDIS_TIMEOUT_SECONDS},
        strategy="fixed-window",
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        # Deployments sharing a Redis keep their counts apart as they keep their streams.
        key_prefix=f"{settings.event_stream}/{settings.service}",
        # Requests for no URL of the service count too.
        request_identifier=lambda: request.endpoint or "unmatched",
    )
    limiter.request_filter(lambda: request.endpoint in PROBE_ENDPOINTS or exempt())
    limiter.init_app(app)

    def too_many_requests(exc: RateLimitExceeded):
        seconds = _seconds_left(limiter, exc)
        response = make_response(answer(
            f"too many requests: {exc.description}; try again in {seconds} seconds"))
        response.status_code = 429
        response.headers["Retry-After"] = str(seconds)
        return response

    app.register_error_handler(RateLimitExceeded, too_many_requests)


def _seconds_left(limiter: Limiter, exc: RateLimitExceeded) -> int:
    """Seconds until the limit's window ends (its whole length if the counts cannot tell)."""
    try:
        reset_at = limiter.current_limit.reset_at
    except Exception:  # the storage went away since it counted this request
        return exc.limit.limit.get_expiry()
    return max(1, int(reset_at - time.time()))


def token_person() -> str | None:
    """The APIs' person: the `sub` of a valid bearer token. A missing or bad token counts
    against the address alone (the view answers 401 for a bad one)."""
    principal = _valid_principal()
    return principal.sub if principal is not None else None


def internal_service() -> bool:
    """Our own services' calls (a valid token with the role `service`) are not limited:
    notify looks people up for every email it sends, in bursts."""
    principal = _valid_principal()
    return principal is not None and principal.has_any(SERVICE_ROLE)


def _valid_principal() -> Principal | None:
    """The request's principal, None for a missing or bad token; a bad one is checked once."""
    if "token_principal" not in g:
        try:
            g.token_principal = optional_principal()
        except HTTPException:
            g.token_principal = None
    return g.token_principal
