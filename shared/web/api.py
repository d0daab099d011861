"""flask-smorest setup shared by the services: OpenAPI at /openapi.json, Swagger UI at /docs."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from shared.web.auth import BEARER_SCHEME

MAX_BODY_BYTES = 256 * 1024


def make_api(app: Flask, *, title: str, version: str = "1") -> Api:
    app.config.update(
        MAX_CONTENT_LENGTH=app.config.get("MAX_CONTENT_LENGTH") or MAX_BODY_BYTES,
        API_TITLE=title,
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    )
    api = Api(app)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME["bearerAuth"])
    return api
