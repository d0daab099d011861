"""Who is signed in: the token and a few facts kept in the server-side session.

The browser holds only the session cookie; the token stays on the server (Redis).
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, session, url_for

from services.web.apis import Apis
from shared.web.observability import current_request_id

APIS = "lederdialog.web.apis"
ME_KEPT_SECONDS = 60


def start(*, token: str, sub: str, roles: list[str], name: str, language: str | None) -> None:
    """Sign a person in: a new session, under a new id (no session fixation), nothing kept
    from before."""
    session.clear()
    session.update(token=token, sub=sub, roles=sorted(roles), name=name)
    current_app.session_interface.regenerate(session)
    if language in ("da", "en"):
        session["lang"] = language


def end() -> None:
    session.clear()


def signed_in() -> bool:
    return bool(session.get("token"))


def roles() -> set[str]:
    return set(session.get("roles", []))


def sign_in_required(view):
    """Send a person who is not signed in to sign in, and back to where they were going."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not signed_in():
            return redirect(url_for("signin.start", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def hr_only(view):
    """A page for HR admins (signed in first); to anyone else it does not exist (404), as
    the APIs answer what a caller may not know of."""

    @functools.wraps(view)
    @sign_in_required
    def wrapper(*args, **kwargs):
        if "hr_admin" not in roles():
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def here() -> str:
    """Where to come back to after signing in or switching language: this page, or for a
    form's answer (a POST) the page the form was on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return "/"
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def apis() -> Apis:
    return current_app.extensions[APIS]


def call(api: str, method: str, path: str, **kwargs):
    """Call an API as the signed-in person (or anonymously when no one is)."""
    return getattr(apis(), api).call(
        method, path, token=session.get("token"), request_id=current_request_id(),
        client_address=request.remote_addr, **kwargs
    )


def get(api: str, path: str, **kwargs):
    return call(api, "GET", path, **kwargs).json()


def all_pages(api: str, path: str, **kwargs):
    return list(getattr(apis(), api).all_pages(
        path, token=session.get("token"), request_id=current_request_id(),
        client_address=request.remote_addr, **kwargs
    ))


def me() -> dict:
    """The signed-in person as the assessment service knows them: asked again once a
    minute at most, so a change in the organisation shows soon without a call per page."""
    kept = session.get("me")
    if kept is None or time.time() - session.get("me_at", 0) > ME_KEPT_SECONDS:
        kept = get("assessment", "/api/v1/me")
        session.update(me=kept, me_at=time.time())
    return kept
