"""Signing in and out: OpenID Connect in production, a development sign-in under `make run`.

OIDC: authorization code flow with PKCE (S256) through Authlib; the provider's access token
for the APIs' audience is kept in the server-side session and sent to the APIs.
Development (WEB_DEV_SIGN_IN): a page lists the organisation's people; choosing one mints
the HS256 development token `make token` would, with the roles their place in it gives.
"""

from __future__ import annotations

import structlog
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from services.web import session as people_session
from services.web.apis import ApiError
from services.web.settings import WebSettings
from shared.auth import mint_token

log = structlog.get_logger(__name__)
blp = Blueprint("signin", __name__)
SETTINGS = "lederdialog.web.settings"
OAUTH = "lederdialog.web.oauth"
HR_DEV_SUB = "hr-1"


def init_sign_in(app, settings: WebSettings) -> None:
    app.extensions[SETTINGS] = settings
    if not settings.sign_in.dev:
        oauth = OAuth(app)
        oauth.register(
            "oidc",
            server_metadata_url=f"{settings.sign_in.oidc_issuer}/.well-known/openid-configuration",
            client_id=settings.sign_in.oidc_client_id,
            client_secret=settings.sign_in.oidc_client_secret,
            client_kwargs={"scope": settings.sign_in.oidc_scope, "code_challenge_method": "S256"},
        )
        app.extensions[OAUTH] = oauth
    app.register_blueprint(blp)


def _settings() -> WebSettings:
    return current_app.extensions[SETTINGS]


@blp.get("/sign-in")
def start():
    """Where a person who is not signed in is sent."""
    next_url = people_session.safe_next(request.args.get("next"))
    if people_session.signed_in():
        return redirect(next_url)
    if _settings().sign_in.dev:
        return render_template("pages/sign_in_dev.html", people=_dev_people(), next=next_url)
    session["next"] = next_url
    client = current_app.extensions[OAUTH].oidc
    # The callback at the public address (PUBLIC_BASE_URL), as registered with the provider;
    # not the address the request came in on, which behind a TLS-terminating proxy is
    # http://<inner host> and is refused by the provider.
    callback_url = _settings().base.public_base_url + url_for("signin.callback")
    return client.authorize_redirect(callback_url)


@blp.get("/sign-in/callback")
def callback():
    """The provider sends the person back here with a code, exchanged for tokens."""
    if _settings().sign_in.dev:
        abort(404)
    next_url = people_session.safe_next(session.get("next"))
    try:
        token = current_app.extensions[OAUTH].oidc.authorize_access_token()
    except Exception as exc:  # Authlib, JOSE and HTTP errors alike mean: not signed in
        log.warning("sign-in failed", error=type(exc).__name__)
        abort(400, description="sign-in failed; please try again")
    userinfo = token.get("userinfo") or {}
    _start_session(token["access_token"], fallback_name=userinfo.get("name", ""))
    return redirect(next_url)


@blp.post("/sign-in/dev")
def dev_sign_in():
    """Development only: sign in as the person chosen on the sign-in page."""
    if not _settings().sign_in.dev:
        abort(404)
    sub = request.form.get("sub", "")
    roles = {person["id"]: person["roles"] for person in _dev_people()}.get(sub)
    if roles is None:
        abort(400, description="choose a person of the organisation")
    token = mint_token(_settings().base.jwt, sub=sub, roles=roles, ttl_seconds=8 * 3600)
    _start_session(token, fallback_name=sub)
    return redirect(people_session.safe_next(request.form.get("next")))


@blp.post("/sign-out")
def sign_out():
    people_session.end()
    return redirect(url_for("framework.show"))


def _start_session(token: str, *, fallback_name: str) -> None:
    """Ask the assessment service who the token is, and keep the answer with the token."""
    me = people_session.apis().assessment.get("/api/v1/me", token=token)
    person = me.get("person") or {}
    people_session.start(
        token=token, sub=me["sub"], roles=me.get("roles", []),
        name=person.get("name") or fallback_name, language=person.get("language"),
    )


def _dev_people() -> list[dict]:
    """Everyone in the organisation with the roles their place gives them, and an HR admin."""
    hr_token = mint_token(_settings().base.jwt, sub=HR_DEV_SUB, roles=["hr_admin"], ttl_seconds=60)
    api = people_session.apis().assessment
    try:
        units = list(api.all_pages("/api/v1/units", token=hr_token))
        people = list(api.all_pages("/api/v1/people", token=hr_token))
    except ApiError as exc:
        abort(503, description=f"the organisation cannot be read: {exc}")
    unit_names = {unit["id"]: unit["name"] for unit in units}
    leads = {unit["leader_id"] for unit in units}
    trio = {unit.get("tr_id") for unit in units} | {unit.get("amr_id") for unit in units}
    found = [{
        "id": person["id"], "name": person["name"],
        "unit": unit_names.get(person.get("unit_id"), ""),
        "roles": ["employee"] + (["leader"] if person["id"] in leads else [])
        + (["trio"] if person["id"] in trio else []),
    } for person in people]
    found.sort(key=lambda p: (p["unit"], p["name"]))
    return [{"id": HR_DEV_SUB, "name": "HR", "unit": "", "roles": ["hr_admin"]}, *found]
