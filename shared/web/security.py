"""The headers every answer of every service carries, and the proxies it trusts to say who asked.

One WSGI middleware, outside everything else a service wraps around Flask (static files,
content's fast path), so no answer goes out without them: no sniffing, no framing, no
referrer leaks, a Content-Security-Policy, and HSTS on answers given over https.

Behind a reverse proxy, the scheme and the client address the service sees are the
proxy's; werkzeug's ProxyFix takes them from the X-Forwarded-* headers the trusted
proxies set (TRUSTED_PROXIES, how many stand in front), so https turns HSTS and Secure
cookies on and the rate limits count the real client address.
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.middleware.proxy_fix import ProxyFix

# The APIs answer JSON, and /docs: Swagger UI's script, stylesheet and icons (data: URIs)
# from this service, and the OpenAPI document it fetches. Nothing else.
API_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """WSGI middleware: the security headers on every answer (an answer's own win)."""

    def __init__(self, app, *, content_security_policy: str, html_cache_control: str | None):
        self._app = app
        self._headers = [
            ("Content-Security-Policy", content_security_policy),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
        ]
        self._html_cache_control = html_cache_control

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        https = environ.get("wsgi.url_scheme") == "https"

        def secured_start_response(status: str, headers: list, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend(header for header in self._headers if header[0].lower() not in present)
            if https and "strict-transport-security" not in present:
                headers.append(("Strict-Transport-Security", HSTS))
            if self._html_cache_control and "cache-control" not in present and any(
                name.lower() == "content-type" and value.startswith("text/html")
                for name, value in headers
            ):
                headers.append(("Cache-Control", self._html_cache_control))
            return start_response(status, headers, exc_info)

        return self._app(environ, secured_start_response)


def install_security(app, *, trusted_proxies: int,
                     content_security_policy: str = API_CONTENT_SECURITY_POLICY,
                     html_cache_control: str | None = None) -> None:
    """Wrap the app (last, so outermost) in the security headers and, when proxies stand in
    front, in ProxyFix trusting that many of them for the client address, scheme and host."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app, content_security_policy=content_security_policy,
                                   html_cache_control=html_cache_control)
    if trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies,
                                x_host=trusted_proxies)
