"""A real OpenID Connect provider over HTTP: oidc-provider-mock, issuing access tokens for the
APIs' audience as Entra ID does.

The mock's own access tokens are opaque; here they are RS256 JWTs signed with the key it
publishes at /jwks (`kid` matching), with the user's `roles` (set with PUT /users/<sub>),
`aud` "lederdialog", `iss` its issuer, `iat` and `exp`. The mock also ignores PKCE, so the
glue checks it as a real provider does: a code asked for with a `code_challenge` is
exchanged only with the `code_verifier` it was made from (S256).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import flask
import jwt

with warnings.catch_warnings():
    # The mock imports authlib.jose and Authlib's httpx client, which Authlib deprecates.
    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock
    from oidc_provider_mock._storage import storage  # the provider's key and users, per request

from tests.support.servers import serving

API_AUDIENCE = "lederdialog"
TOKEN_LIFETIME = timedelta(hours=1)


def api_access_token(client, grant_type: str, user, scope: str) -> str:
    """Authlib's OAUTH2_ACCESS_TOKEN_GENERATOR: an RS256 JWT for the APIs' audience."""
    now = int(time.time())
    claims = {
        "sub": user.sub, "roles": user.claims.get("roles", []), "aud": API_AUDIENCE,
        "iss": flask.request.host_url.rstrip("/"),  # the mock's issuer (its discovery's)
        "iat": now, "exp": now + int(TOKEN_LIFETIME.total_seconds()),
        "azp": client.get_client_id(), "scp": scope,
    }
    key = storage.jwk
    return jwt.encode(claims, key.get_private_key(), algorithm="RS256",
                      headers={"kid": key.as_dict()["kid"]})  # the kid /jwks publishes


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def provider_app() -> flask.Flask:
    """The mock provider's Flask app with JWT access tokens and PKCE enforced."""
    app = flask.Flask(oidc_provider_mock.__name__)  # its templates are the package's
    app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = api_access_token  # read by init_app
    oidc_provider_mock.init_app(app, access_token_max_age=TOKEN_LIFETIME,
                                issue_refresh_token=False)
    app.secret_key = secrets.token_bytes(16)
    challenges: dict[str, tuple[str, str]] = {}  # code -> (code_challenge, method)

    @app.after_request
    def remember_challenge(response: flask.Response) -> flask.Response:
        challenge = flask.request.args.get("code_challenge")
        if flask.request.endpoint == "oidc-provider-mock.authorize" and challenge:
            code = parse_qs(urlsplit(response.location or "").query).get("code")
            if code:
                method = flask.request.args.get("code_challenge_method", "plain")
                challenges[code[0]] = (challenge, method)
        return response

    @app.before_request
    def check_verifier():
        form = flask.request.form
        if flask.request.endpoint != "oidc-provider-mock.issue_token":
            return None
        if form.get("grant_type") != "authorization_code":
            return None
        challenge, method = challenges.pop(form.get("code", ""), (None, None))
        if challenge is None:
            return None
        verifier = form.get("code_verifier", "")
        if not verifier or (s256(verifier) if method == "S256" else verifier) != challenge:
            return {"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400
        return None

    return app


@contextmanager
def serving_oidc_provider() -> Iterator[str]:
    """Serve the provider on a free local port until the block ends; yields its URL (= issuer)."""
    with serving(provider_app()) as url:
        yield url
