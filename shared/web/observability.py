"""Request ids, request logs, Prometheus metrics, /healthz and /readyz."""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable

import structlog
from flask import Flask, Response, g, jsonify, request
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
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

ReadyCheck = Callable[[], None]


def current_request_id() -> str | None:
    return g.get("request_id")


def _begin_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _finish_request(service: str) -> Callable[[Response], Response]:
    def finish(response: Response) -> Response:
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(service, request.method, endpoint, response.status_code).inc()
        LATENCY.labels(service, endpoint).observe(elapsed)
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        # Reads that succeed are counted in the metrics, not logged line by line.
        if response.status_code >= 400 or request.method not in ("GET", "HEAD", "OPTIONS") \
                or log.is_enabled_for(logging.DEBUG):
            log.info(
                "request", method=request.method, path=request.path,
                status=response.status_code, ms=round(elapsed * 1000, 2),
            )
        return response

    return finish


def _metrics_body() -> bytes:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)


def install_observability(app: Flask, *, service: str, ready_checks: dict[str, ReadyCheck]):
    """Wire request ids, logs and metrics into app and add the operational endpoints."""
    app.before_request(_begin_request)
    app.after_request(_finish_request(service))
    app.teardown_request(lambda _exc: structlog.contextvars.clear_contextvars())

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
