"""/docs: Swagger UI on the service's OpenAPI document, served by the service itself.

Swagger UI's files come from the pinned swagger-ui-bundle package, not from a CDN, so the
page loads nothing from another host: it works offline and under the APIs'
Content-Security-Policy (no inline script: docs.js starts Swagger UI).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, render_template_string, send_from_directory
from swagger_ui_bundle import swagger_ui_path

HERE = Path(__file__).parent
START_SCRIPT = "docs.js"
# What the page uses of Swagger UI's distribution; nothing else of it is served.
SWAGGER_UI_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="{{ url_for('swagger_ui.static', filename='swagger-ui.css') }}">
  <link rel="icon" type="image/png"
        href="{{ url_for('swagger_ui.static', filename='favicon-32x32.png') }}">
</head>
<body>
  <div id="swagger-ui" data-spec-url="{{ spec_url }}"></div>
  <script src="{{ url_for('swagger_ui.static', filename='swagger-ui-bundle.js') }}"></script>
  <script src="{{ url_for('swagger_ui.static', filename='""" + START_SCRIPT + """') }}"></script>
</body>
</html>
"""


def register_api_docs(app: Flask, *, title: str, spec_url: str) -> None:
    """Serve Swagger UI at /docs on the OpenAPI document at `spec_url`."""
    docs = Blueprint("swagger_ui", __name__)

    @docs.get("/docs")
    def page():
        return render_template_string(PAGE, title=title, spec_url=spec_url)

    # Named `static`, so the rate limits leave it alone as they do every static file.
    @docs.get("/docs/static/<filename>", endpoint="static")
    def static_file(filename: str):
        if filename == START_SCRIPT:
            return send_from_directory(HERE, START_SCRIPT)
        if filename in SWAGGER_UI_FILES:
            return send_from_directory(swagger_ui_path, filename)
        abort(404)

    app.register_blueprint(docs)
