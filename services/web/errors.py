"""The pages shown when something goes wrong: one template, a title and a sentence each."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from services.web import session
from services.web.apis import ApiError

NOT_FOUND = (_l("Page not found"), _l("The page does not exist, or you may not see it."))
BAD_REQUEST = (_l("The request could not be used"),
               _l("Go back and try again. If you sent a form, reload it first."))
SIGNED_OUT = (_l("You are signed out"), _l("Sign in again to go on."))
UNAVAILABLE = (_l("Lederdialog cannot answer right now"),
               _l("Something behind the page did not answer. Try again in a moment."))
TOO_MANY_REQUESTS = (
    _l("Too many requests"),
    _l("You have sent many requests in a short time. Wait a minute and try again."),
)


def page(status: int, texts: tuple) -> tuple[str, int]:
    title, explanation = texts
    return render_template("errors/page.html", title=title, explanation=explanation), status


def too_many_requests(_message: str) -> tuple[str, int]:
    """The page for a request over the rate limit (shared.web.rate_limits adds Retry-After)."""
    return page(429, TOO_MANY_REQUESTS)


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        # Whoever may not read a record gets the page of one that does not exist.
        if exc.status in (403, 404):
            return page(404, NOT_FOUND)
        if exc.status == 401:
            session.end()
            return page(401, SIGNED_OUT)
        if exc.status == 429:
            return page(429, TOO_MANY_REQUESTS)
        return page(503, UNAVAILABLE)

    app.register_error_handler(404, lambda _e: page(404, NOT_FOUND))
    for status in (400, 405, 413):
        app.register_error_handler(status, lambda e: page(e.code, BAD_REQUEST))
    app.register_error_handler(CSRFError, lambda _e: page(400, BAD_REQUEST))
    for status in (500, 503):
        app.register_error_handler(status, lambda e: page(e.code, UNAVAILABLE))
