"""Bearer-token access for Flask views: 401 without a valid token, 403 without the role."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_smorest import abort

from shared.auth import AuthError, Principal, TokenVerifier

EXTENSION = "lederdialog.auth"
BEARER_SCHEME = {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}


def init_auth(app: Flask, verifier: TokenVerifier) -> None:
    app.extensions[EXTENSION] = verifier


def _unauthorized(message: str):
    abort(401, message=message, headers={"WWW-Authenticate": 'Bearer realm="lederdialog"'})


def optional_principal() -> Principal | None:
    """The caller's principal if a bearer token is sent; 401 if it is sent but bad."""
    if "principal" in g:
        return g.principal
    header = request.headers.get("Authorization")
    if header is None:
        g.principal = None
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        _unauthorized("Authorization header must be 'Bearer <token>'")
    try:
        g.principal = current_app.extensions[EXTENSION].verify(token.strip())
    except AuthError as exc:
        _unauthorized(f"invalid token: {exc}")
    return g.principal


def require_principal(*roles: str) -> Principal:
    """The caller's principal, which must hold one of roles (any role if none given)."""
    principal = optional_principal()
    if principal is None:
        _unauthorized("a bearer token is required")
    if roles and not principal.has_any(*roles):
        abort(403, message=f"this needs one of the roles: {', '.join(roles)}")
    return principal


def current_principal() -> Principal:
    """The principal a `secured` view was let in with."""
    return g.principal
