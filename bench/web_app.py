"""The web service with one extra page for bench/web.py: the overview from a fixed dict.

`create_app()` is services.web.app.create_app() plus GET /bench/overview-fixed, which renders
pages/overview.html (same layout, same sign-in check and Redis session, same cookie) from
the context a real overview passed its template, read once per worker from the JSON file
BENCH_OVERVIEW_CONTEXT: everything the real page does but its API calls. GET
/bench/overview-fixed-me renders the same after the cheapest authenticated API call there is,
GET /api/v1/me (the person and their units: one indexed lookup), its answer unused.
`capture_overview()` records that context in-process, by asking the real page once.
"""

from __future__ import annotations

import json
import os
from datetime import date
from functools import cache
from pathlib import Path
from unittest import mock

from flask import Flask, render_template

from services.web import session
from services.web.app import create_app as create_web_app
from services.web.pages import overview
from services.web.settings import load_web_settings

FIXED_PATH = "/bench/overview-fixed"
FLOOR_PATH = "/bench/overview-fixed-me"
CONTEXT_FILE = "BENCH_OVERVIEW_CONTEXT"


def create_app() -> Flask:
    app = create_web_app()

    @cache
    def fixed_context() -> dict:
        context = json.loads(Path(os.environ[CONTEXT_FILE]).read_text())
        return {**context, "today": date.fromisoformat(context["today"])}

    @app.get(FIXED_PATH)
    @session.sign_in_required
    def overview_fixed():
        return render_template("pages/overview.html", **fixed_context())

    @app.get(FLOOR_PATH)
    @session.sign_in_required
    def overview_fixed_after_me():
        session.get("assessment", "/api/v1/me")
        return render_template("pages/overview.html", **fixed_context())

    return app


def capture_overview(env: dict[str, str], cookie: str, into: Path) -> None:
    """Render the real overview once, signed in with cookie; write what it gave the template."""
    app = create_web_app(load_web_settings(env))
    with mock.patch.object(overview, "render_template", wraps=render_template) as render:
        response = app.test_client(use_cookies=False).get("/overview", headers={"Cookie": cookie})
    if response.status_code != 200 or render.call_count != 1:
        raise RuntimeError(f"the overview answered {response.status_code}, not its page")
    into.write_text(json.dumps(render.call_args.kwargs, default=date.isoformat))
