"""Request ids, request logs, Prometheus metrics, /healthz and /readyz.

The per-request part is one WSGI middleware rather than Flask hooks: it is
paid on every request, including the hottest reads, so it stays small.
"""

from __future__ import annotations

import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterable

import structlog
from flask import Flask, Response, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

log = structlog.get_logger(__name__)

REQUESTS = Counter(
    "lederdialog_http_requests_total", "HTTP requests answered",
    ["service", "method", "endpoint", "status"],
)
LATENCY = Histogram(
    "lederdialog_http_request_duration_seconds", "Time to answer an HTTP request",
    ["service", "endpoint"],
)
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_KEY = "lederdialog.request_id"
# A WSGI handler that answers without Flask names its endpoint here, for the metrics.
ENDPOINT_KEY = "lederdialog.endpoint"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_QUIET_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The endpoints probes and Prometheus call, which rate limits leave alone.
PROBE_ENDPOINTS = frozenset({"healthz", "readyz", "metrics"})

ReadyCheck = Callable[[], None]


def current_request_id() -> str | None:
    """The id of the request being handled (from X-Request-ID, or a new one)."""
    return request.environ.get(REQUEST_ID_KEY)


def _endpoint(environ: dict) -> str:
    named = environ.get(ENDPOINT_KEY)
    if named:
        return named
    flask_request = environ.get("werkzeug.request")
    rule = getattr(flask_request, "url_rule", None)
    return rule.endpoint if rule is not None else "unmatched"


class RequestObserver:
    """WSGI middleware: a request id for every request and its logs, metrics and answer."""

    def __init__(self, app, *, service: str):
        self._app = app
        self._service = service
        self._counters: dict[tuple, Counter] = {}
        self._histograms: dict[str, Histogram] = {}

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        request_id = environ.get("HTTP_X_REQUEST_ID", "")
        if not _SAFE_REQUEST_ID.match(request_id):
            request_id = f"{random.getrandbits(128):032x}"
        environ[REQUEST_ID_KEY] = request_id
        started = time.perf_counter()
        answered: list[tuple[int, str]] = []

        def observed_start_response(status: str, headers: list, exc_info=None):
            # Flask's request (and so its endpoint) is still alive while it answers.
            answered.append((int(status[:3]), _endpoint(environ)))
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            return self._app(environ, observed_start_response)
        finally:
            status, endpoint = answered[-1] if answered else (500, "unanswered")
            self._record(environ, status, endpoint, started)
            structlog.contextvars.reset_contextvars(**tokens)

    def _record(self, environ: dict, status: int, endpoint: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        method = environ["REQUEST_METHOD"]
        key = (method, endpoint, status)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = REQUESTS.labels(self._service, *key)
        counter.inc()
        histogram = self._histograms.get(endpoint)
        if histogram is None:
            histogram = self._histograms[endpoint] = LATENCY.labels(self._service, endpoint)
        histogram.observe(elapsed)
        # Reads that succeed are counted in the metrics, not logged line by line.
        if status >= 400 or method not in _QUIET_METHODS or log.is_enabled_for(logging.DEBUG):
            log.info("request", method=method, path=environ.get("PATH_INFO"), status=status,
                     ms=round(elapsed * 1000, 2))


def _metrics_body() -> bytes:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)


def install_observability(app: Flask, *, service: str, ready_checks: dict[str, ReadyCheck]):
    """Wrap app in the request observer and add /healthz, /readyz and /metrics."""
    app.wsgi_app = RequestObserver(app.wsgi_app, service=service)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", service=service)

    @app.get("/readyz")
    def readyz():
        failures = {}
        for name, check in ready_checks.items():
            try:
                check()
            except Exception as exc:
                failures[name] = f"{type(exc).__name__}: {exc}"
        if failures:
            log.warning("not ready", failures=failures)
            return jsonify(status="unavailable", service=service, failures=failures), 503
        return jsonify(status="ready", service=service, checks=sorted(ready_checks))

    @app.get("/metrics")
    def metrics():
        return Response(_metrics_body(), mimetype=CONTENT_TYPE_LATEST)
