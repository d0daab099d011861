"""What the pages add to the shared security headers (shared.web.security): a stricter
policy, no caching of pages, and a Secure session cookie on every answer over https."""

from __future__ import annotations

from flask import Flask, request, session

from services.web.settings import WebSettings
from shared.web.security import install_security

# No other host, no framing, forms only to the pages themselves.
PAGE_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)
# Pages hold personal data: a shared computer's back button must not show them.
PAGE_CACHE_CONTROL = "no-store"


def secure_pages(app: Flask, settings: WebSettings) -> None:
    """The headers every answer carries, and the session cookie's Secure flag over https.

    Call it last: the headers' middleware wraps everything, static files included.
    """
    install_security(app, trusted_proxies=settings.base.trusted_proxies,
                     content_security_policy=PAGE_CONTENT_SECURITY_POLICY,
                     html_cache_control=PAGE_CACHE_CONTROL)
    interface = app.session_interface
    configured = interface.get_cookie_secure  # Secure whenever PUBLIC_BASE_URL is https
    interface.get_cookie_secure = lambda app: configured(app) or request.is_secure


def signed_in_person() -> str | None:
    """Whom the pages' rate limit counts a request against, besides its address."""
    return session.get("sub")
