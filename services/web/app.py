"""The web service's app factory: the pages leaders, TRIO members and employees work in.

A backend-for-frontend: it owns no business data and calls the content and assessment
APIs with the signed-in person's token. Sessions live in Redis; the browser holds only
the session cookie.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_session import Session
from flask_wtf.csrf import CSRFProtect
from redis import Redis

from services.web import pages, session, signin
from services.web.apis import make_apis
from services.web.errors import register_error_pages, too_many_requests
from services.web.language import init_language
from services.web.security import secure_pages, signed_in_person
from services.web.settings import WebSettings, load_web_settings
from services.web.static_files import serve_static, static_url
from shared.logs import configure_logging
from shared.web.observability import install_observability
from shared.web.rate_limits import limit_requests

SESSION_LIFETIME = timedelta(hours=8)


def create_app(settings: WebSettings | None = None) -> Flask:
    settings = settings or load_web_settings()
    configure_logging("web", settings.base.log_level)
    app = Flask(__name__, static_folder=None)
    redis = Redis.from_url(settings.base.redis_url, socket_timeout=5, socket_connect_timeout=5)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_TYPE="redis", SESSION_REDIS=redis, SESSION_KEY_PREFIX="lederdialog:web:session:",
        SESSION_PERMANENT=True, PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        SESSION_SERIALIZATION_FORMAT="json",
        SESSION_COOKIE_NAME="lederdialog", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies,
        PREFERRED_URL_SCHEME="https" if settings.secure_cookies else "http",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session it is tied to
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    Session(app)
    # Before the other request hooks: a request over the limit is refused before its form
    # is read for the CSRF check.
    limit_requests(app, settings.base, person=signed_in_person, answer=too_many_requests)
    CSRFProtect(app)
    init_language(app)
    app.extensions[session.APIS] = make_apis(
        content_url=settings.base.content_url, assessment_url=settings.base.assessment_url,
        notify_url=settings.base.notify_url,
        timeout=settings.api_timeout_seconds,
    )
    signin.init_sign_in(app, settings)
    pages.register(app)
    app.jinja_env.globals.update(
        static_url=static_url, signed_in=session.signed_in, here=session.here,
    )
    register_error_pages(app)
    app.wsgi_app = serve_static(app.wsgi_app)
    install_observability(app, service="web", ready_checks={"redis": redis.ping})
    secure_pages(app, settings)
    return app
