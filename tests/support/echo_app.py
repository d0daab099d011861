"""A WSGI app that answers with what reached it, to stand behind the proxy in tests.

`create_app(name)` answers every path with JSON: which service it plays (`upstream`), the
path, the body's length and the headers the proxy sets. Under gunicorn:
`tests.support.echo_app:create_app()`, named by ECHO_NAME.
"""

from __future__ import annotations

import json
import os

FORWARDED = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-ID", "Host")


def create_app(name: str | None = None):
    upstream = name or os.environ.get("ECHO_NAME", "echo")

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        answer = {
            "upstream": upstream,
            "path": environ["PATH_INFO"],
            "body_bytes": len(body),
            "headers": {header: environ.get("HTTP_" + header.upper().replace("-", "_"))
                        for header in FORWARDED},
        }
        data = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(data)))])
        return [data]

    return app
